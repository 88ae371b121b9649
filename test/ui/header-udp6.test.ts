// review-udp #3: the monitor header's UDP error rates count IPv6 drops (Udp6, /proc/net/snmp6) with IPv4 ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ratesLine } from '../../src/ui/header-lines.js';
import { fakeSnapshot } from '../helpers/fake-snapshot.js';

test('ratesLine: 1200 IPv6 drops in 3 s read 400/s, not 0/s', () => {
  const h = [0, 1].map((i) =>
    fakeSnapshot({ time: 1_700_000_000_000 + i * 3000, snmp: { Tcp: { RetransSegs: 0, OutSegs: 0 }, Udp: { InErrors: 5, RcvbufErrors: 5 }, Udp6: { InErrors: i * 1200, RcvbufErrors: i * 1200 } } }),
  );
  assert.match(ratesLine(h), /UDP rcvbuf errors 400\/s {2}in-errors 400\/s$/);
  // IPv4 and IPv6 add up.
  const both = [0, 1].map((i) => fakeSnapshot({ time: 1_700_000_000_000 + i * 1000, snmp: { Udp: { InErrors: i * 10, RcvbufErrors: i * 10 }, Udp6: { InErrors: i * 5, RcvbufErrors: i * 5 } } }));
  assert.match(ratesLine(both), /UDP rcvbuf errors 15\/s/);
});
