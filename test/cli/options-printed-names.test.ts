// `sockscope options NAME` finds every option-like name the reference itself prints (README: "a name the reference
// prints is a name it finds"): the names are read from what the built CLI prints for every entry (text and --json),
// and each is looked up through the CLI. The numbers of the separate Linux options an entry names are checked
// against the C headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000 });
const OPTION_LIKE = /\b(?:SO|TCP|IP|IPV6|SIO|UDP)_[A-Z0-9_]*[A-Z0-9]\b/g;

/** Every entry's name, from the CLI's own list. */
function entryNames(): string[] {
  const r = run('options', '--json');
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { options: { name: string }[] }).options.map((o) => o.name);
}

test('every option-like name in the printed text of every entry is found by `options NAME` (exit 0), showing an entry that prints it', { timeout: 300_000 }, () => {
  const names = entryNames();
  assert.equal(names.length, 40);
  const printedBy = new Map<string, string[]>();
  for (const entry of names) {
    const text = run('options', entry);
    const json = run('options', entry, '--json');
    assert.equal(text.status, 0, `${entry}: ${text.stderr}`);
    assert.equal(json.status, 0, `${entry}: ${json.stderr}`);
    for (const n of new Set([...(text.stdout.match(OPTION_LIKE) ?? []), ...(json.stdout.match(OPTION_LIKE) ?? [])])) printedBy.set(n, [...(printedBy.get(n) ?? []), entry]);
  }
  assert.ok(printedBy.size > 60, `${printedBy.size} names printed`);
  for (const n of ['SIO_KEEPALIVE_VALS', 'SO_SNDBUFFORCE', 'SO_RCVBUFFORCE', 'SIO_TCP_INFO', 'SO_RCVTIMEO_NEW', 'SO_RCVTIMEO_OLD', 'SO_SNDTIMEO_NEW', 'TCP_FASTOPEN_CONNECT', 'SO_ATTACH_REUSEPORT_CBPF', 'IP_MULTICAST_TTL']) {
    assert.ok(printedBy.has(n), `${n} is printed by the reference`);
  }
  const failures: string[] = [];
  for (const [n, by] of printedBy) {
    const r = run('options', n);
    if (r.status !== 0) {
      failures.push(`${n} (printed by ${by.join(', ')}): exit ${r.status} ${r.stderr.trim()}`);
      continue;
    }
    // The entry shown (after the note on a name that is not its own) prints the name, or is it.
    const entry = (JSON.parse(run('options', n, '--json').stdout) as { name: string }).name;
    assert.match(r.stdout, new RegExp(`(^|\\n\\n)${entry}: `), n);
    const entryText = run('options', entry).stdout + run('options', entry, '--json').stdout;
    if (entry !== n && !new Set(entryText.match(OPTION_LIKE)).has(n)) failures.push(`${n}: shows ${entry}, which does not print it`);
  }
  assert.deepEqual(failures, []);
});

