// The REJECT rule a TCP connect's ICMP error names follows the error's code: ICMP type 3 code 10 (host
// administratively prohibited) is what iptables --reject-with icmp-host-prohibited and nft reject with icmp
// host-prohibited send; code 13 is icmp-admin-prohibited / icmpx admin-prohibited; ICMPv6 type 1 code 1 is
// icmp6-adm-prohibited / icmpx admin-prohibited. One wording for every admin-prohibited code named icmpx
// admin-prohibited for code 10, which no such rule sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcpIcmpFinding } from '../../src/knowledge/icmp-report.js';

const said = (version: 4 | 6, code: number) => {
  const dest = version === 4 ? '10.78.0.2' : 'fd78::2';
  const f = tcpIcmpFinding({ version, type: version === 4 ? 3 : 1, code, from: dest }, version === 4 ? '10.78.0.2:80' : '[fd78::2]:80', dest);
  assert.ok(f, `${version}/${code}`);
  return f.summary;
};

test('each administratively prohibited code names the rules that send it, and only those', () => {
  const cases: [4 | 6, number, string, RegExp][] = [
    [4, 9, 'a REJECT rule with net-prohibited (nft reject with icmp net-prohibited, iptables --reject-with icmp-net-prohibited)', /host-prohibited|admin-prohibited/],
    [4, 10, 'a REJECT rule with host-prohibited (nft reject with icmp host-prohibited, iptables --reject-with icmp-host-prohibited)', /admin-prohibited|icmpx/],
    [4, 13, 'a REJECT rule with admin-prohibited (nft reject with icmp admin-prohibited or icmpx admin-prohibited, iptables --reject-with icmp-admin-prohibited)', /host-prohibited/],
    [6, 1, 'a REJECT rule with admin-prohibited (nft reject with icmpv6 admin-prohibited or icmpx admin-prohibited, ip6tables --reject-with icmp6-adm-prohibited)', /policy-fail|reject-route/],
    [6, 5, 'a REJECT rule with policy-fail (nft reject with icmpv6 policy-fail, ip6tables --reject-with icmp6-policy-fail)', /admin-prohibited|icmpx/],
    [6, 6, 'a REJECT rule with reject-route (nft reject with icmpv6 reject-route, ip6tables --reject-with icmp6-reject-route)', /admin-prohibited|icmpx/],
  ];
  for (const [v, code, rule, not] of cases) {
    const s = said(v, code);
    assert.ok(s.includes(`: ${rule} on `), `${v}/${code}: ${s}`);
    assert.doesNotMatch(s.slice(s.indexOf(': a REJECT')), not, `${v}/${code}: ${s}`);
  }
  assert.match(said(4, 10), /^10\.78\.0\.2:80 was refused with an ICMP host administratively prohibited \(type 3 code 10\) from 10\.78\.0\.2: /);
});
