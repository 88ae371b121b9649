// errno tables and lookups: every Linux errno against the live libc, lookups by name, number, fragment, WSA code, platform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINUX_ERRNOS, BSD_ERRNOS, WSA_ERRORS } from '../../src/knowledge/generated/errno-tables.js';
import { explainErrno, ALL_ERRORS, UnknownErrnoError } from '../../src/knowledge/errno.js';

test('the Linux table matches this system: a C program prints each name\'s number and strerror()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-errno-'));
  try {
    const names = LINUX_ERRNOS.flatMap((e) => [e.name, ...e.aliases]);
    const src = [
      '#include <errno.h>',
      '#include <stdio.h>',
      '#include <string.h>',
      'int main(void) {',
      ...names.map((n) => `#ifdef ${n}\n  printf("%s\\t%d\\t%s\\n", "${n}", ${n}, strerror(${n}));\n#else\n  printf("%s\\t-1\\tmissing\\n", "${n}");\n#endif`),
      '  return 0;',
      '}',
    ].join('\n');
    writeFileSync(join(dir, 'e.c'), src);
    execFileSync('gcc', ['-o', join(dir, 'e'), join(dir, 'e.c')], { timeout: 60_000 });
    const out = execFileSync(join(dir, 'e'), { encoding: 'utf8', timeout: 10_000 });
    const live = new Map(out.trim().split('\n').map((l) => {
      const [name, num, msg] = l.split('\t');
      return [name, { num: Number(num), msg }];
    }));
    for (const e of LINUX_ERRNOS) {
      const l = live.get(e.name)!;
      assert.equal(l.num, e.number, `${e.name} number`);
      assert.equal(l.msg, e.message, `${e.name} strerror`);
      for (const a of e.aliases) assert.equal(live.get(a)!.num, e.number, `alias ${a}`);
    }
    // and every number in the system's range is covered (1..max has no gaps except the unused 41 and 58)
    const max = Math.max(...LINUX_ERRNOS.map((e) => e.number));
    const have = new Set(LINUX_ERRNOS.map((e) => e.number));
    const gaps = [];
    for (let n = 1; n <= max; n++) if (!have.has(n)) gaps.push(n);
    assert.deepEqual(gaps, [41, 58]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Linux table matches python3 os.strerror for every errno', () => {
  const out = execFileSync('python3', ['-c', 'import os,sys,json; print(json.dumps([os.strerror(int(n)) for n in sys.argv[1:]]))', ...LINUX_ERRNOS.map((e) => String(e.number))], { encoding: 'utf8', timeout: 20_000 });
  const msgs = JSON.parse(out) as string[];
  LINUX_ERRNOS.forEach((e, i) => assert.equal(msgs[i], e.message, e.name));
});

test('the generated file is up to date with the headers (gen-errno --check)', () => {
  execFileSync(process.execPath, ['scripts/gen-errno.mjs', '--check'], { encoding: 'utf8', timeout: 60_000 });
});

test('Node.js codes agree with the running Node (libuv names only grow between versions)', async () => {
  const { getSystemErrorMap } = await import('node:util');
  const map = getSystemErrorMap();
  for (const e of LINUX_ERRNOS) {
    if (e.node === 'UNKNOWN') continue;
    assert.equal(map.get(-e.number)?.[0], e.node, e.name);
  }
  const names = new Set([...map.values()].map(([n]) => n));
  for (const w of WSA_ERRORS) if (w.node !== 'UNKNOWN') assert.ok(names.has(w.node), `${w.name} -> ${w.node}`);
});

test('BSD numbers: WSAE codes are 10000 + the 4.4BSD errno, macOS/FreeBSD specifics', () => {
  const bsd = new Map(BSD_ERRNOS.map((b) => [b.name, b]));
  assert.equal(bsd.get('ECONNRESET')!.macos, 54);
  assert.equal(bsd.get('ECONNRESET')!.freebsd, 54);
  assert.equal(bsd.get('ETIMEDOUT')!.macos, 60);
  assert.equal(bsd.get('EADDRINUSE')!.freebsd, 48);
  assert.equal(bsd.get('EAGAIN')!.macos, 35);
  assert.equal(bsd.get('EOPNOTSUPP')!.macos, 102);
  assert.equal(bsd.get('EOPNOTSUPP')!.freebsd, 45);
  assert.equal(bsd.get('EQFULL')!.freebsd, null);
  assert.equal(bsd.get('EINTEGRITY')!.macos, null);
  for (const w of WSA_ERRORS) {
    const m = /^WSAE([A-Z]+)$/.exec(w.name);
    if (!m || w.number >= 10100) continue;
    const b = bsd.get(m[1] === 'WOULDBLOCK' ? 'EAGAIN' : `E${m[1]}`);
    assert.ok(b, w.name);
    assert.equal((b.freebsd ?? b.macos)! + 10000, w.number, w.name);
  }
});

