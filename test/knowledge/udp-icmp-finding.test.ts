// icmp-report.ts udpIcmpFinding: the sentence for a UDP datagram an ICMP error ended, said by debug-connections --udp
// (datagram-diagnosis.ts) and by try sendto for a router's port unreachable (interpret-try.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { udpIcmpFinding } from '../../src/knowledge/icmp-report.js';
import { diagnoseDatagram } from '../../src/knowledge/datagram-diagnosis.js';

test('udpIcmpFinding: a router, the destination, this host; the same sentence diagnoseDatagram says', () => {
  const o = { address: '10.78.0.2', port: 7409, hostAddresses: ['10.77.0.1'] };
  const path = udpIcmpFinding({ version: 4, type: 3, code: 3, from: '10.77.0.254' }, '10.78.0.2:7409', o);
  assert.equal(path?.sender, 'path');
  assert.equal(path?.summary, '10.78.0.2:7409: an ICMP port unreachable (type 3 code 3) from 10.77.0.254 came back: 10.77.0.254 is a router or firewall on the way, not the server, so a REJECT rule there refuses the datagram before it arrives');
  assert.deepEqual(path?.steps, ['on 10.77.0.254: nft list ruleset | grep -n reject; iptables -S | grep REJECT   (the rule for udp port 7409)', 'traceroute -U -p 7409 10.78.0.2   (the path up to 10.77.0.254)']);
  const d = diagnoseDatagram({ ...o, timeoutMs: 1000, request: false, errno: 'ECONNREFUSED', icmp: { version: 4, type: 3, code: 3, from: '10.77.0.254' } });
  assert.deepEqual([d.summary, d.nextSteps], [path?.summary, path?.steps]);
  assert.equal(udpIcmpFinding({ version: 4, type: 3, code: 3, from: '10.78.0.2' }, '10.78.0.2:7409', o)?.sender, 'destination');
  assert.equal(udpIcmpFinding({ version: 4, type: 3, code: 3, from: '10.77.0.1' }, '10.78.0.2:7409', o)?.sender, 'this host');
  // This host's kernel for its own port nothing receives on: the errno's own wording (undefined).
  assert.equal(udpIcmpFinding({ version: 4, type: 3, code: 3, from: '127.0.0.1' }, '127.0.0.1:7409', { address: '127.0.0.1', port: 7409, hostAddresses: ['127.0.0.1'], udpSockets: [] }), undefined);
});
