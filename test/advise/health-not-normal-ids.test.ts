// A health line whose state is not normal no longer carries the "-ok" id that tells scripts reading --json
// all is well. With --source procfs / netstat (no backlog visible) a listener with connections waiting for
// accept() was "[INFO] accept-queue-ok: Accept queue: backlog unknown with this source (2 waiting) ...";
// a full accept queue or a CLOSE_WAIT count at the warning level not yet held for persistSamples samples
// was accept-queue-ok / close-wait-ok too. Now: accept-queue-unknown, accept-queue-unsettled,
// close-wait-unsettled (time-wait-unsettled: test/advise/not-yet-held); "-ok" only for "normal". The exporter
// publishes findings only: none of a health check's lines becomes a sockscope_recommendation series
// (SocketMetrics drops them; its server passes findings alone).
// Real sockets on loopback, held by a python3 process driven over stdin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSource } from '../../src/collect/index.js';
import { ProcfsSource } from '../../src/collect/procfs.js';
import { recommendationsFor } from '../../src/report/analyze.js';
import { AnalyzeReportSchema, StatesReportSchema } from '../../src/report/schema.js';
import { SocketMetrics } from '../../src/export/metrics.js';
import { HEALTH_CHECKS } from '../../src/advise/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { waitFor } from '../helpers/free-port.js';

const CLI = fileURLToPath(new URL('../../bin/sockscope', import.meta.url));

// A listener with the backlog of argv[1] on port argv[2] (0: any); stdin lines: "connect N" (N clients, never accepted), "closewait N"
// (N connections accepted and kept, their clients closed: CLOSE_WAIT here). Prints {pid, port}, then "ok" per line.
const HOLDER = String.raw`
import json, os, socket, sys, threading
threading.Timer(60, lambda: os._exit(0)).start()
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.bind(('127.0.0.1', int(sys.argv[2]))); ls.listen(int(sys.argv[1]))
port = ls.getsockname()[1]
keep = []
print(json.dumps({'pid': os.getpid(), 'port': port}), flush=True)
for line in sys.stdin:
    cmd, n = line.split()
    for _ in range(int(n)):
        c = socket.create_connection(('127.0.0.1', port))
        if cmd == 'closewait':
            keep.append(ls.accept()[0])
            c.close()
        else:
            keep.append(c)
    print('ok', flush=True)
os._exit(0)
`;

interface Holder {
  pid: number;
  port: number;
  send(line: string): Promise<void>;
}

async function holder(t: { after: (fn: () => void) => void }, backlog: number, port = 0): Promise<Holder> {
  const child: ChildProcess = spawn('python3', ['-c', HOLDER, String(backlog), String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('python3 holder did not answer in 10 s')), 10_000);
      lines.once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  const first = JSON.parse(await next()) as { pid: number; port: number };
  return {
    ...first,
    async send(line) {
      const answer = next();
      child.stdin!.write(`${line}\n`);
      assert.equal(await answer, 'ok');
    },
  };
}

const source = createSource('auto');
const collectPort = (port: number) => source.collect({ port, protocols: ['tcp'], processes: 'all', details: true });
const accepting = <R extends { id: string }>(recs: readonly R[]): R[] => recs.filter((r) => r.id.startsWith('accept-queue'));

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('procfs / netstat (backlog unseen), connections waiting: accept-queue-unknown, not accept-queue-ok (analyze and analyze-states, text and --json)', { timeout: 120_000 }, async (t) => {
  const h = await holder(t, 8);
  await h.send('connect 2');
  const procfs = new ProcfsSource();
  const snap = await waitFor('2 connections waiting', async () => {
    const s = await procfs.collect({ port: h.port, protocols: ['tcp'], processes: 'all' });
    return s.sockets.some((x) => x.local.port === h.port && x.state === 'LISTEN' && x.recvQ >= 2) ? s : undefined;
  });
  const recs = recommendationsFor(snap, { port: h.port });
  assert.deepEqual(
    accepting(recs).map((r) => [r.id, r.severity, r.message]),
    [['accept-queue-unknown', 'info', 'Accept queue: backlog unknown with this source (2 waiting); use --source netlink or ss']],
  );
  for (const src of ['procfs', 'netstat']) {
    const json = AnalyzeReportSchema.parse(JSON.parse(cli(['analyze', '--port', String(h.port), '--source', src, '--json'])));
    assert.deepEqual(accepting(json.recommendations).map((r) => r.id), ['accept-queue-unknown'], src);
    assert.match(cli(['analyze', '--port', String(h.port), '--source', src]), /^ {2}\[INFO\] accept-queue-unknown: Accept queue: backlog unknown with this source \(2 waiting\)/m, src);
    const states = StatesReportSchema.parse(JSON.parse(cli(['analyze-states', '--port', String(h.port), '--source', src, '--json'])));
    assert.deepEqual(accepting(states.recommendations).map((r) => r.id), ['accept-queue-unknown'], src);
  }
  // The backlog seen (netlink): not full (2 of 8), normal: the one state that keeps "-ok".
  const seen = recommendationsFor(await collectPort(h.port), { port: h.port });
  assert.deepEqual(accepting(seen).map((r) => [r.id, r.message]), [['accept-queue-ok', 'Accept queue is normal']]);
});

