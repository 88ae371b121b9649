// The engine: ordering, port filtering, thresholds, healthy lines, the one-line summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_RULES, DEFAULT_THRESHOLDS, HEALTH_CHECKS, THRESHOLD_DOCS, evaluateRules, healthyMessages, makeContext, summaryLine } from '../../src/advise/index.js';
import type { Rule } from '../../src/advise/rule.js';
import { fakeSnapshot, incoming, listener, proc } from '../helpers/fake-snapshot.js';

test('every rule has a stable kebab-case id, known thresholds, severities and a README summary', () => {
  const ids = new Set<string>();
  for (const r of ALL_RULES) {
    assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, r.id);
    assert.ok(!ids.has(r.id), `duplicate ${r.id}`);
    ids.add(r.id);
    assert.ok(r.severities.length > 0 && r.summary.length > 20);
    for (const t of r.thresholds) assert.ok(t in DEFAULT_THRESHOLDS, `${r.id}: unknown threshold ${t}`);
  }
  for (const h of HEALTH_CHECKS) assert.match(h.id, /-ok$/);
  assert.deepEqual(Object.keys(THRESHOLD_DOCS).sort(), Object.keys(DEFAULT_THRESHOLDS).sort());
});

test('an empty snapshot gives no findings and the summary says TIME_WAIT count is normal', () => {
  const ctx = makeContext({ snapshot: fakeSnapshot() });
  const recs = evaluateRules(ctx);
  assert.deepEqual(recs, []);
  assert.equal(summaryLine(recs, ctx), 'Recommendation: TIME_WAIT count is normal');
  const healthy = healthyMessages(ctx, recs);
  assert.deepEqual(healthy.map((h) => h.id), ['time-wait-ok', 'close-wait-ok']);
  assert.ok(healthy.every((h) => h.severity === 'info'));
});

test('findings are sorted worst first and filtered to --port / --peer-port, host findings kept', () => {
  const snap = fakeSnapshot({
    sockets: [
      listener('0.0.0.0:8080', 128, 0, [proc(100, 'web')]),
      ...incoming(150, '10.0.0.1:8080', 'CLOSE_WAIT', { processes: [proc(100, 'web', 9)] }),
      listener('0.0.0.0:9090', 4, 5, [proc(200, 'api')]),
      ...incoming(12, '10.0.0.1:9090', 'CLOSE_WAIT'),
    ],
  });
  const all = evaluateRules(makeContext({ snapshot: snap }));
  assert.deepEqual(
    all.map((r) => [r.id, r.severity, r.port]),
    // Within critical, the one further past its threshold first: 150 CLOSE_WAIT at 100 (1.5x) before an accept
    // queue of 5 over a backlog of 4 (full: backlog + 1 waiting, 1x at its threshold), not by id.
    [
      ['close-wait-accumulating', 'critical', 8080],
      ['accept-queue-full', 'critical', 9090],
      ['close-wait-accumulating', 'warning', 9090],
    ],
  );
  const only8080 = evaluateRules(makeContext({ snapshot: snap, port: 8080 }));
  assert.deepEqual(only8080.map((r) => r.port), [8080]);
  const none = evaluateRules(makeContext({ snapshot: snap, peerPort: 8080 }));
  assert.deepEqual(none, []);
  assert.match(summaryLine(all), /^Recommendation: 150 sockets in CLOSE_WAIT on tcp port 8080.*\(\+2 more\)$/);
});

test('config thresholds override the defaults by name', () => {
  const snap = fakeSnapshot({ sockets: [listener('0.0.0.0:80', 128), ...incoming(5, '10.0.0.1:80', 'CLOSE_WAIT')] });
  assert.equal(evaluateRules(makeContext({ snapshot: snap })).length, 0);
  const recs = evaluateRules(makeContext({ snapshot: snap, thresholds: { closeWaitCount: 5 } }));
  assert.deepEqual(recs.map((r) => r.id), ['close-wait-accumulating']);
  // A raw context without every threshold falls back to the defaults too.
  assert.equal(evaluateRules({ snapshot: snap, history: [snap], thresholds: {} }).length, 0);
});

test('a rule that throws becomes a rule-error info line instead of breaking the caller', () => {
  const bad: Rule = { id: 'boom', severities: ['warning'], scope: 'host', topic: 'x', summary: 'always throws for the test', thresholds: [], evaluate: () => { throw new Error('kaput'); } };
  const recs = evaluateRules(makeContext({ snapshot: fakeSnapshot() }), [bad]);
  assert.equal(recs[0].id, 'rule-error');
  assert.equal(recs[0].severity, 'info');
  assert.match(recs[0].evidence, /kaput/);
});

test('healthy lines describe the port in words with the numbers', () => {
  const snap = fakeSnapshot({ sockets: [listener('0.0.0.0:443', 511, 2, [proc(1, 'nginx')]), ...incoming(3, '10.0.0.1:443', 'TIME_WAIT'), ...incoming(40, '10.0.0.1:443', 'ESTABLISHED')] });
  const ctx = makeContext({ snapshot: snap, port: 443 });
  const recs = evaluateRules(ctx);
  assert.deepEqual(recs, []);
  const h = healthyMessages(ctx, recs);
  assert.deepEqual(h.map((x) => x.message), ['TIME_WAIT count is normal', 'CLOSE_WAIT count is normal', 'Accept queue is normal']);
  assert.match(h[0].evidence, /^3 TIME_WAIT sockets on port 443/);
  assert.match(h[2].evidence, /Recv-Q 2 of backlog 511/);
  assert.ok(h.every((x) => x.port === 443 && x.scope === 'port'));
});

test('rules are pure: a deeply frozen snapshot and history evaluate without mutation', () => {
  const freeze = <T,>(o: T): T => {
    if (o && typeof o === 'object' && !Object.isFrozen(o)) {
      Object.freeze(o);
      for (const v of Object.values(o as object)) freeze(v);
    }
    return o;
  };
  const mk = (i: number) =>
    fakeSnapshot({
      time: 1_700_000_000_000 + i * 10_000,
      sockets: [listener('0.0.0.0:8080', 4, 5, [proc(1, 'a')]), ...incoming(20 + i * 20, '10.0.0.1:8080', 'CLOSE_WAIT')],
      netstat: { TcpExt: { ListenOverflows: i * 10, ListenDrops: i * 10 } },
      snmp: { Tcp: { RetransSegs: i * 500, OutSegs: i * 5000 }, Udp: { InErrors: i, RcvbufErrors: i } },
      processLimits: { 1: { openFiles: 1000, maxOpenFiles: 1024, name: 'a' } },
    });
  const history = freeze([mk(0), mk(1), mk(2), mk(3)]);
  const recs = evaluateRules(makeContext({ snapshot: history[3], history }));
  assert.ok(recs.length >= 5, recs.map((r) => r.id).join(','));
  assert.ok(!recs.some((r) => r.id === 'rule-error'), JSON.stringify(recs.filter((r) => r.id === 'rule-error')));
});
