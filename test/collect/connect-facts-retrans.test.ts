// summarizeExisting's retransNow (debug-connections' "the sockets retrying now have resent N times") sums the
// retransmit timer's count of sockets whose source has no tcp_info. A keepalive or zero-window probe timer counts
// unanswered probes (procfs, netstat -o, ss and netlink all give icsk_probes_out for them): not retransmits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { summarizeExisting } from '../../src/collect/connect-facts.js';
import { parseProcNet } from '../../src/parse/procfs-net.js';

const fx = (name: string): string => readFileSync(new URL(`../fixtures/procfs/${name}`, import.meta.url), 'utf8');

test('probes of a keepalive or persist timer are not counted as retransmits being resent now', () => {
  // The capture of test/parse/procfs: a keepalive client to 127.0.0.1:60755 (5 unanswered probes) and a sender to
  // 127.0.0.1:40559 with a zero-window persist timer (3 probes); retrnsmt 0 on both.
  const sockets = parseProcNet(fx('timer-probes-tcp.txt'), 'tcp');
  for (const [port, timer] of [[60755, 'keepalive'], [40559, 'persist']] as const) {
    const e = summarizeExisting(sockets, '127.0.0.1', port);
    assert.deepEqual([e.total, e.states, e.retransUnknown, e.retransNow], [1, { ESTABLISHED: 1 }, 1, 0], timer);
  }
  // The retransmit timer's count is kept: a SYN_SENT socket whose SYN was resent twice.
  const synSent = parseProcNet('  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:D000 0100007F:1F90 02 00000001:00000000 01:00000190 00000002     0        0 1234 2 0000000000000000 400 0 0 10 -1\n', 'tcp');
  assert.equal(summarizeExisting(synSent, '127.0.0.1', 8080).retransNow, 2);
});
