// The option reference: Linux numbers checked against the system headers, lookups, suggestions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOCKET_OPTIONS, LINUX_LEVELS, describeOption, findOption, findOptionByNumber, suggestOptions, UnknownOptionError } from '../../src/knowledge/socket-options.js';

const ISSUE_LIST = `SO_TYPE SO_DOMAIN SO_PROTOCOL SO_ACCEPTCONN SO_ERROR SO_REUSEADDR SO_REUSEPORT SO_KEEPALIVE SO_SNDBUF SO_RCVBUF
SO_RCVLOWAT SO_SNDLOWAT SO_LINGER SO_RCVTIMEO SO_SNDTIMEO SO_BROADCAST SO_BINDTODEVICE SO_MARK SO_PRIORITY SO_INCOMING_CPU
SO_BUSY_POLL TCP_NODELAY TCP_CORK TCP_QUICKACK TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT TCP_MAXSEG TCP_USER_TIMEOUT
TCP_CONGESTION TCP_FASTOPEN TCP_DEFER_ACCEPT TCP_NOTSENT_LOWAT TCP_WINDOW_CLAMP TCP_INFO IP_TOS IP_TTL IPV6_V6ONLY
IP_FREEBIND IP_TRANSPARENT`.split(/\s+/);

test('every option of issue 6 is in the table, once', () => {
  assert.deepEqual([...SOCKET_OPTIONS.map((o) => o.name)].sort(), [...ISSUE_LIST].sort());
});

