// Codes beside the errnos: the kernel-internal ones (512-531) that strace shows, the resolver's EAI_* codes (glibc,
// BSD, Winsock, libuv/Node, Python) with Node's ENOTFOUND, and WSAEINPROGRESS, which only shares EINPROGRESS's number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { explainErrno, ALL_ERRORS, UnknownErrnoError } from '../../src/knowledge/errno.js';
import { KERNEL_INTERNAL_ERRNOS, RESOLVER_ERRORS } from '../../src/knowledge/errno-notes.js';
import { WSA_ERRORS } from '../../src/knowledge/generated/errno-tables.js';

test('kernel-internal codes: by name, number and negative number, marked as never reaching user space', () => {
  for (const q of ['512', '-512', 'ERESTARTSYS', 'erestartsys']) {
    const r = explainErrno(q);
    assert.equal(r.matches[0].name, 'ERESTARTSYS', q);
    assert.equal(r.matches[0].kind, 'kernel-internal');
    assert.equal(r.matches[0].numbers.linux, 512);
    assert.match(r.matches[0].meaning, /^Kernel-internal \(include\/linux\/errno\.h\): should never reach user space; strace shows it at syscall exit as "= \? ERESTARTSYS \(To be restarted if SA_RESTART is set\)"/);
  }
  const want: [string, number][] = [
    ['ERESTARTSYS', 512], ['ERESTARTNOINTR', 513], ['ERESTARTNOHAND', 514], ['ENOIOCTLCMD', 515], ['ERESTART_RESTARTBLOCK', 516],
    ['EPROBE_DEFER', 517], ['EOPENSTALE', 518], ['ENOPARAM', 519], ['EBADHANDLE', 521], ['ENOTSYNC', 522], ['EBADCOOKIE', 523],
    ['ENOTSUPP', 524], ['ETOOSMALL', 525], ['ESERVERFAULT', 526], ['EBADTYPE', 527], ['EJUKEBOX', 528], ['EIOCBQUEUED', 529],
    ['ERECALLCONFLICT', 530], ['ENOGRACE', 531],
  ];
  assert.deepEqual(KERNEL_INTERNAL_ERRNOS.map((k) => [k.name, k.number]), want);
  for (const [name, n] of want) {
    const e = explainErrno(String(n)).matches[0];
    assert.equal(e.name, name);
    assert.match(e.meaning, /should never reach user space/, name);
  }
  assert.match(explainErrno('524').matches[0].meaning, /not ENOTSUP, which is EOPNOTSUPP 95/);
  // ENOTSUP (one P) is still the Linux alias of EOPNOTSUPP
  assert.equal(explainErrno('ENOTSUP').matches[0].name, 'EOPNOTSUPP');
  // a BSD platform has no such number: said so, with the Linux reading
  assert.throws(() => explainErrno('512', { platform: 'macos' }), /no macos error has number 512 \(it is ERESTARTSYS on linux; give the platform to read it there: --platform on the command line, platform in the library and tasks\)/);
  assert.throws(() => explainErrno('520'), /no linux error has number 520/);
});