test('a full accept queue and a CLOSE_WAIT level not yet held for persistSamples: accept-queue-unsettled, close-wait-unsettled', { timeout: 60_000 }, async (t) => {
  const h = await holder(t, 1);
  const history: Snapshot[] = [await collectPort(h.port), await collectPort(h.port)];
  await h.send('closewait 12');
  await h.send('connect 2');
  history.push(
    await waitFor('12 CLOSE_WAIT and a full queue', async () => {
      const s = await collectPort(h.port);
      const cw = s.sockets.filter((x) => x.local.port === h.port && x.state === 'CLOSE_WAIT').length;
      return cw >= 12 && s.sockets.some((x) => x.local.port === h.port && x.state === 'LISTEN' && x.recvQ >= 2) ? s : undefined;
    }),
  );
  const recs = recommendationsFor(history[2]!, { port: h.port }, history);
  assert.deepEqual(recs.filter((r) => r.severity !== 'info').map((r) => r.id), [], 'nothing held 3 samples');
  const aq = recs.find((r) => r.id.startsWith('accept-queue'))!;
  assert.equal(aq.id, 'accept-queue-unsettled');
  assert.equal(aq.message, `Accept queue full on tcp 127.0.0.1:${h.port} (Recv-Q 2 of backlog 1), not yet in 3 samples in a row`);
  const cw = recs.find((r) => r.id.startsWith('close-wait'))!;
  assert.equal(cw.id, 'close-wait-unsettled');
  assert.equal(cw.message, `CLOSE_WAIT at the warning level on tcp port ${h.port} (12, warning at 10), not yet in 3 samples in a row`);
  assert.equal(recs.find((r) => r.id.startsWith('time-wait'))!.id, 'time-wait-ok');
  // Every id a health check gives is listed on it (the README lists them from there).
  const ids = HEALTH_CHECKS.flatMap((c) => [c.id, ...(c.otherIds ?? [])]);
  for (const r of recs.filter((x) => x.severity === 'info')) assert.ok(ids.includes(r.id), r.id);
});

// The exporter's server passes metrics.update evaluateRules' findings only, so no health line reaches /metrics
// from it (a scrape could not tell the filter from that): what is checked is SocketMetrics itself, fed health
// lines next to a finding, as a library caller with recommendationsFor's output would.
test('SocketMetrics publishes no health line: neither accept-queue-unknown nor the unsettled ones, fed with findings', { timeout: 60_000 }, async (t) => {
  const h = await holder(t, 1);
  const empty = await collectPort(h.port);
  await h.send('connect 2');
  await waitFor('2 connections waiting', async () => ((await collectPort(h.port)).sockets.some((x) => x.local.port === h.port && x.state === 'LISTEN' && x.recvQ >= 2) ? true : undefined));
  // Fed findings and health lines together (recommendationsFor), the gauge still counts findings only.
  const snap = await new ProcfsSource().collect({ port: h.port, protocols: ['tcp'], processes: 'all' });
  const netlink = await collectPort(h.port);
  const m = new SocketMetrics();
  const lines = [...recommendationsFor(snap, { port: h.port }), ...recommendationsFor(netlink, { port: h.port }, [empty, empty, netlink]), ...recommendationsFor(netlink, { port: h.port })];
  for (const id of ['accept-queue-unknown', 'accept-queue-unsettled', 'accept-queue-full']) assert.ok(lines.some((r) => r.id === id), `${id}: ${JSON.stringify(lines.map((r) => r.id))}`);
  m.update(netlink, lines);
  const series = (await m.text()).split('\n').filter((l) => l.startsWith('sockscope_recommendation{'));
  for (const id of HEALTH_CHECKS.flatMap((c) => [c.id, ...(c.otherIds ?? [])])) assert.ok(!series.some((l) => l.includes(`id="${id}"`)), `${id}: ${series.join('\n')}`);
  assert.ok(series.some((l) => l.includes('id="accept-queue-full"')), series.join('\n'));
});
