// send-q-persistent on a path that drops packets (review s18 #1). Measured (6.18, a namespace of its own):
// a server on 127.0.0.1:7062 reading everything, a client sending in bulk; after 1 s
// `nft add rule inet rv in tcp dport 7062 drop`; 4 s later the client's Send-Q is 2.47 MiB with
// timer:(on,...,4) backoff:4 and no persist timer. analyze --peer-port 7062 said both "send-q-persistent:
// ... the peer is not reading (Send-Q stays full)" (the 1 MiB path, no zero-window probes) and
// "socket-retransmitting: ... stuck retransmitting". The peer reads; the path drops: only the second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blackholedBulk, inNetns } from '../helpers/blackholed-bulk.js';

const NS = `sockscope-sqdrop-${process.pid}`;
const root = process.getuid?.() === 0;

const inNs = (args: string[]) => inNetns(NS, args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('send-q-persistent: a full Send-Q whose retransmission timer backs off (nft drop) is not "the peer is not reading"', { skip: root ? false : 'needs root (network namespace)', timeout: 60_000 }, async (t) => {
  await blackholedBulk(t, NS, 7062);
  // Wait for the retransmission timer to back off at least 3 times (socket-retransmitting's warning level).
  const deadline = Date.now() + 15_000;
  let ss = '';
  while (Date.now() < deadline) {
    ss = inNs(['ss', '-tnoiH', 'state', 'established', '( dport = :7062 )']);
    if (/timer:\(on,[^,]+,([3-9]|\d\d)\)/.test(ss)) break;
    await sleep(250);
  }
  assert.match(ss, /timer:\(on,[^,]+,([3-9]|\d\d)\)/, `the client backs off: ${ss}`);
  assert.doesNotMatch(ss, /persist/);
  const out = JSON.parse(inNs(['bin/sockscope', 'analyze', '--peer-port', '7062', '--samples', '3', '--sample-interval', '1s', '--json'])) as { recommendations: { id: string; message: string }[] };
  const ids = out.recommendations.map((r) => r.id);
  assert.ok(ids.includes('socket-retransmitting'), `socket-retransmitting fires: ${ids.join(', ')}`);
  const sq = out.recommendations.find((r) => r.id === 'send-q-persistent');
  assert.equal(sq, undefined, `no send-q-persistent for a retransmitting socket: ${sq?.message}`);
  assert.ok(!out.recommendations.some((r) => /peer is not reading/.test(r.message)), 'nothing says the peer is not reading');
});