test('strace shows the ERESTART* codes with the texts the notes quote (a signal interrupting accept4 and poll)', { timeout: 60_000 }, () => {
  const script = [
    'import select, signal, socket',
    'class Stop(Exception): pass',
    'def stop(*a): raise Stop()',
    'signal.signal(signal.SIGALRM, stop)',
    "l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()",
    'for call in (l.accept, lambda: select.poll().poll(2000)):',
    '    signal.setitimer(signal.ITIMER_REAL, 0.2)',
    '    try: call()',
    '    except Stop: pass',
  ].join('\n');
  const r = spawnSync('strace', ['-e', 'trace=accept4,poll', '-e', 'signal=none', 'python3', '-c', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.error, undefined, 'strace is required (Debian package strace)');
  assert.equal(r.status, 0, r.stderr);
  const notes = new Map(KERNEL_INTERNAL_ERRNOS.map((k) => [k.name, k]));
  for (const name of ['ERESTARTSYS', 'ERESTART_RESTARTBLOCK']) {
    const k = notes.get(name)!;
    assert.ok(r.stderr.includes(`= ? ${name} (${k.strace})`), `${name}: ${r.stderr}`);
    assert.ok(explainErrno(name).matches[0].meaning.includes(`"= ? ${name} (${k.strace})"`));
  }
  // and they are found by strace's text
  assert.equal(explainErrno('To be restarted if SA_RESTART is set').matches[0].name, 'ERESTARTSYS');
});

test('resolver codes: glibc values and gai_strerror() texts, as a C program prints them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-gai-'));
  try {
    const withGlibc = RESOLVER_ERRORS.filter((r) => r.glibc !== null);
    const src = ['#define _GNU_SOURCE', '#include <netdb.h>', '#include <stdio.h>', 'int main(void) {',
      ...withGlibc.map((r) => `  printf("%s\\t%d\\t%s\\n", "${r.name}", ${r.name}, gai_strerror(${r.name}));`), '  return 0;', '}'].join('\n');
    writeFileSync(join(dir, 'g.c'), src);
    execFileSync('gcc', ['-o', join(dir, 'g'), join(dir, 'g.c')], { timeout: 60_000 });
    const lines = execFileSync(join(dir, 'g'), { encoding: 'utf8', timeout: 10_000 }).trim().split('\n').map((l) => l.split('\t'));
    for (const [name, num, msg] of lines) {
      const r = RESOLVER_ERRORS.find((x) => x.name === name)!;
      assert.equal(r.glibc, Number(num), `${name} number`);
      // glibc has no text for EAI_OVERFLOW ("Unknown error"): the table keeps the BSD one there
      if (msg !== 'Unknown error') assert.equal(r.message, msg, `${name} message`);
    }
    assert.equal(lines.length, withGlibc.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resolver codes: Python\'s socket.EAI_*, libuv\'s numbers in the running Node, MinGW-w64\'s ws2tcpip.h', () => {
  const py = JSON.parse(execFileSync('python3', ['-c', 'import socket, json; print(json.dumps({k: getattr(socket, k) for k in dir(socket) if k.startswith("EAI_")}))'], { encoding: 'utf8', timeout: 20_000 })) as Record<string, number>;
  assert.ok(Object.keys(py).length >= 10);
  for (const [name, n] of Object.entries(py)) assert.equal(RESOLVER_ERRORS.find((r) => r.name === name)?.glibc, n, name);
  const uv = getSystemErrorMap();
  for (const r of RESOLVER_ERRORS) {
    if (r.libuv === null) assert.ok(![...uv.values()].some(([n]) => n === r.name), `${r.name}: libuv has it`);
    else assert.equal(uv.get(r.libuv)?.[0], r.name, r.name);
  }
  const header = '/usr/share/mingw-w64/include/ws2tcpip.h';
  assert.ok(existsSync(header), 'mingw-w64 is required (Debian package mingw-w64)');
  const h = readFileSync(header, 'utf8');
  const wsa = new Map(WSA_ERRORS.map((w) => [w.name, w.number]));
  for (const r of RESOLVER_ERRORS) {
    const m = new RegExp(`^#define ${r.name} (\\w+)`, 'm').exec(h);
    if (!m) {
      assert.equal(r.windows, null, `${r.name}: not in ws2tcpip.h`);
      continue;
    }
    const n = /^\d+$/.test(m[1]) ? Number(m[1]) : wsa.get(m[1]);
    assert.equal(r.windows ? wsa.get(r.windows) : undefined, n, r.name);
  }
});

test('Node\'s ENOTFOUND and EAI_AGAIN and Python\'s gaierror, measured in a namespace with files-only and unreachable DNS', { timeout: 60_000 }, () => {
  assert.equal(process.getuid?.(), 0, 'creating a network namespace needs root (as in CI)');
  const ns = `sockscope-gai-${process.pid}`;
  const etc = `/etc/netns/${ns}`; // ip netns exec bind-mounts these over /etc
  assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
  try {
    mkdirSync(etc, { recursive: true });
    const lookup = () => {
      const node = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', 'require("dns").lookup("nope.sockscope.test",(e)=>console.log(JSON.stringify([e.code,e.errno])))'], { encoding: 'utf8', timeout: 20_000 });
      const py = spawnSync('ip', ['netns', 'exec', ns, 'python3', '-c', 'import socket\ntry: socket.getaddrinfo("nope.sockscope.test", 80)\nexcept socket.gaierror as e: print(e.errno)'], { encoding: 'utf8', timeout: 20_000 });
      return { node: JSON.parse(node.stdout) as [string, number], py: Number(py.stdout.trim()) };
    };
    writeFileSync(join(etc, 'nsswitch.conf'), 'hosts: files\n');
    const notFound = lookup();
    assert.deepEqual(notFound.node, ['ENOTFOUND', -3008]);
    writeFileSync(join(etc, 'nsswitch.conf'), 'hosts: dns\n');
    writeFileSync(join(etc, 'resolv.conf'), 'nameserver 192.0.2.1\noptions timeout:1 attempts:1\n'); // lo is down: no route
    const again = lookup();
    assert.deepEqual(again.node, ['EAI_AGAIN', -3001]);
    // what sockscope says about each, by Node's err.code, err.errno and Python's errno
    for (const [q, name] of [[notFound.node[0], 'EAI_NONAME'], [String(notFound.node[1]), 'EAI_NONAME'], [again.node[0], 'EAI_AGAIN'], [String(again.node[1]), 'EAI_AGAIN']]) {
      const e = explainErrno(q).matches[0];
      assert.equal(e.name, name, q);
      assert.equal(e.kind, 'resolver');
    }
    const nonameEntry = explainErrno('EAI_NONAME').matches[0];
    assert.equal(nonameEntry.numbers.linux, notFound.py);
    assert.equal(nonameEntry.node.linux, 'ENOTFOUND');
    assert.equal(nonameEntry.libuv, -3008);
    assert.equal(explainErrno('EAI_AGAIN').matches[0].numbers.linux, again.py);
    assert.equal(explainErrno('-3008').resolverReading?.source, 'libuv');
    // glibc's -3 is read as Node's err.errno first (ESRCH), with the resolver reading beside it
    const minus3 = explainErrno('-3');
    assert.equal(minus3.matches[0].name, 'ESRCH');
    assert.deepEqual(minus3.resolverReading, { name: 'EAI_AGAIN', number: -3, source: 'glibc' });
    assert.equal(explainErrno('3').resolverReading, undefined);
  } finally {
    spawnSync('ip', ['netns', 'delete', ns]);
    rmSync(etc, { recursive: true, force: true });
  }
});

test('resolver codes per platform: numbers, Winsock twin, Node and Python names', () => {
  const a = explainErrno('EAI_AGAIN').matches[0];
  assert.deepEqual(a.numbers, { linux: -3, freebsd: 2, macos: 2 });
  assert.equal(a.windows?.name, 'WSATRY_AGAIN');
  assert.deepEqual(a.node, { linux: 'EAI_AGAIN', macos: 'EAI_AGAIN', windows: 'EAI_AGAIN' });
  assert.equal(a.python.linux, 'socket.gaierror');
  assert.match(a.meaning, /^Resolver error \(getaddrinfo\), not an errno/);
  assert.deepEqual(explainErrno('EAI_AGAIN', { platform: 'windows' }).onPlatform?.number, 11002);
  assert.deepEqual(explainErrno('EAI_NONAME', { platform: 'macos' }).onPlatform?.number, 8);
  const nodata = explainErrno('EAI_NODATA').matches[0];
  assert.equal(nodata.numbers.freebsd, null);
  assert.equal(nodata.node.linux, 'ENOTFOUND');
  assert.equal(explainErrno('ENOTFOUND').matches[0].name, 'EAI_NONAME');
  assert.equal(explainErrno('enotfound').matches[0].name, 'EAI_NONAME');
  assert.deepEqual(explainErrno('name resolution').matches.map((m) => m.name).filter((n) => n.startsWith('EAI_')), ['EAI_AGAIN', 'EAI_FAIL']);
  assert.throws(() => explainErrno('EAI_AGIAN'), /did you mean EAI_AGAIN/);
  for (const e of ALL_ERRORS.filter((x) => x.kind)) assert.ok(e.meaning.length > 20, e.name);
});

test('WSAEINPROGRESS has its own entry (a blocking call is running); EINPROGRESS and WSAEWOULDBLOCK say what Windows connect() returns', () => {
  for (const q of ['WSAEINPROGRESS', '10036']) {
    const w = explainErrno(q).matches[0];
    assert.equal(w.name, 'WSAEINPROGRESS', q);
    assert.equal(w.windows?.message, 'A blocking operation is currently executing.');
    assert.doesNotMatch(w.meaning, /^A non-blocking connect\(\) has started/);
    assert.match(w.meaning, /not what a non-blocking connect\(\) returns on Windows: that is WSAEWOULDBLOCK \(10035\)/);
  }
  const inprogress = explainErrno('EINPROGRESS').matches[0];
  assert.equal(inprogress.windows, null);
  assert.match(inprogress.meaning, /Windows reports this case as WSAEWOULDBLOCK/);
  const wouldblock = explainErrno('WSAEWOULDBLOCK').matches[0];
  assert.equal(wouldblock.name, 'EAGAIN');
  assert.ok(wouldblock.causes.some((c) => /^Windows \(WSAEWOULDBLOCK\): a non-blocking connect\(\) has started/.test(c)));
  const reset = explainErrno('WSAECONNRESET').matches[0];
  assert.ok(reset.causes.some((c) => /^Windows UDP \(WSAECONNRESET\): recvfrom\(\) fails after an earlier sendto\(\).*ICMP port unreachable.*SIO_UDP_CONNRESET/.test(c)));
});

test('a number too large to read exactly is refused with the text as given', () => {
  for (const q of ['99999999999999999999', '-99999999999999999999', '4294967296']) {
    assert.throws(() => explainErrno(q), (e: unknown) => e instanceof UnknownErrnoError && e.message === `'${q}' is not an error number: error numbers are at most 4294967295 (32 bits)`);
  }
  assert.throws(() => explainErrno('4294967295'), /no windows error has number 4294967295/);
});
