// bin/sockscope analyze / analyze-states run as a user would, on real loopback sockets, compared with ss.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openScenario, type Scenario } from '../helpers/scenario.js';
import { AnalyzeReportSchema, StatesReportSchema } from '../../src/report/schema.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
let sc: Scenario;

function sockscope(...args: string[]) {
  // A whole-host --json document passes 1 MB (spawnSync's default limit) when other work has left
  // tens of thousands of sockets on the host.
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Counts per state of `ss -tanH sport = :P` (the reference). */
function ssStates(port: number): Record<string, number> {
  const r = spawnSync('ss', ['-tanH', 'sport', '=', `:${port}`], { encoding: 'utf8' });
  assert.equal(r.status, 0, 'ss must be installed (iproute2)');
  const names: Record<string, string> = { ESTAB: 'ESTABLISHED', 'TIME-WAIT': 'TIME_WAIT', 'CLOSE-WAIT': 'CLOSE_WAIT', LISTEN: 'LISTEN', 'FIN-WAIT-2': 'FIN_WAIT2', 'SYN-RECV': 'SYN_RECV' };
  const out: Record<string, number> = {};
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const st = names[line.split(/\s+/)[0]] ?? line.split(/\s+/)[0];
    out[st] = (out[st] ?? 0) + 1;
  }
  return out;
}

before(async () => {
  sc = await openScenario({ timeWait: 3, acceptBacklog: 2, acceptClients: 2 });
});
after(async () => {
  await sc?.close();
});

for (const source of ['auto', 'ss', 'netlink', 'procfs']) {
  test(`analyze --port --json (--source ${source}) matches ss on the CLOSE_WAIT port`, () => {
    const r = sockscope('analyze', '--port', String(sc.closeWait.port), '--json', '--source', source);
    assert.equal(r.status, 0, r.stderr);
    const doc = AnalyzeReportSchema.parse(JSON.parse(r.stdout));
    const ref = ssStates(sc.closeWait.port);
    for (const [state, n] of Object.entries(ref)) assert.equal(doc.states[state as 'LISTEN'], n, `${state} (ss says ${n})`);
    assert.equal(doc.port, sc.closeWait.port);
    const l = doc.listeners.find((x) => x.protocol === 'tcp')!;
    assert.ok(l, 'listener reported');
    assert.equal(l.process?.pid, sc.pid, 'owning pid');
    if (source !== 'procfs') assert.equal(typeof l.backlog, 'number');
    assert.ok(doc.recommendations.length > 0, 'at least one recommendation line');
    if (source !== 'auto') assert.equal(doc.source, source);
  });
}

test('analyze shows the accept queue against the backlog and names the owner', () => {
  const r = sockscope('analyze', '--port', String(sc.acceptQueue.port), '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = AnalyzeReportSchema.parse(JSON.parse(r.stdout));
  const l = doc.listeners[0];
  assert.equal(l.backlog, sc.acceptQueue.backlog);
  assert.equal(l.acceptQueue, sc.acceptQueue.pending);
  assert.equal(l.process?.pid, sc.acceptQueue.pid);
  const human = sockscope('analyze', '--port', String(sc.acceptQueue.port));
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`${sc.acceptQueue.pending}/${sc.acceptQueue.backlog}`));
  assert.match(human.stdout, /Recommendations/);
});

test('analyze names every process sharing a listener (the node child and the sleep it forked) and a listener held only by a helper', () => {
  const shared = AnalyzeReportSchema.parse(JSON.parse(sockscope('analyze', '--port', String(sc.shared.port), '--json').stdout));
  assert.deepEqual(
    shared.listeners.map((l) => l.processes.map((p) => p.pid)),
    [sc.shared.pids],
  );
  assert.deepEqual(
    shared.processes.map((p) => p.pid),
    sc.shared.pids,
  );
  const queue = AnalyzeReportSchema.parse(JSON.parse(sockscope('analyze', '--port', String(sc.acceptQueue.port), '--json').stdout));
  assert.deepEqual(
    queue.listeners.map((l) => l.processes.map((p) => p.pid)),
    [[sc.acceptQueue.pid]],
  );
});