test('every Winsock code from winerror.h is there, with a message', () => {
  const names = new Set(WSA_ERRORS.map((w) => w.name));
  for (const n of ['WSAEINTR', 'WSAEWOULDBLOCK', 'WSAECONNRESET', 'WSAECONNREFUSED', 'WSAETIMEDOUT', 'WSANOTINITIALISED', 'WSAHOST_NOT_FOUND', 'WSA_QOS_RESERVED_PETYPE', 'WSA_IO_PENDING', 'WSAEREFUSED'])
    assert.ok(names.has(n), n);
  assert.equal(WSA_ERRORS.find((w) => w.name === 'WSA_IO_PENDING')!.number, 997);
  for (const w of WSA_ERRORS) assert.ok(w.message.length > 5 && w.title.length > 3, w.name);
});

test('every error has a meaning; the socket errors have causes and fixes', () => {
  for (const e of ALL_ERRORS) assert.ok(e.meaning.length > 10, e.name);
  for (const n of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EPIPE', 'EAGAIN', 'EMFILE', 'EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'ENOBUFS']) {
    const e = ALL_ERRORS.find((x) => x.name === n)!;
    assert.ok(e.socketRelevant && e.causes.length > 0 && e.fixes.length > 0, n);
  }
});

test('lookup by name, any case, aliases and Winsock names land on the same entry', () => {
  for (const q of ['ECONNRESET', 'econnreset', 'WSAECONNRESET', ' ECONNRESET ']) {
    const r = explainErrno(q);
    assert.equal(r.matchedBy, 'name');
    assert.equal(r.matches[0].name, 'ECONNRESET');
  }
  const e = explainErrno('ECONNRESET').matches[0];
  assert.deepEqual(e.numbers, { linux: 104, freebsd: 54, macos: 54 });
  assert.equal(e.windows?.number, 10054);
  assert.equal(e.node.linux, 'ECONNRESET');
  assert.equal(e.node.windows, 'ECONNRESET');
  assert.equal(e.python.linux, 'ConnectionResetError');
  assert.equal(e.python.windows, 'ConnectionResetError');
  assert.equal(explainErrno('EWOULDBLOCK').matches[0].name, 'EAGAIN');
  assert.equal(explainErrno('ENOTSUP').matches[0].name, 'EOPNOTSUPP');
  assert.equal(explainErrno('WSAEWOULDBLOCK').matches[0].name, 'EAGAIN');
  assert.equal(explainErrno('WSANOTINITIALISED').matches[0].windows?.number, 10093);
});

test('lookup by number: Linux by default, Windows from 10000, --platform, negative Node errno', () => {
  assert.equal(explainErrno('104').matches[0].name, 'ECONNRESET');
  assert.equal(explainErrno(104).platform, 'linux');
  assert.equal(explainErrno('-104').matches[0].name, 'ECONNRESET');
  const w = explainErrno('10054');
  assert.equal(w.platform, 'windows');
  assert.equal(w.matches[0].name, 'ECONNRESET');
  assert.equal(explainErrno('54', { platform: 'macos' }).matches[0].name, 'ECONNRESET');
  assert.equal(explainErrno('54', { platform: 'freebsd' }).matches[0].name, 'ECONNRESET');
  assert.equal(explainErrno('61', { platform: 'macos' }).matches[0].name, 'ECONNREFUSED');
  const linux54 = explainErrno('54');
  assert.equal(linux54.matches[0].name, 'EXFULL');
  assert.ok(linux54.readings.some((r) => r.platform === 'macos' && r.name === 'ECONNRESET'));
  assert.equal(explainErrno('997', { platform: 'windows' }).matches[0].name, 'WSA_IO_PENDING');
  assert.throws(() => explainErrno('104', { platform: 'windows' }), UnknownErrnoError);
  assert.throws(() => explainErrno('99999'), /no windows error has number 99999/);
});

test('lookup by message fragment and by Python class', () => {
  const r = explainErrno('reset by peer');
  assert.equal(r.matchedBy, 'message');
  assert.deepEqual(r.matches.map((m) => m.name), ['ECONNRESET']);
  assert.equal(explainErrno('forcibly closed').matches[0].name, 'ECONNRESET');
  const refused = explainErrno('refused').matches.map((m) => m.name);
  assert.equal(refused[0], 'ECONNREFUSED');
  assert.equal(explainErrno('ConnectionRefusedError').matches[0].name, 'ECONNREFUSED');
  assert.deepEqual(explainErrno('PermissionError').matches.map((m) => m.name).sort(), ['EACCES', 'EPERM']);
});

test('unknown input is an UnknownErrnoError with a suggestion', () => {
  assert.throws(() => explainErrno('ECONNRESETT'), /did you mean ECONNRESET/);
  assert.throws(() => explainErrno('zz'), UnknownErrnoError);
  assert.throws(() => explainErrno(''), UnknownErrnoError);
});
