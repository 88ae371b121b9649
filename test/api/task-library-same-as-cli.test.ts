// README: a task's result is the document the matching command prints with --json, and the library's analyze and
// analyzeStates return it too. They did not (user review s26, task/library #1 and #3):
// - analyzeStates on a port with a UDP socket left out the UDP note and line the command adds (no TCP connections
//   on port P; 1 UDP socket on port P ...): "TIME_WAIT count is normal" and notes [], as for a port nobody uses;
// - with `source` given, the commands the notes suggest lost ` --source X` (`sockscope analyze --port P --samples 5
//   --sample-interval 1s`, where the command run with --source ss says `... --port P --source ss --samples 5 ...`).
// Real sockets on loopback: a python3 UDP socket (SO_RCVBUF 2048, never read) that a burst of 200 datagrams of
// 500 bytes has made drop; the library in-process, the task and the command through bin/sockscope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, analyzeStates } from '../../src/index.js';
import { startPythonHolder } from '../helpers/python-holder.js';
import { runCli } from '../helpers/run-cli.js';
import { BIN } from '../collect/getsockopt-helpers.js';

const DROPPING = String.raw`
import json, os, socket, sys, threading
threading.Timer(120, lambda: os._exit(0)).start()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
s.bind(('127.0.0.1', 0))
port = s.getsockname()[1]
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200): c.sendto(b'x' * 500, ('127.0.0.1', port))
print(json.dumps({'port': port}), flush=True)
sys.stdin.read()
os._exit(0)
`;

/**
 * What the three must agree on: the document without its `time`, and without each recommendation's `evidence`,
 * which counts the host's TIME_WAIT entries at its own moment (other tests' connections come and go).
 */
function comparable(doc: unknown): unknown {
  const { time: _time, recommendations, ...rest } = doc as Record<string, unknown> & { recommendations: Array<Record<string, unknown>> };
  return { ...rest, recommendations: recommendations.map(({ evidence: _evidence, ...r }) => r) };
}

test('analyze and analyze-states: task and library return what the command prints with --json (UDP note, --source kept)', { timeout: 120_000 }, async (t) => {
  const { port } = await startPythonHolder<{ port: number }>(t, DROPPING);
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-same-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const task = async (doc: object) => {
    const file = join(dir, 'task.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = await runCli(['task', file]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    return (JSON.parse(r.stdout) as { result: unknown }).result;
  };
  const cli = async (args: string[]) => {
    const r = await runCli([...args, '--json']);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as unknown;
  };
  const udpNote = `1 UDP socket on port ${port} (127.0.0.1:${port} python3/`;
  const series = (flags: string) => `sockscope analyze --port ${port}${flags} --samples 5 --sample-interval 1s`;
  const statesHint = (flags: string) => `sockscope analyze --port ${port}${flags} --samples 5 shows its queue and drops`;

  await t.test('analyze-states on the UDP port: the UDP line and note in all three', async () => {
    const want = await cli(['analyze-states', '--port', String(port)]);
    const w = want as { recommendation: string; notes: string[] };
    assert.ok(w.recommendation.startsWith(`no TCP connections on port ${port}; ${udpNote}`), w.recommendation);
    assert.ok(w.recommendation.endsWith(statesHint('')), w.recommendation);
    assert.deepEqual(comparable(await task({ operation: 'analyze-states', port })), comparable(want));
    assert.deepEqual(comparable(await analyzeStates({ port })), comparable(want));
  });

  await t.test('analyze-states with source ss: the hint says --source ss in all three', async () => {
    const want = await cli(['analyze-states', '--port', String(port), '--source', 'ss']);
    assert.ok((want as { recommendation: string }).recommendation.endsWith(statesHint(' --source ss')), JSON.stringify(want));
    assert.deepEqual(comparable(await task({ operation: 'analyze-states', port, source: 'ss' })), comparable(want));
    assert.deepEqual(comparable(await analyzeStates({ port, source: 'ss' })), comparable(want));
  });

  await t.test('analyze with source ss: the drop note\'s command says --source ss in all three; without source, none', async () => {
    const want = await cli(['analyze', '--port', String(port), '--source', 'ss']);
    assert.ok((want as { notes: string[] }).notes.some((n) => n.includes(series(' --source ss'))), JSON.stringify(want));
    assert.deepEqual(comparable(await task({ operation: 'analyze', port, source: 'ss' })), comparable(want));
    assert.deepEqual(comparable(await analyze({ port, source: 'ss' })), comparable(want));
    // auto (the default, and said) is what a command without --source reads with: nothing added.
    for (const r of [await analyze({ port }), await analyze({ port, source: 'auto' })]) {
      assert.ok(r.notes.some((n) => n.includes(series(''))), JSON.stringify(r.notes));
    }
  });
  // A config file's `source: ss` (diff review s26 dA #2): the command reads it again, so its notes do not repeat it;
  // the task wrote it into the document, as typed, and said --source ss where the command does not. --source on the
  // task's command line is typed, as on the command's. The library: options.config is a config file's.
  await t.test('a config file\'s source is not repeated, by the task as by the command; --source is', async () => {
    const project = mkdtempSync(join(tmpdir(), 'sockscope-task-config-source-'));
    t.after(() => rmSync(project, { recursive: true, force: true }));
    writeFileSync(join(project, 'sockscope.yaml'), 'source: ss\n');
    writeFileSync(join(project, 'task.json'), JSON.stringify({ operation: 'analyze-states', port }));
    const run = (args: string[]) => {
      const r = spawnSync(BIN, args, { cwd: project, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
      assert.equal(r.status, 0, r.stderr + r.stdout);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const want = run(['analyze-states', '--port', String(port), '--json']);
    assert.ok((want as { recommendation: string }).recommendation.endsWith(statesHint('')), JSON.stringify(want));
    assert.deepEqual(comparable(run(['task', 'task.json']).result), comparable(want));
    const typed = run(['analyze-states', '--port', String(port), '--json', '--source', 'ss']);
    assert.ok((typed as { recommendation: string }).recommendation.endsWith(statesHint(' --source ss')), JSON.stringify(typed));
    assert.deepEqual(comparable(run(['task', 'task.json', '--source', 'ss']).result), comparable(typed));
    assert.deepEqual(comparable(await analyzeStates({ port }, { config: { source: 'ss' } })), comparable(want));
  });
});
