// inspect-options as nobody on root's [::] listeners: IPV6_V6ONLY is in what sock_diag shows every user
// (INET_DIAG_SKV6ONLY; `ss -tlne` prints v6only:0/1 unprivileged), so it is read from there, not "needs getsockopt".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { nobodySkip } from '../helpers/unprivileged.js';

interface JsonRow {
  name: string;
  value?: unknown;
  source?: string;
  missing?: string;
}

const listen = (ipv6Only: boolean) =>
  new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    // libuv sets IPV6_V6ONLY to 1 or 0 explicitly on an AF_INET6 bind.
    s.listen({ host: '::', port: 0, ipv6Only }, () => resolve(s));
  });

test('inspect-options without privilege: IPV6_V6ONLY of [::] listeners (0 and 1) from what the kernel shows every user', { skip: nobodySkip, timeout: 120_000 }, async (t) => {
  const dual = await listen(false);
  const only = await listen(true);
  t.after(() => {
    dual.close();
    only.close();
  });
  const cases: [net.Server, boolean][] = [[dual, false], [only, true]];
  for (const source of ['netlink', 'ss']) {
    for (const [srv, want] of cases) {
      const port = (srv.address() as net.AddressInfo).port;
      const args = ['inspect-options', '--port', String(port), '--options', 'IPV6_V6ONLY,TCP_NODELAY', '--source', source];
      const j = sockscope([...args, '--json'], { uid: 65534 });
      assert.equal(j.status, 0, j.stderr);
      const rows = new Map<string, JsonRow>(JSON.parse(j.stdout).options.map((o: JsonRow) => [o.name, o]));
      const v6 = rows.get('IPV6_V6ONLY')!;
      assert.equal(v6.value, want, `${source} port ${port}: ${JSON.stringify(v6)}`);
      assert.match(v6.source!, new RegExp(`^${source} v6only:${want ? 1 : 0}`), source);
      assert.match(rows.get('TCP_NODELAY')!.missing!, /^needs getsockopt/, 'only getsockopt has TCP_NODELAY');
      const text = sockscope(args, { uid: 65534 });
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^IPV6_V6ONLY +${want ? 'on \\(1\\)' : 'off \\(0\\)'} +\\[${source} v6only:${want ? 1 : 0}\\]`, 'm'), text.stdout);
      assert.match(text.stdout, /1 comes from what the kernel shows to every user/);
    }
  }
  // procfs does not carry it: that source is named as the one lacking it, not getsockopt alone.
  const port = (dual.address() as net.AddressInfo).port;
  const p = sockscope(['inspect-options', '--port', String(port), '--options', 'IPV6_V6ONLY', '--source', 'procfs', '--json'], { uid: 65534 });
  assert.equal(p.status, 0, p.stderr);
  assert.match(JSON.parse(p.stdout).options[0].missing, /^procfs carries no v6only: --source netlink or ss shows it without privilege/);
});