test('analyze-states prints every state and one recommendation line, matching ss', () => {
  const r = sockscope('analyze-states', '--port', String(sc.timeWait.port));
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 12);
  assert.deepEqual(
    lines.slice(0, 3).map((l) => l.split(':')[0]),
    ['ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT'],
  );
  for (const l of lines.slice(0, 11)) assert.match(l, /^[A-Z_0-9]+: \d+ connections$/);
  assert.match(lines[11], /^Recommendation: .+/);
  const ref = ssStates(sc.timeWait.port);
  assert.ok(ref.TIME_WAIT >= 3);
  assert.match(r.stdout, new RegExp(`^TIME_WAIT: ${ref.TIME_WAIT} connections$`, 'm'));
  const j = sockscope('analyze-states', '--port', String(sc.timeWait.port), '--json');
  const doc = StatesReportSchema.parse(JSON.parse(j.stdout));
  assert.equal(doc.states.TIME_WAIT, ref.TIME_WAIT);
});

test('--peer-port counts this host\'s outgoing connections to a port', () => {
  const r = sockscope('analyze-states', '--peer-port', String(sc.closeWait.port), '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = StatesReportSchema.parse(JSON.parse(r.stdout));
  assert.equal(doc.states.FIN_WAIT2, 1, 'the half-closed client');
  assert.equal(doc.states.CLOSE_WAIT, 0, 'the server side is not outgoing');
});

test('bad input: exit 2 with one line naming the flag, no stack trace', () => {
  for (const [args, flag] of [
    [['analyze', '--port', '70000'], '--port'],
    [['analyze', '--port', 'abc'], '--port'],
    [['analyze-states', '--peer-port', '0'], '--peer-port'],
    [['analyze', '--frobnicate'], 'frobnicate'],
    [['analyze', '--source', 'magic'], 'source'],
  ] as const) {
    const r = sockscope(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.includes(flag), r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\bat .+:\d+:\d+/);
  }
});

test('--samples takes a series so history-based rules can run; bad values are exit 2', () => {
  const t0 = Date.now();
  const r = sockscope('analyze', '--port', String(sc.established.port), '--samples', '3', '--sample-interval', '200ms', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Date.now() - t0 >= 400, 'three samples 200 ms apart');
  AnalyzeReportSchema.parse(JSON.parse(r.stdout));
  for (const [flag, value] of [
    ['--samples', '0'],
    ['--samples', 'many'],
    ['--sample-interval', '5 fortnights'],
  ]) {
    const bad = sockscope('analyze-states', flag, value);
    assert.equal(bad.status, 2, `${flag} ${value}`);
    assert.ok(bad.stderr.includes(flag), bad.stderr);
  }
});

test('sockscope --json: one snapshot document with the scenario\'s ports, valid against its schema', async () => {
  const { SnapshotReportSchema } = await import('../../src/report/snapshot-report.js');
  const r = sockscope('--json', '--tcp');
  assert.equal(r.status, 0, r.stderr);
  const doc = SnapshotReportSchema.parse(JSON.parse(r.stdout));
  const cw = doc.ports.find((p) => p.protocol === 'tcp' && p.port === sc.closeWait.port)!;
  assert.ok(cw, 'the CLOSE_WAIT port is listed');
  assert.equal(cw.states.CLOSE_WAIT, 1);
  assert.equal(cw.listeners[0].processes[0].pid, sc.pid);
  assert.ok(doc.ports.every((p) => p.protocol === 'tcp'), '--tcp restricts the document');
  const one = SnapshotReportSchema.parse(JSON.parse(sockscope('--json', '--port', String(sc.listener.port)).stdout));
  assert.deepEqual(
    one.ports.map((p) => p.port),
    [sc.listener.port],
  );
});
