// A connect to an address of this host rejected by a REJECT rule here named the rule by one wording for every code
// ("nft `reject with icmpx admin-prohibited`, iptables --reject-with icmp-host-prohibited, icmp-admin-prohibited or
// icmp-host-unreachable"), though the ICMP error read from the socket says which: code 10 is icmp host-prohibited,
// code 13 icmp(x) admin-prohibited (as README says, and as the report already said for another host). A namespace of
// this test with an nft input chain on its loopback; needs root (as CI) and nftables.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const NS = `icmplocal-${process.pid % 100000}`;

before(() => {
  createNetns(NS);
  const r = spawnSync('ip', ['netns', 'exec', NS, 'nft', '-f', '-'], {
    encoding: 'utf8',
    input: 'table inet t {\n chain input {\n  type filter hook input priority 0;\n  tcp dport 9201 reject with icmp host-prohibited\n  tcp dport 9202 reject with icmpx admin-prohibited\n }\n}\n',
  });
  assert.equal(r.error, undefined, 'nft (nftables) is required');
  assert.equal(r.status, 0, r.stderr);
});
after(() => deleteNetns(NS));

for (const [port, code, rule, not] of [
  [9201, 10, /nft reject with icmp host-prohibited, iptables --reject-with icmp-host-prohibited/, /admin-prohibited \(|icmpx admin-prohibited/],
  [9202, 13, /nft reject with icmp admin-prohibited or icmpx admin-prohibited, iptables --reject-with icmp-admin-prohibited/, /host-prohibited/],
] as const) {
  test(`127.0.0.1:${port} rejected here with ICMP code ${code}: the rule that sends code ${code} is named`, { timeout: 60_000 }, () => {
    for (const args of [['try', 'connect', `127.0.0.1:${port}`, '--timeout', '2s'], ['debug-connections', '--address', `127.0.0.1:${port}`, '--timeout', '2s']]) {
      const r = sockscope(args, { netns: NS });
      assert.match(r.stdout, new RegExp(`\\(type 3 code ${code}\\) from 127\\.0\\.0\\.1`), r.stdout);
      assert.match(r.stdout, rule, r.stdout);
      assert.doesNotMatch(r.stdout, not, r.stdout);
    }
  });
}
