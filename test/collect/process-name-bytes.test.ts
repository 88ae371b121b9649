// A process name is any bytes but NUL (prctl PR_SET_NAME): one that is not UTF-8 keeps its bytes (shown
// \xNN) instead of becoming U+FFFD, so two hostile names cannot look alike. Real process, real socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSource } from '../../src/collect/index.js';
import { escapeControl } from '../../src/model/escape.js';

test('a process named with a byte that is not UTF-8 is read with that byte, shown escaped', { timeout: 30_000 }, async () => {
  const py = [
    'import ctypes, socket, sys, time',
    'ctypes.CDLL(None).prctl(15, b"ev\\xffil\\x1b", 0, 0, 0)', // PR_SET_NAME
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()',
    'print(s.getsockname()[1], flush=True); time.sleep(30)',
  ].join('\n');
  const child = spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((res, rej) => {
      const t = setTimeout(() => rej(new Error('python3 did not start')), 10_000);
      child.once('error', rej);
      child.stdout!.once('data', (d) => {
        clearTimeout(t);
        res(Number(String(d).trim()));
      });
    });
    const snap = await createSource('netlink').collect({ protocols: ['tcp'], port, processes: 'all' });
    const l = snap.sockets.find((s) => s.state === 'LISTEN' && s.local.port === port);
    assert.ok(l, 'the listener');
    const p = l.processes.find((x) => x.pid === child.pid);
    assert.ok(p, JSON.stringify(l.processes));
    assert.equal(escapeControl(p.name), 'ev\\xffil\\x1b');
  } finally {
    child.kill('SIGKILL');
  }
});