test('levels, optnames and struct sizes match this system\'s headers (gcc)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-opts-'));
  try {
    const src = [
      '#define _GNU_SOURCE',
      '#include <stdio.h>',
      '#include <sys/socket.h>',
      '#include <netinet/in.h>',
      '#include <netinet/tcp.h>',
      '#include <sys/time.h>',
      'int main(void) {',
      ...Object.keys(LINUX_LEVELS).map((l) => `  printf("%s %d\\n", "${l}", ${l});`),
      ...SOCKET_OPTIONS.map((o) => `  printf("%s %d\\n", "${o.name}", ${o.name});`),
      '  printf("linger %zu\\ntimeval %zu\\ntcp_info %zu\\n", sizeof(struct linger), sizeof(struct timeval), sizeof(struct tcp_info));',
      '  return 0;',
      '}',
    ].join('\n');
    writeFileSync(join(dir, 'o.c'), src);
    execFileSync('gcc', ['-o', join(dir, 'o'), join(dir, 'o.c')], { timeout: 60_000 });
    const live = new Map(execFileSync(join(dir, 'o'), { encoding: 'utf8', timeout: 10_000 }).trim().split('\n').map((l) => l.split(' ') as [string, string]));
    for (const [l, v] of Object.entries(LINUX_LEVELS)) assert.equal(Number(live.get(l)), v, l);
    for (const o of SOCKET_OPTIONS) {
      assert.equal(Number(live.get(o.name)), o.linux, o.name);
      if (o.type === 'linger' || o.type === 'timeval' || o.type === 'tcp_info') assert.equal(Number(live.get(o.type)), o.size, `${o.name} size`);
      if (o.type === 'int' || o.type === 'bool') assert.equal(o.size, 4, o.name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the kernel accepts each option at its level with the declared size, and fresh-socket defaults match', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-optread-'));
  try {
    const lines = SOCKET_OPTIONS.map((o) => {
      const fd = o.level === 'IPPROTO_IPV6' ? 'fd6' : 'fd4';
      return `  { unsigned char b[512]; memset(b, 0, sizeof b); socklen_t len = ${o.size}; int r = getsockopt(${fd}, ${o.level === 'SOL_SOCKET' ? 'SOL_SOCKET' : o.level}, ${o.name}, b, &len); int v; memcpy(&v, b, sizeof v); printf("%s %d %u %d\\n", "${o.name}", r == 0 ? 0 : errno, (unsigned)len, v); }`;
    });
    const src = [
      '#define _GNU_SOURCE',
      '#include <stdio.h>',
      '#include <string.h>',
      '#include <errno.h>',
      '#include <sys/socket.h>',
      '#include <netinet/in.h>',
      '#include <netinet/tcp.h>',
      'int main(void) {',
      '  int fd4 = socket(AF_INET, SOCK_STREAM, 0);',
      '  int fd6 = socket(AF_INET6, SOCK_STREAM, 0);',
      '  if (fd4 < 0) return 1;',
      '  if (fd6 < 0) { fd6 = fd4; printf("NOV6 0 0 0\\n"); }',
      ...lines,
      '  return 0;',
      '}',
    ].join('\n');
    writeFileSync(join(dir, 'r.c'), src);
    execFileSync('gcc', ['-o', join(dir, 'r'), join(dir, 'r.c')], { timeout: 60_000 });
    const rows = new Map(execFileSync(join(dir, 'r'), { encoding: 'utf8', timeout: 10_000 }).trim().split('\n').map((l) => {
      const [name, err, len, v] = l.split(' ');
      return [name, { err: Number(err), len: Number(len), v: Number(v) }];
    }));
    const noV6 = rows.has('NOV6'); // a kernel without IPv6: IPV6_V6ONLY cannot be read
    for (const o of SOCKET_OPTIONS) {
      if (noV6 && o.level === 'IPPROTO_IPV6') continue;
      const r = rows.get(o.name)!;
      assert.equal(r.err, 0, `${o.name}: getsockopt errno ${r.err}`);
      if (o.type === 'string') assert.ok(r.len <= o.size, `${o.name} len ${r.len}`);
      else assert.equal(r.len, o.size, `${o.name} optlen`);
    }
    // defaults the table states for a fresh TCP socket
    for (const [name, v] of Object.entries({ SO_REUSEADDR: 0, SO_REUSEPORT: 0, SO_KEEPALIVE: 0, TCP_NODELAY: 0, TCP_CORK: 0, SO_RCVLOWAT: 1, SO_SNDLOWAT: 1, SO_ACCEPTCONN: 0, SO_ERROR: 0, SO_TYPE: 1, SO_DOMAIN: 2, SO_PROTOCOL: 6, SO_MARK: 0, SO_PRIORITY: 0, SO_INCOMING_CPU: -1, TCP_DEFER_ACCEPT: 0, TCP_USER_TIMEOUT: 0, IP_FREEBIND: 0, IP_TRANSPARENT: 0, SO_BROADCAST: 0 }))
      assert.equal(rows.get(name)!.v, v, `${name} default`);
    const sysctl = (p: string) => Number(readFileSync(`/proc/sys/${p}`, 'utf8').trim().split(/\s+/)[0]);
    assert.equal(rows.get('TCP_KEEPIDLE')!.v, sysctl('net/ipv4/tcp_keepalive_time'));
    assert.equal(rows.get('TCP_KEEPINTVL')!.v, sysctl('net/ipv4/tcp_keepalive_intvl'));
    assert.equal(rows.get('TCP_KEEPCNT')!.v, sysctl('net/ipv4/tcp_keepalive_probes'));
    assert.equal(rows.get('IP_TTL')!.v, sysctl('net/ipv4/ip_default_ttl'));
    if (!noV6) assert.equal(rows.get('IPV6_V6ONLY')!.v, sysctl('net/ipv6/bindv6only'));
    assert.equal(rows.get('SO_RCVBUF')!.v, Number(readFileSync('/proc/sys/net/ipv4/tcp_rmem', 'utf8').trim().split(/\s+/)[1]));
    assert.equal(rows.get('SO_SNDBUF')!.v, Number(readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/)[1]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every entry has prose, a default and the three other platforms', () => {
  for (const o of SOCKET_OPTIONS) {
    assert.ok(o.summary.length > 20 && o.details.length > 20 && o.default.length > 0, o.name);
    for (const p of ['freebsd', 'macos', 'windows'] as const) {
      const f = o.platforms[p];
      assert.ok(f.name !== undefined, `${o.name} ${p}`);
      if (f.name === null) assert.ok(f.note, `${o.name} ${p}: no equivalent needs a note`);
    }
  }
});

test('the platform differences the reference promises are there', () => {
  assert.match(describeOption('SO_REUSEADDR').platforms.windows.note!, /SO_EXCLUSIVEADDRUSE/);
  assert.match(describeOption('SO_REUSEPORT').platforms.freebsd.note!, /not load-balance|SO_REUSEPORT_LB/);
  assert.equal(describeOption('TCP_CORK').platforms.macos.name, 'TCP_NOPUSH');
  assert.match(describeOption('IPV6_V6ONLY').platforms.windows.note!, /Default ON/);
  assert.match(describeOption('SO_RCVBUF').details, /DOUBLES/);
  assert.match(describeOption('SO_SNDBUF').details, /wmem_max/);
  assert.equal(describeOption('SO_REUSEADDR').platforms.windows.value, 4);
  assert.equal(describeOption('SO_RCVBUF').platforms.macos.value, 0x1002);
});

test('lookups: any case, dashes, prefix-less names, aliases, by number', () => {
  assert.equal(describeOption('so_rcvbuf').name, 'SO_RCVBUF');
  assert.equal(describeOption('tcp-nodelay').name, 'TCP_NODELAY');
  assert.equal(describeOption('NODELAY').name, 'TCP_NODELAY');
  assert.equal(describeOption('TCP_NOPUSH').name, 'TCP_CORK');
  assert.equal(describeOption('SO_EXCLUSIVEADDRUSE').name, 'SO_REUSEADDR');
  assert.equal(findOption('SO_NOPE'), undefined);
  assert.equal(findOptionByNumber('IPPROTO_TCP', 1)?.name, 'TCP_NODELAY');
  assert.equal(findOptionByNumber('SOL_SOCKET', 15)?.name, 'SO_REUSEPORT');
});

test('unknown option: UnknownOptionError naming it, with suggestions', () => {
  assert.throws(() => describeOption('SO_REUSEADR'), (e: unknown) => e instanceof UnknownOptionError && /SO_REUSEADR/.test(e.message) && /SO_REUSEADDR/.test(e.message));
  assert.deepEqual(suggestOptions('TCP_NODELY'), ['TCP_NODELAY']);
});
