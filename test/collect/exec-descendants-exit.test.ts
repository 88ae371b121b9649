// runStreaming's children and what they start (the ProxyCommand of an ssh): when the child exits by itself while
// what it started keeps its stdout open, that rest is stopped and the call ends. A poll that lands between the
// child's exit and Node reaping it walked the zombie, found no children (they are PID 1's by then) and replaced
// the descendants it had noted with the child alone, so the rest was left running (diff review s21 late #1); it
// happens when the event loop is busy at that moment (another host's output being parsed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runStreaming } from '../../src/collect/exec.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const busy of [false, true]) {
  test(`a child that exits by itself: what it started is stopped${busy ? ', also when the event loop is busy as it exits' : ''}`, { timeout: 30_000 }, async () => {
    if (busy) {
      // From 1.4 to 2.1 s an I/O callback holds the loop: the child (exiting at 1.5 s) is a zombie when the next poll runs.
      spawn('sh', ['-c', 'sleep 1.4; echo x']).stdout.on('data', () => {
        const end = Date.now() + 700;
        while (Date.now() < end);
      });
    }
    let out = '';
    const r = await runStreaming('sh', ['-c', 'sleep 97 & echo $!; sleep 1.5; exit 3'], {
      idleTimeoutMs: 4000,
      idleReadBytes: 1024,
      timeoutMs: 20_000,
      onStdout: (c: Buffer) => void (out += c.toString()),
    });
    assert.equal(r.exitCode, 3);
    const pid = Number(out.trim().split('\n')[0]);
    assert.ok(pid > 0, out);
    // SIGTERM at once, SIGKILL after the kill grace (1 s).
    for (let i = 0; i < 30 && existsSync(`/proc/${pid}`); i++) await sleep(100);
    const left = existsSync(`/proc/${pid}`);
    if (left) process.kill(pid, 'SIGKILL');
    assert.equal(left, false, `the child's 'sleep 97' (pid ${pid}) is still running`);
  });
}
