// The three health lines that report a level reached now but not held for persistSamples samples
// (close-wait-unsettled, time-wait-unsettled, accept-queue-unsettled) end with one wording, built by notYetHeld (advise/rule.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, healthyMessages, makeContext } from '../../src/advise/engine.js';
import { notYetHeld } from '../../src/advise/rule.js';
import { fakeSnapshot, incoming, listener } from '../helpers/fake-snapshot.js';

test('notYetHeld: "not yet in N samples in a row", N the whole persistSamples', () => {
  const at = (persistSamples: number) => makeContext({ snapshot: fakeSnapshot({}), thresholds: { persistSamples } });
  assert.equal(notYetHeld(at(3)), 'not yet in 3 samples in a row');
  assert.equal(notYetHeld(at(5.7)), 'not yet in 5 samples in a row');
});

test('close-wait-unsettled, time-wait-unsettled and accept-queue-unsettled end with notYetHeld\'s wording (persistSamples 5)', () => {
  const at = (i: number, cw: number, tw: number, q: number) =>
    fakeSnapshot({
      time: 1_700_000_000_000 + i * 1000,
      sockets: [listener('0.0.0.0:8080', 16, q), ...incoming(cw, '10.0.0.1:8080', 'CLOSE_WAIT')],
      sockstat: { TCP: { inuse: 1, orphan: 0, tw } },
    });
  const history = [at(0, 0, 10, 0), at(1, 2, 10, 0), at(2, 12, 250_000, 17)];
  const ctx = makeContext({ snapshot: history[2]!, history, port: 8080, thresholds: { persistSamples: 5 } });
  const ok = healthyMessages(ctx, evaluateRules(ctx));
  const message = (id: string) => ok.find((h) => h.id === id)!.message;
  assert.equal(message('close-wait-unsettled'), 'CLOSE_WAIT at the warning level on tcp port 8080 (12, warning at 10), not yet in 5 samples in a row');
  assert.equal(message('time-wait-unsettled'), 'Timewait entries at 95.4% of net.ipv4.tcp_max_tw_buckets (warning at 80%), not yet in 5 samples in a row');
  assert.equal(message('accept-queue-unsettled'), 'Accept queue full on tcp 0.0.0.0:8080 (Recv-Q 17 of backlog 16), not yet in 5 samples in a row');
});