test('the names a reviewer found missing: exit 0, the entry that describes them, a first line saying what they are', () => {
  const cases: [string, string, RegExp][] = [
    ['SO_SNDBUFFORCE', 'SO_SNDBUF', /^SO_SNDBUFFORCE is a separate Linux option \(optname 32\) that sets the send buffer as SO_SNDBUF does but past net\.core\.wmem_max/],
    ['so_rcvbufforce', 'SO_RCVBUF', /^SO_RCVBUFFORCE is a separate Linux option \(optname 33\)/],
    ['SIO_KEEPALIVE_VALS', 'SO_KEEPALIVE', /^SIO_KEEPALIVE_VALS is a Windows WSAIoctl control code, not a socket option; the nearest Linux option is SO_KEEPALIVE[^]*also mentioned under\s+TCP_KEEPIDLE/],
    ['SIO_TCP_INFO', 'TCP_INFO', /^SIO_TCP_INFO is a Windows WSAIoctl control code/],
    ['SO_RCVTIMEO_NEW', 'SO_RCVTIMEO', /^SO_RCVTIMEO_NEW is a separate Linux option \(optname 66\)/],
    ['SO_SNDTIMEO_NEW', 'SO_SNDTIMEO', /^SO_SNDTIMEO_NEW is a separate Linux option \(optname 67\)/],
    ['TCP_FASTOPEN_CONNECT', 'TCP_FASTOPEN', /^TCP_FASTOPEN_CONNECT is a separate Linux option \(optname 30\) that is the client side/],
    ['SO_ATTACH_REUSEPORT_CBPF', 'SO_REUSEPORT', /^SO_ATTACH_REUSEPORT_CBPF is a separate Linux option \(optname 51\)/],
    ['IP_MULTICAST_TTL', 'IP_TTL', /^IP_MULTICAST_TTL is a separate Linux option \(optname 33\)/],
    // a constant, not an option: the entry that mentions it
    ['TCP_CA_NAME_MAX', 'TCP_CONGESTION', /^TCP_CA_NAME_MAX is not an option the reference describes on its own; TCP_CONGESTION mentions it/],
  ];
  for (const [name, entry, first] of cases) {
    const r = run('options', name);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    // the note is wrapped to the terminal: read it as one line
    assert.match(r.stdout.slice(0, r.stdout.indexOf('\n\n')).replace(/\n/g, ' '), first, name);
    assert.match(r.stdout, new RegExp(`\\n\\n${entry}: `), name);
  }
  // SO_RCVTIMEO_OLD is SO_RCVTIMEO's own number on 64-bit Linux: the entry itself
  const old = run('options', 'SO_RCVTIMEO_OLD');
  assert.equal(old.status, 0, old.stderr);
  assert.match(old.stdout, /^SO_RCVTIMEO: /);
  const j = JSON.parse(run('options', 'SIO_KEEPALIVE_VALS', '--json').stdout);
  assert.equal(j.name, 'SO_KEEPALIVE');
  assert.deepEqual(j.foreignName.uses, [
    { option: 'SO_KEEPALIVE', platforms: ['windows'], relation: 'related' },
    { option: 'TCP_KEEPIDLE', platforms: ['windows'], relation: 'related' },
  ]);
});

test('near misses of those names get a did-you-mean (exit 2)', () => {
  for (const [typed, meant] of [['SO_SNDBUFFORC', 'SO_SNDBUFFORCE'], ['SIO_KEEPALIVE_VAL', 'SIO_KEEPALIVE_VALS'], ['TCP_FASTOPEN_CONECT', 'TCP_FASTOPEN_CONNECT'], ['IP_MULTICAST_TT', 'IP_MULTICAST_TTL'], ['SIO_TCPINFO', 'SIO_TCP_INFO']]) {
    const r = run('options', typed);
    assert.equal(r.status, 2, typed);
    assert.match(r.stderr, new RegExp(`^sockscope: unknown socket option '${typed}'; did you mean [^\\n]*\\b${meant}\\b`), typed);
  }
});

test('the separate Linux options and aliases an entry names carry the numbers of the C headers', () => {
  const all = (JSON.parse(run('options', '--json').stdout) as { options: { name: string; linux: number; aliases?: string[]; linuxRelated?: { name: string; linux: number }[] }[] }).options;
  const want = new Map<string, number>();
  for (const o of all) {
    for (const r of o.linuxRelated ?? []) want.set(r.name, r.linux);
    for (const a of o.aliases ?? []) want.set(a, o.linux);
  }
  for (const n of ['SO_SNDBUFFORCE', 'SO_RCVBUFFORCE', 'SO_RCVTIMEO_NEW', 'SO_SNDTIMEO_NEW', 'SO_RCVTIMEO_OLD', 'SO_SNDTIMEO_OLD', 'TCP_FASTOPEN_CONNECT', 'SO_ATTACH_REUSEPORT_CBPF', 'SO_ATTACH_REUSEPORT_EBPF', 'IP_MULTICAST_TTL']) assert.ok(want.has(n), n);
  const names = [...want.keys()];
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-optnum-'));
  try {
    writeFileSync(
      join(dir, 'n.c'),
      '#define _GNU_SOURCE\n#include <stdio.h>\n#include <sys/socket.h>\n#include <netinet/in.h>\n#include <netinet/tcp.h>\nint main(void) {\n' +
        names.map((n) => `  printf("%s %d\\n", "${n}", ${n});\n`).join('') +
        '  return 0;\n}\n',
    );
    execFileSync('gcc', ['-o', join(dir, 'n'), join(dir, 'n.c')], { timeout: 60_000 });
    const got = new Map(execFileSync(join(dir, 'n'), { encoding: 'utf8' }).trim().split('\n').map((l) => [l.split(' ')[0], Number(l.split(' ')[1])] as const));
    for (const n of names) assert.equal(want.get(n), got.get(n), n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
