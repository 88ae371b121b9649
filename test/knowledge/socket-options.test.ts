// The option reference: Linux numbers checked against the system headers, lookups, suggestions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOCKET_OPTIONS, LINUX_LEVELS, describeOption, findOption, findOptionByNumber, suggestOptions, UnknownOptionError, matchOption, foreignNameNote, FOREIGN_OPTION_NAMES, SOCKET_OPTION_NAMES } from '../../src/knowledge/socket-options.js';

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
      ...SOCKET_OPTIONS.filter((o) => o.ipv6).map((o) => `  printf("%s %d\\n", "${o.ipv6!.name}", ${o.ipv6!.name});`),
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
      if (o.ipv6) assert.equal(Number(live.get(o.ipv6.name)), o.ipv6.linux, `${o.name}'s IPv6 twin ${o.ipv6.name}`);
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

// Every name the table gives for another platform: the `platforms` fields and every option-like name its notes print.
const OPTION_LIKE = /\b(?:SO|TCP|IPV6|IP|UDP|SIO)_[A-Z0-9_]*[A-Z0-9]\b/g;
const LABEL = { freebsd: 'FreeBSD', macos: 'macOS', windows: 'Windows' } as const;

test('every platform-specific name the table prints resolves to the entry that prints it, saying whose name it is', () => {
  let checked = 0;
  for (const o of SOCKET_OPTIONS) {
    for (const p of ['freebsd', 'macos', 'windows'] as const) {
      const f = o.platforms[p];
      const names = new Set([...(f.name ? [f.name] : []), ...(f.variants ?? []), ...(f.related ?? []), ...(f.note?.match(OPTION_LIKE) ?? [])]);
      for (const n of names) {
        checked++;
        const m = matchOption(n);
        assert.ok(m, `${o.name} ${p}: '${n}' does not resolve (declare it in variants or related)`);
        if (SOCKET_OPTION_NAMES.includes(n) || m.foreign === undefined) continue; // a Linux name: its own entry
        const uses = m.foreign.filter((u) => u.option === o);
        assert.ok(uses.length, `${o.name} ${p}: '${n}' resolves, but not to ${o.name}`);
        assert.ok(uses.some((u) => u.platforms.includes(p)), `${o.name}: '${n}' is not recorded as a ${p} name`);
        const note = foreignNameNote(m)!;
        assert.match(note, new RegExp(`^${n} is .*${LABEL[p]}`), note);
        assert.ok(note.includes(o.name), `${n}: the note names ${o.name}: ${note}`);
      }
    }
    if (o.ipv6) {
      checked++;
      const m = matchOption(o.ipv6.name.toLowerCase());
      assert.equal(m?.option, o, o.ipv6.name);
      assert.match(foreignNameNote(m!)!, new RegExp(`IPv6-level twin of ${o.name} on Linux \\(IPPROTO_IPV6, optname ${o.ipv6.linux}\\)`));
    }
  }
  assert.ok(checked > 100, `walked ${checked} names`);
  // and the lookup holds nothing the table does not print
  for (const n of FOREIGN_OPTION_NAMES) {
    const printed = SOCKET_OPTIONS.some((o) => o.ipv6?.name === n || (o.ipv6Alias?.name === n && o.details.includes(n)) || (o.linuxRelated?.some((r) => r.name === n) && o.details.includes(n)) || [o.summary, o.default, o.details, o.privilege ?? ''].some((t) => t.match(OPTION_LIKE)?.includes(n)) || (['freebsd', 'macos', 'windows'] as const).some((p) => o.platforms[p].name === n || o.platforms[p].note?.match(OPTION_LIKE)?.includes(n)));
    assert.ok(printed, `${n} is looked up but never printed`);
  }
});

test('the names a reviewer found unknown resolve to their Linux entry', () => {
  const want: Record<string, string> = {
    TCP_MAXRT: 'TCP_USER_TIMEOUT', IP_BOUND_IF: 'SO_BINDTODEVICE', IP_UNICAST_IF: 'SO_BINDTODEVICE', TCP_MAXUNACKTIME: 'TCP_USER_TIMEOUT',
    TCP_RXT_CONNDROPTIME: 'TCP_USER_TIMEOUT', SO_ACCEPTFILTER: 'TCP_DEFER_ACCEPT', IP_BINDANY: 'IP_FREEBIND', TCP_CONGESTION_ALGORITHM: 'TCP_CONGESTION',
    SO_DONTLINGER: 'SO_LINGER', SO_PROTOTYPE: 'SO_PROTOCOL', IPV6_TCLASS: 'IP_TOS', IPV6_UNICAST_HOPS: 'IP_TTL',
  };
  for (const [n, linux] of Object.entries(want)) assert.equal(describeOption(n).name, linux, n);
  assert.equal(foreignNameNote(matchOption('tcp_maxrt')!), 'TCP_MAXRT is the Windows name; the Linux equivalent is TCP_USER_TIMEOUT (see Windows under Other platforms for how they differ).');
  // one FreeBSD name for two Linux options: the first, and the other named
  assert.match(foreignNameNote(matchOption('IP_BINDANY')!)!, /the Linux equivalent is IP_FREEBIND .* also the counterpart of IP_TRANSPARENT/);
  assert.match(foreignNameNote(matchOption('SO_SETFIB')!)!, /^SO_SETFIB is a FreeBSD option with no Linux equivalent; the nearest Linux option is SO_BINDTODEVICE/);
  // a Linux name is not a foreign match, even where another platform uses it too
  assert.equal(matchOption('SO_REUSEADDR')!.foreign, undefined);
});

