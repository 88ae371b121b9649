// `sockscope errno` end to end through the built CLI: output, --json, --platform, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });

test('errno ECONNRESET: numbers on every platform, Node and Python names, causes and fixes', () => {
  const r = run('errno', 'ECONNRESET');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ECONNRESET: Connection reset by peer/);
  assert.match(r.stdout, /Linux 104 · FreeBSD 54 · macOS 54 · Windows WSAECONNRESET 10054/);
  assert.match(r.stdout, /ConnectionResetError/);
  assert.match(r.stdout, /err\.code 'ECONNRESET'/);
  assert.match(r.stdout, /Common causes:/);
  assert.match(r.stdout, /What to do:/);
});

test('errno by number, fragment, WSA code and platform', () => {
  assert.match(run('errno', '104').stdout, /^ECONNRESET/);
  assert.match(run('errno', 'reset by peer').stdout, /^ECONNRESET/);
  assert.match(run('errno', 'WSAECONNRESET').stdout, /^ECONNRESET/);
  assert.match(run('errno', '10054').stdout, /^ECONNRESET/);
  assert.match(run('errno', '54', '--platform', 'macos').stdout, /^ECONNRESET/);
  const linux54 = run('errno', '54');
  assert.match(linux54.stdout, /^EXFULL/);
  assert.match(linux54.stdout, /macOS ECONNRESET/);
  assert.match(run('errno', 'ECONNRESET', '--platform', 'macos').stdout, /On macOS: ECONNRESET = 54\./);
  assert.match(run('errno', 'ECONNRESET', '--platform', 'windows').stdout, /On Windows: WSAECONNRESET = 10054\./);
  assert.match(run('errno', 'EQFULL', '--platform', 'linux').stdout, /^EQFULL has no Linux number: Linux does not define it; it exists on macOS 106\.\n\nEQFULL: /);
});

test('errno --json is one JSON document', () => {
  const r = run('errno', '10061', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.platform, 'windows');
  assert.equal(doc.matches[0].name, 'ECONNREFUSED');
  assert.equal(doc.matches[0].windows.name, 'WSAECONNREFUSED');
  assert.equal(doc.matches[0].python.linux, 'ConnectionRefusedError');
});

test('errno: unknown code and bad --platform exit 2 with one line on stderr', () => {
  const r = run('errno', 'ECONNRESETT');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /did you mean ECONNRESET/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.equal(run('errno', '104', '--platform', 'solaris').status, 2);
  assert.equal(run('errno').status, 2);
});

test('macOS numbers ENOTSUP (45) apart from EOPNOTSUPP (102); Linux has one number for both', () => {
  const byName = run('errno', 'ENOTSUP', '--platform', 'macos');
  assert.equal(byName.status, 0, byName.stderr);
  assert.match(byName.stdout, /On macOS: ENOTSUP = 45\./);
  assert.match(run('errno', 'EOPNOTSUPP', '--platform', 'macos').stdout, /On macOS: EOPNOTSUPP = 102\./);
  const byNumber = run('errno', '45', '--platform', 'macos');
  assert.match(byNumber.stdout, /numbers +Linux 95 · FreeBSD 45 · macOS 102, ENOTSUP 45 · Windows WSAEOPNOTSUPP 10045/);
  const j = JSON.parse(run('errno', 'ENOTSUP', '--json').stdout);
  assert.deepEqual(j.matches[0].aliasNumbers, [{ name: 'ENOTSUP', macos: 45 }]);
});

test('WSAEPROCLIM (10067) is the Winsock code of the BSD EPROCLIM (67), which Linux lacks', () => {
  assert.match(run('errno', 'EPROCLIM', '--platform', 'windows').stdout, /On Windows: WSAEPROCLIM = 10067\./);
  const w = run('errno', 'WSAEPROCLIM');
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stdout, /^EPROCLIM: Too many processes\n +numbers +FreeBSD 67 · macOS 67 · Windows WSAEPROCLIM 10067/);
  assert.match(run('errno', '10067').stdout, /^EPROCLIM/);
});

