// listen-overflows-rising's counters are the host's; under --port P the snapshot holds P's sockets only, so
// its evidence must not call P's listener the host's fullest (nor say "none now" on a port without one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Socket } from '../../src/model/socket.js';
import { fakeHistory, listener, proc } from '../helpers/fake-snapshot.js';

const overflow = (sockets: Socket[], port?: number) => {
  const h = fakeHistory(3, (i) => ({ netstat: { TcpExt: { ListenOverflows: 100 + 10 * i, ListenDrops: 100 + 10 * i } }, sockets }), 1_000);
  return evaluateRules(makeContext({ snapshot: h[2], history: h, port })).find((r) => r.id === 'listen-overflows-rising')!;
};

test('listen-overflows-rising under a port scope names that port\'s listeners as its own and says the others were not collected', () => {
  const idle = listener('127.0.0.1:47013', 64, 0, [proc(7, 'python3')]);
  const r = overflow([idle], 47013);
  assert.match(r.evidence, /; listeners on port 47013: 127\.0\.0\.1:47013 Recv-Q 0\/64; listeners on other ports were not collected \(--port 47013\): sockscope analyze without --port, or ss -ltn, names the fullest; net\.core\.somaxconn 4096$/);
  assert.doesNotMatch(r.evidence, /fullest listeners/);
  const none = overflow([], 47011);
  assert.match(none.evidence, /; no listener on port 47011; listeners on other ports were not collected \(--port 47011\)/);
  assert.doesNotMatch(none.evidence, /none now/);
  // A backlog the source cannot see is marked.
  const blind = overflow([listener('127.0.0.1:47013', 0, 0, [], { sendQUnknown: true })], 47013);
  assert.match(blind.evidence, /listeners on port 47013: 127\.0\.0\.1:47013 Recv-Q 0\/\? \(\? = backlog unknown with this source\); listeners on other ports/);
});

test('listen-overflows-rising: a snapshot that holds other ports\' listeners names the host\'s fullest, scope or not', () => {
  const sockets = [listener('127.0.0.1:47012', 1, 2), listener('127.0.0.1:47013', 64, 0)];
  assert.match(overflow(sockets).evidence, /fullest listeners: 127\.0\.0\.1:47012 Recv-Q 2\/1, 127\.0\.0\.1:47013 Recv-Q 0\/64;/);
  assert.match(overflow(sockets, 47013).evidence, /fullest listeners: 127\.0\.0\.1:47012 Recv-Q 2\/1, 127\.0\.0\.1:47013 Recv-Q 0\/64;/);
  assert.match(overflow([]).evidence, /fullest listeners: none now;/);
});