test('the Linux names the reference prints are found: IPv6 twins of IP_FREEBIND/IP_TRANSPARENT, and SO_BINDTOIFINDEX as what it is', () => {
  // review s11 item 16: `options IPV6_FREEBIND` exited 2 ("did you mean IP_FREEBIND?") although the entry prints it
  for (const [n, linux, num] of [['IPV6_FREEBIND', 'IP_FREEBIND', 78], ['IPV6_TRANSPARENT', 'IP_TRANSPARENT', 75]] as const) {
    const m = matchOption(n);
    assert.equal(m?.option.name, linux, n);
    assert.match(foreignNameNote(m!)!, new RegExp(`^${n} is the IPv6-level twin of ${linux} on Linux \\(IPPROTO_IPV6, optname ${num}\\)`));
    assert.ok(describeOption(linux).details.includes(n), `${linux} prints ${n}`);
    // review s11 knowledge item 1: the same flag, read at SOL_IP on every IP socket; never read instead of it
    assert.match(foreignNameNote(m!)!, new RegExp(`both set and read the same flag, so sockscope reads ${linux} on every IP socket`));
    assert.equal(describeOption(linux).ipv6, undefined, `${n} is a name for lookup, not a twin read on AF_INET6`);
  }
  // SO_BINDTOIFINDEX gives the interface index, so it is not an alias of SO_BINDTODEVICE (which gives the name)
  assert.equal(describeOption('SO_BINDTODEVICE').aliases, undefined);
  const b = matchOption('so_bindtoifindex')!;
  assert.equal(b.option.name, 'SO_BINDTODEVICE');
  assert.equal(foreignNameNote(b), 'SO_BINDTOIFINDEX is a separate Linux option (optname 62) that sets and reads the same binding as an interface index (0: not bound); sockscope reads it as itself when asked for by name (--options SO_BINDTOIFINDEX); see SO_BINDTODEVICE.');
  // the number checks against the headers, as the twins' are
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-rel-'));
  try {
    writeFileSync(join(dir, 'r.c'), '#define _GNU_SOURCE\n#include <stdio.h>\n#include <sys/socket.h>\nint main(void) { printf("%d\\n", SO_BINDTOIFINDEX); return 0; }\n');
    execFileSync('gcc', ['-o', join(dir, 'r'), join(dir, 'r.c')], { timeout: 60_000 });
    assert.equal(Number(execFileSync(join(dir, 'r'), { encoding: 'utf8' }).trim()), describeOption('SO_BINDTODEVICE').linuxRelated![0].linux);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reference facts measured on Linux 6.18 by the review (TCP_DEFER_ACCEPT, privileges, TCP_NOTSENT_LOWAT default)', () => {
  // review s11 item 12: a client that sends nothing was accept()ed after 3.0 s with TCP_DEFER_ACCEPT 3, still connected
  const d = describeOption('TCP_DEFER_ACCEPT').details;
  assert.doesNotMatch(d, /dropped silently/);
  assert.match(d, /is not dropped: .*accept\(\) returns it without data/);
  // item 13 (limits.c as uid 65534): SO_BUSY_POLL 0 -> 10 allowed; SO_PRIORITY 7 EPERM, allowed with CAP_NET_RAW alone
  assert.doesNotMatch(describeOption('SO_BUSY_POLL').details, /Raising it above net.core.busy_read needs CAP_NET_ADMIN/);
  assert.match(describeOption('SO_PRIORITY').privilege!, /CAP_NET_RAW/);
  assert.match(describeOption('SO_PRIORITY').details, /CAP_NET_ADMIN or CAP_NET_RAW/);
  // a fresh socket reads TCP_NOTSENT_LOWAT 0, not the sysctl's 4294967295
  assert.match(describeOption('TCP_NOTSENT_LOWAT').default, /^0 when read/);
});