test('errno NAME --platform P where P lacks the code: said first, with where it exists (text and --json)', () => {
  const r = run('errno', 'EPROCLIM', '--platform', 'linux');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^EPROCLIM has no Linux number: Linux does not define it; it exists on macOS 67, FreeBSD 67, Windows\s+WSAEPROCLIM 10067\.\n\nEPROCLIM: /);
  const j = JSON.parse(run('errno', 'EPROCLIM', '--platform', 'linux', '--json').stdout);
  assert.deepEqual(j.onPlatform, {
    platform: 'linux', name: 'EPROCLIM', number: null,
    elsewhere: [{ platform: 'macos', name: 'EPROCLIM', number: 67 }, { platform: 'freebsd', name: 'EPROCLIM', number: 67 }, { platform: 'windows', name: 'WSAEPROCLIM', number: 10067 }],
  });
  assert.match(run('errno', 'ENOSTR', '--platform', 'windows').stdout, /^ENOSTR has no Windows number: Windows does not define it; it exists on Linux 60, macOS 99\./);
  assert.match(run('errno', 'WSANOTINITIALISED', '--platform', 'macos').stdout, /^WSANOTINITIALISED has no macOS number: macOS does not define it; it exists on Windows 10093\./);
  // a code the platform has: its number, at the end, as before
  assert.deepEqual(JSON.parse(run('errno', 'ECONNRESET', '--platform', 'macos', '--json').stdout).onPlatform.number, 54);
});

test('errno 512, -- -512 and ERESTARTSYS: the kernel-internal code, said to be one (not "no linux error")', () => {
  for (const args of [['512'], ['--', '-512'], ['ERESTARTSYS']]) {
    const r = run('errno', ...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^ERESTARTSYS: Restart the system call if the handler has SA_RESTART\n  kind      kernel-internal code \(include\/linux\/errno\.h\): should never reach user space\n  numbers   Linux 512\n/);
    assert.match(r.stdout.replace(/\s+/g, ' '), /strace shows it at syscall exit as "= \? ERESTARTSYS \(To be restarted if SA_RESTART is set\)"/);
  }
  assert.equal(JSON.parse(run('errno', '524', '--json').stdout).matches[0].kind, 'kernel-internal');
});

test('errno EAI_AGAIN, ENOTFOUND and -3008: resolver errors, labelled as not errnos, with Node\'s and glibc\'s numbers', () => {
  const again = run('errno', 'EAI_AGAIN');
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^EAI_AGAIN: Temporary failure in name resolution\n  kind      resolver error: a getaddrinfo\(\)\/getnameinfo\(\) return value \(gai_strerror\), not an errno\n  numbers   Linux \(glibc\) -3 · FreeBSD 2 · macOS 2 · Windows WSATRY_AGAIN 11002 · Node\.js err\.errno -3001\n  Node\.js   err\.code 'EAI_AGAIN' \(also on Windows\)\n  Python    socket\.gaierror/);
  const nf = run('errno', 'ENOTFOUND');
  assert.equal(nf.status, 0, nf.stderr);
  assert.match(nf.stdout, /^EAI_NONAME: Name or service not known\n/);
  assert.match(nf.stdout, /err\.code 'ENOTFOUND'/);
  const uv = run('errno', '--', '-3008');
  assert.match(uv.stdout, /^Read as a Node\.js err\.errno: libuv's UV_EAI_NONAME \(-3008\), a resolver error\.\n\nEAI_NONAME: /);
  // libuv's number is not glibc's (EAI_NONAME is -2 there): no getaddrinfo() line for it.
  assert.doesNotMatch(uv.stdout, /getaddrinfo\(\) return value/);
  assert.doesNotMatch(run('errno', '--', '-3001').stdout, /getaddrinfo\(\) return value/);
  assert.match(run('errno', '--', '-3').stdout, /^ESRCH: [^]*\nAs a getaddrinfo\(\) return value \(glibc\), -3 is EAI_AGAIN: sockscope errno EAI_AGAIN\.\n$/);
  const j = JSON.parse(run('errno', 'EAI_NONAME', '--json').stdout);
  assert.equal(j.matches[0].kind, 'resolver');
  assert.equal(j.matches[0].libuv, -3008);
});

test('errno 99999999999999999999: refused with the number as typed, exit 2, one line', () => {
  for (const n of ['99999999999999999999', '-99999999999999999999']) {
    const r = run('errno', '--', n);
    assert.equal(r.status, 2, r.stdout);
    assert.equal(r.stderr, `sockscope: '${n}' is not an error number: error numbers are at most 4294967295 (32 bits)\n`);
    assert.doesNotMatch(r.stderr, /100000000000000000000/);
  }
});
