// inspect-options as a user who cannot borrow the socket, with a source that carries no socket memory or
// tcp_info (procfs, netstat): the values netlink and ss show every user are said to need that source, not
// getsockopt. Real root-owned sockets, read through setpriv as a uid of this file's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { requireSetpriv, startSocketHolder } from '../helpers/socket-holder.js';

const UID = 61235;

interface JsonRow {
  name: string;
  value?: unknown;
  missing?: string;
  readBecause?: string;
}

test('--source procfs/netstat: SO_RCVBUF and TCP_CONGESTION need --source netlink or ss, TCP_NODELAY needs getsockopt', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root, to own a socket another uid cannot borrow');
  requireSetpriv();
  const h = await startSocketHolder();
  t.after(() => h.stop());
  const args = ['inspect-options', '--port', String(h.port), '--options', 'TCP_NODELAY,SO_RCVBUF,TCP_CONGESTION'];
  for (const source of ['procfs', 'netstat']) {
    const j = sockscope([...args, '--source', source, '--json'], { uid: UID });
    assert.equal(j.status, 0, j.stderr);
    const doc = JSON.parse(j.stdout);
    const rows = new Map<string, JsonRow>(doc.options.map((o: JsonRow) => [o.name, o]));
    assert.match(rows.get('TCP_NODELAY')!.missing!, /^needs getsockopt \(no visible process holds the socket\)$/, source);
    assert.match(rows.get('SO_RCVBUF')!.missing!, new RegExp(`^${source} carries no socket memory \\(skmem\\): --source netlink or ss shows it without privilege \\(getsockopt: no visible process holds the socket\\)$`));
    assert.match(rows.get('TCP_CONGESTION')!.missing!, new RegExp(`^${source} carries no tcp_info: --source netlink or ss shows it without privilege`));
    // The text form no longer folds the three into one "(all 3) needs getsockopt" line.
    const text = sockscope([...args, '--source', source], { uid: UID });
    assert.equal(text.status, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /^\(all 3\)/m);
    assert.match(text.stdout, /^SO_RCVBUF +- \(.*--source netlink or ss shows it without privilege/m);
    // Nothing was read, so nothing is judged (it said 'every value read is a default'), and the count line
    // tells the values this source lacks from those only getsockopt has.
    assert.match(text.stdout, /^Unusual: nothing to judge: no option value could be read/m);
    // 2 of 4: SO_RCVLOWAT is read along with SO_RCVBUF (its verdict depends on it), and only getsockopt has it.
    assert.match(text.stdout, /^SO_RCVLOWAT +- \(needs getsockopt /m);
    assert.equal(rows.get('SO_RCVLOWAT')!.readBecause, 'SO_RCVBUF');
    assert.match(text.stdout, /2 of 4 options need getsockopt on the socket itself and are unknown; 2 more are shown to every user by --source netlink or ss/);
    // The reason names who hides the owner (the shared count: other users' processes, not kernel threads).
    assert.match(text.stdout, /no visible process holds the socket: \d+ process(es)? of other users (is|are) hidden/);
  }
  // And the claim holds: netlink and ss read both without privilege.
  for (const source of ['netlink', 'ss']) {
    const r = sockscope([...args, '--source', source, '--json'], { uid: UID });
    assert.equal(r.status, 0, r.stderr);
    const rows = new Map<string, JsonRow>(JSON.parse(r.stdout).options.map((o: JsonRow) => [o.name, o]));
    assert.equal(typeof rows.get('SO_RCVBUF')!.value, 'number', source);
    assert.equal(typeof rows.get('TCP_CONGESTION')!.value, 'string', source);
  }
});
