// analyze --port P is about what this host serves on P (product.md), even when P lies inside the
// ephemeral range and its listener has closed (gRPC's 50051): the rules group P's sockets as incoming for
// that context (factsOf(snap, ctx.port)), so a server's CLOSE_WAIT leak there is reported, and no healthy
// line says "normal" next to a count at or above its warning level. Real loopback sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSource } from '../../src/collect/index.js';
import { ephemeralRange } from '../../src/model/snapshot.js';
import { buildAnalyzeReport, buildStatesReport, recommendationsFor } from '../../src/report/analyze.js';
import { evaluateRules, healthyMessages, makeContext } from '../../src/advise/engine.js';
import { factsOf, windowEntry } from '../../src/advise/facts.js';
import { keepHistory } from '../../src/advise/history.js';
import { DEFAULT_HISTORY_WINDOW } from '../../src/model/history-window.js';
import { fakeSnapshot, incoming, listener, outgoingFrom, tcp } from '../helpers/fake-snapshot.js';
import { waitFor } from '../helpers/free-port.js';
import { acceptedPairs } from '../helpers/accepted-pairs.js';

test('analyze --port P inside the ephemeral range after its listener closed: close-wait-accumulating, never "normal" at 12 (buildAnalyzeReport and the built CLI)', { timeout: 90_000 }, async () => {
  // Port 0: the kernel picks the port from the ephemeral range (ip_local_port_range); accepted sockets never closed.
  const pairs = await acceptedPairs(0, 12, { allowHalfOpen: true });
  const { server, port, clients, clientPorts } = pairs;
  try {
    server.close(); // the listener goes away at once; the accepted sockets stay open
    for (const c of clients) c.end();
    const source = createSource('netlink');
    const snap = await waitFor(
      'the server side of 12 connections in CLOSE_WAIT, no listener',
      async () => {
        const s = await source.collect({ protocols: ['tcp'], processes: 'all' });
        const cw = s.sockets.filter((k) => k.local.port === port && k.state === 'CLOSE_WAIT' && clientPorts.includes(k.peer.port));
        return cw.length === 12 && !s.sockets.some((k) => k.local.port === port && k.state === 'LISTEN') ? s : undefined;
      },
      10_000,
      50,
    );
    const [lo, hi] = ephemeralRange(snap);
    assert.ok(port >= lo && port <= hi, `${port} inside the ephemeral range ${lo}-${hi}`);

    // Host-wide the rules group CLOSE_WAIT sockets sharing a local port with no listener inside the ephemeral
    // range under that port (facts.ts regroupClosedServerPorts), not one outgoing group per client port.
    assert.equal(factsOf(snap).groups.get(`in:tcp:${port}`)?.states.CLOSE_WAIT, 12);
    for (const cp of clientPorts) assert.equal(factsOf(snap).groups.get(`out:tcp:${cp}`)?.states.CLOSE_WAIT ?? 0, 0, `client port ${cp}`);
    // Scoped to the port, it is served: one incoming group with the 12.
    assert.equal(factsOf(snap, port).groups.get(`in:tcp:${port}`)?.states.CLOSE_WAIT, 12);
    assert.equal(factsOf(snap, port), factsOf(snap, port), 'cached per (snapshot, port)');

    const report = buildAnalyzeReport(snap, { port });
    const ids = report.recommendations.map((r) => r.id);
    const cw = report.recommendations.find((r) => r.id === 'close-wait-accumulating');
    assert.ok(cw, `close-wait-accumulating under --port ${port}: ${ids.join(', ')}`);
    assert.equal(cw.port, port);
    assert.equal(cw.pid, process.pid, 'names this process');
    assert.match(cw.message, new RegExp(`^12 sockets in CLOSE_WAIT on tcp port ${port}: node \\(pid ${process.pid}\\) does not close sockets after the peer closed`));
    assert.ok(!ids.includes('close-wait-ok'), 'no "normal" line next to the finding');

    const states = buildStatesReport(snap, { port });
    assert.match(states.recommendation, new RegExp(`^12 sockets in CLOSE_WAIT on tcp port ${port}`));

    // The built CLI, which collects on its own.
    const text = spawnSync('bin/sockscope', ['analyze', '--port', String(port)], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /close-wait-accumulating/, text.stdout);
    assert.doesNotMatch(text.stdout, /CLOSE_WAIT count is normal/, text.stdout);
    const st = spawnSync('bin/sockscope', ['analyze-states', '--port', String(port)], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(st.status, 0, st.stderr);
    const lines = st.stdout.trim().split('\n');
    assert.ok(lines.includes('CLOSE_WAIT: 12 connections'), st.stdout);
    assert.match(lines[lines.length - 1], new RegExp(`^Recommendation: 12 sockets in CLOSE_WAIT on tcp port ${port}: node \\(pid ${process.pid}\\) does not close sockets after the peer closed`), st.stdout);

    // Unscoped, the same finding on the server's port (it was 12 outgoing groups of 1 and "normal"), nothing on the clients' ports.
    const host = recommendationsFor(snap, {}).filter((r) => r.id === 'close-wait-accumulating');
    assert.ok(host.some((r) => r.port === port && r.message.startsWith(`12 sockets in CLOSE_WAIT on tcp port ${port}:`)), JSON.stringify(host));
    assert.ok(!host.some((r) => r.peerPort !== undefined && clientPorts.includes(r.peerPort)), JSON.stringify(host));
  } finally {
    pairs.destroy();
  }
});

test('close-wait-unsettled: at or above the warning level without a finding (not held for persistSamples) it is not "normal" (nor close-wait-ok)', () => {
  const at = (i: number, n: number) =>
    fakeSnapshot({ time: 1_700_000_000_000 + i * 1000, sockets: [listener('0.0.0.0:8080', 128), ...incoming(n, '10.0.0.1:8080', 'CLOSE_WAIT')] });
  const history = [at(0, 2), at(1, 3), at(2, 12)];
  const ctx = makeContext({ snapshot: history[2], history, port: 8080 });
  const recs = evaluateRules(ctx);
  assert.ok(!recs.some((r) => r.id === 'close-wait-accumulating'), 'the level did not hold 3 samples');
  assert.ok(!healthyMessages(ctx, recs).some((h) => h.id === 'close-wait-ok'));
  const ok = healthyMessages(ctx, recs).find((h) => h.id === 'close-wait-unsettled')!;
  assert.equal(ok.message, 'CLOSE_WAIT at the warning level on tcp port 8080 (12, warning at 10), not yet in 3 samples in a row');
  assert.equal(ok.evidence, '12 CLOSE_WAIT sockets on port 8080 (warning at 10 on one port or to one peer port); last 3 samples: 2 -> 3 -> 12');
  // Below the level: normal, with the count per port when the context spans several.
  const spread = fakeSnapshot({ sockets: [listener('0.0.0.0:8080', 128), listener('0.0.0.0:9090', 128), ...incoming(6, '10.0.0.1:8080', 'CLOSE_WAIT'), ...incoming(6, '10.0.0.1:9090', 'CLOSE_WAIT')] });
  const host = makeContext({ snapshot: spread });
  const hostOk = healthyMessages(host).find((h) => h.id === 'close-wait-ok')!;
  assert.equal(hostOk.message, 'CLOSE_WAIT count is normal');
  assert.equal(hostOk.evidence, '12 CLOSE_WAIT sockets on this host, at most 6 on tcp port 8080 (warning at 10 on one port or to one peer port)');
});

test('factsOf(snap, port): window entries regroup like whole snapshots (the monitor scoped to a port)', () => {
  const T0 = 1_700_000_000_000;
  // Port 45000 (inside 32768-60999), no listener: 3 * i CLOSE_WAIT from clients; this host's own
  // outgoing connections from other ephemeral ports; one from local port 45000 to a peer's 5432.
  const second = (i: number) =>
    fakeSnapshot({
      time: T0 + i * 1000,
      sockets: [
        ...Array.from({ length: 3 * i }, (_, k) => tcp('10.0.0.1:45000', `10.1.0.2:${50000 + k}`, 'CLOSE_WAIT')),
        ...outgoingFrom(40000, 5, '10.0.0.1', '10.9.9.9:5432', 'ESTABLISHED'),
        tcp('10.0.0.1:45000', '10.9.9.9:5432', 'ESTABLISHED'),
      ],
    });
  let kept: ReturnType<typeof second>[] = [];
  const whole: ReturnType<typeof second>[] = [];
  for (let i = 1; i <= 20; i++) {
    const snap = second(i);
    whole.push(snap);
    kept = keepHistory(kept, snap, DEFAULT_HISTORY_WINDOW);
  }
  const entry = kept[0];
  assert.notEqual(entry, whole.find((s) => s.time === entry.time), 'the oldest kept is a window entry');
  assert.equal(windowEntry(entry), entry);
  const full = whole.find((s) => s.time === entry.time)!;
  const counts = (f: ReturnType<typeof factsOf>) => [...f.groups].map(([k, g]) => [k, g.states]).sort();
  assert.deepEqual(counts(factsOf(entry, 45000)), counts(factsOf(full, 45000)));
  assert.equal(factsOf(entry, 45000).groups.get('out:tcp:5432')!.states.ESTABLISHED, 5, 'the socket from 45000 left the outgoing group');
  const snap = kept[kept.length - 1];
  const wholeHistory = whole.filter((s) => kept.some((k) => k.time === s.time));
  const scoped = (h: typeof kept) => evaluateRules(makeContext({ snapshot: snap, history: h, port: 45000 }));
  assert.deepEqual(scoped(kept), scoped(wholeHistory));
  assert.match(scoped(kept).find((r) => r.id === 'close-wait-accumulating')!.message, /^CLOSE_WAIT grew from \d+ to 60 in \d+ s on tcp port 45000/);
});

test('time-wait-unsettled and accept-queue-unsettled: a level reached now but not held is not "normal" (nor -ok)', () => {
  const at = (i: number, tw: number, q: number) =>
    fakeSnapshot({ time: 1_700_000_000_000 + i * 1000, sockets: [listener('0.0.0.0:8080', 16, q)], sockstat: { TCP: { inuse: 1, orphan: 0, tw } } });
  const history = [at(0, 10, 0), at(1, 10, 0), at(2, 250_000, 17)];
  const ctx = makeContext({ snapshot: history[2], history, port: 8080 });
  const recs = evaluateRules(ctx);
  assert.deepEqual(recs.filter((r) => r.severity !== 'info').map((r) => r.id), [], 'nothing held 3 samples');
  const ok = healthyMessages(ctx, recs);
  assert.deepEqual(ok.map((h) => h.id), ['time-wait-unsettled', 'close-wait-ok', 'accept-queue-unsettled']);
  assert.equal(ok.find((h) => h.id === 'time-wait-unsettled')!.message, 'Timewait entries at 95.4% of net.ipv4.tcp_max_tw_buckets (warning at 80%), not yet in 3 samples in a row');
  assert.equal(ok.find((h) => h.id === 'accept-queue-unsettled')!.message, 'Accept queue full on tcp 0.0.0.0:8080 (Recv-Q 17 of backlog 16), not yet in 3 samples in a row');
  const calm = makeContext({ snapshot: at(3, 10, 1), port: 8080 });
  assert.deepEqual(healthyMessages(calm).map((h) => h.message), ['TIME_WAIT count is normal', 'CLOSE_WAIT count is normal', 'Accept queue is normal']);
});
