// Node.js err.errno on Windows: libuv's UV_E* numbers (-4077 for ECONNRESET), which no platform's errno uses.
// The table is checked against libuv's include/uv/errno.h compiled for Windows (-D_WIN32) with gcc, and against
// values read from libuv's header by hand; `errno -4077` and friends through the library and the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIBUV_WINDOWS_ERRNOS } from '../../src/knowledge/errno-notes.js';
import { explainErrno, UnknownErrnoError } from '../../src/knowledge/errno.js';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000 });

/** Values from libuv's include/uv/errno.h (the `#else` branch, taken under _WIN32). */
const FROM_HEADER: Record<string, number> = {
  ECONNRESET: -4077, ENOENT: -4058, EADDRINUSE: -4091, ECONNREFUSED: -4078, ETIMEDOUT: -4039, EPIPE: -4047, EACCES: -4092,
  EAGAIN: -4088, EALREADY: -4084, ENOTSUP: -4049, EHOSTUNREACH: -4073, ECONNABORTED: -4079, EHOSTDOWN: -4031, EFTYPE: -4028, ENODATA: -4024, ENOEXEC: -4022,
};

test('the UV_E* table holds libuv\'s Windows numbers', () => {
  for (const [name, n] of Object.entries(FROM_HEADER)) assert.equal(LIBUV_WINDOWS_ERRNOS[name], n, name);
  const values = Object.values(LIBUV_WINDOWS_ERRNOS);
  assert.equal(new Set(values).size, values.length, 'each number once');
  assert.ok(values.every((v) => v <= -4022 && v >= -4093), 'all in libuv\'s -4093..-4022 range');
});

const HEADER = '/usr/include/node/uv/errno.h';
test('the table matches uv/errno.h compiled for Windows (gcc -D_WIN32)', { skip: existsSync(HEADER) ? false : `${HEADER} is not installed` }, () => {
  const names = [...new Set([...readFileSync(HEADER, 'utf8').matchAll(/# define UV__(E[A-Z0-9]+) \(-4\d{3}\)/g)].map((m) => m[1]))];
  assert.ok(names.length >= 60, `${names.length} codes in the header`);
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-uverr-'));
  try {
    // _WIN32: libuv's own numbers instead of the system errno; without __linux__ UV__EFTYPE is not Linux's -134.
    writeFileSync(join(dir, 'u.c'), `#include <stdio.h>\n#include <uv/errno.h>\nint main(void) {\n${names.map((n) => `  printf("${n} %d\\n", UV__${n});\n`).join('')}  return 0;\n}\n`);
    execFileSync('gcc', ['-D_WIN32', '-U__linux__', '-I/usr/include/node', '-o', join(dir, 'u'), join(dir, 'u.c')], { timeout: 60_000 });
    const got = execFileSync(join(dir, 'u'), { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(' '));
    for (const [name, n] of got) assert.equal(LIBUV_WINDOWS_ERRNOS[name], Number(n), `UV_${name}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explainErrno reads a negative libuv Windows number as Node\'s err.errno on Windows, with or without --platform windows', () => {
  for (const [query, name] of [['-4077', 'ECONNRESET'], ['-4058', 'ENOENT'], ['-4091', 'EADDRINUSE'], ['-4039', 'ETIMEDOUT'], ['-4049', 'EOPNOTSUPP']] as const) {
    for (const platform of [undefined, 'windows'] as const) {
      const r = explainErrno(query, platform ? { platform } : {});
      assert.equal(r.matches[0].name, name, query);
      assert.equal(r.platform, 'windows');
      assert.deepEqual(r.libuvWindowsReading, { name: `UV_${name === 'EOPNOTSUPP' ? 'ENOTSUP' : name}`, number: Number(query) });
      // EOPNOTSUPP's Winsock twin WSAEOPNOTSUPP is UV_UNKNOWN to libuv; -4049 comes from ERROR_NOT_SUPPORTED.
      assert.equal(r.matches[0].libuvWindows, name === 'EOPNOTSUPP' ? -4094 : Number(query));
    }
  }
  // Every code with an errno entry resolves to it, and that entry carries the number unless its Winsock twin
  // translates to another code (WSAEPROTOTYPE: UNKNOWN, -4094; see the test below).
  for (const [name, n] of Object.entries(LIBUV_WINDOWS_ERRNOS)) {
    if (name === 'ECHARSET') continue;
    const r = explainErrno(n);
    assert.equal(r.libuvWindowsReading?.name, `UV_${name}`, name);
    const windowsCode = r.matches[0].node.windows;
    assert.equal(r.matches[0].libuvWindows, windowsCode === null || windowsCode === name ? n : windowsCode === 'UNKNOWN' ? -4094 : LIBUV_WINDOWS_ERRNOS[windowsCode], name);
  }
  // Linux's negated errnos stay Linux's; libuv's resolver numbers stay resolver codes.
  assert.equal(explainErrno('-104').matches[0].name, 'ECONNRESET');
  assert.equal(explainErrno('-104').libuvWindowsReading, undefined);
  assert.equal(explainErrno('-3008').resolverReading?.name, 'EAI_NONAME');
  // Another platform asked for: not that platform's number; the error says what it is.
  assert.throws(() => explainErrno('-4077', { platform: 'linux' }), (e: unknown) => e instanceof UnknownErrnoError && /-4077 is Node\.js err\.errno on Windows, libuv's UV_ECONNRESET/.test(e.message));
  assert.throws(() => explainErrno('-4095'), (e: unknown) => e instanceof UnknownErrnoError && /libuv's UV_EOF/.test(e.message));
});

test('sockscope errno -4077 / -4058 / -4091: the entry, a line saying it is Node\'s err.errno on Windows, the number in the Node line', () => {
  for (const [code, name] of [['-4077', 'ECONNRESET'], ['-4058', 'ENOENT'], ['-4091', 'EADDRINUSE']]) {
    for (const extra of [[], ['--platform', 'windows']]) {
      const r = run('errno', code, ...extra);
      assert.equal(r.status, 0, `${code} ${extra.join(' ')}: ${r.stderr}`);
      const oneLine = r.stdout.replace(/\n(?!\n)/g, ' ');
      assert.match(oneLine, new RegExp(`^Read as a Node\\.js err\\.errno on Windows: libuv's UV_${name} \\(${code}\\), which Node\\.js reports as err\\.code '${name}'`), code);
      assert.match(r.stdout, new RegExp(`\\n\\n${name}: `), code);
      assert.match(r.stdout, new RegExp(`\\n  Node\\.js   err\\.code [^\\n]*; err\\.errno [^\\n]*Windows ${code}\\n`), code);
    }
  }
  const json = JSON.parse(run('errno', '-4077', '--json').stdout);
  assert.deepEqual(json.libuvWindowsReading, { name: 'UV_ECONNRESET', number: -4077 });
  assert.equal(json.matches[0].libuvWindows, -4077);
  // By name too, the Node line gives err.errno per platform.
  assert.match(run('errno', 'ECONNRESET').stdout, /\n  Node\.js   err\.code 'ECONNRESET' \(also on Windows\); err\.errno Linux -104, macOS -54, Windows -4077\n/);
  const linux = run('errno', '-4077', '--platform', 'linux');
  assert.equal(linux.status, 2);
  assert.match(linux.stderr, /^sockscope: no linux error has number 4077 \(-4077 read as 4077\); -4077 is Node\.js err\.errno on Windows, libuv's UV_ECONNRESET/);
});

// Node takes err.code and err.errno on Windows from one call, libuv's uv_translate_sys_error() (src/win/error.c):
// the Winsock error's translation, not the UV_E* number of the POSIX twin's name (WSAEPROTOTYPE -> UV_UNKNOWN, -4094).
const TRANSLATED: [string, string, number][] = [
  ['EPROTOTYPE', 'UNKNOWN', -4094], ['EINTR', 'ECANCELED', -4081], ['ESHUTDOWN', 'EPIPE', -4047], ['EOPNOTSUPP', 'UNKNOWN', -4094],
  ['ENOPROTOOPT', 'UNKNOWN', -4094], ['ENETDOWN', 'UNKNOWN', -4094], ['EHOSTDOWN', 'UNKNOWN', -4094], ['ELOOP', 'UNKNOWN', -4094],
  ['EDESTADDRREQ', 'UNKNOWN', -4094], ['EBADF', 'UNKNOWN', -4094], ['ENAMETOOLONG', 'UNKNOWN', -4094], ['ENOTEMPTY', 'UNKNOWN', -4094],
  // Right before: the Winsock twin translates to the libuv code of the same name.
  ['ECONNRESET', 'ECONNRESET', -4077], ['EADDRINUSE', 'EADDRINUSE', -4091], ['EAGAIN', 'EAGAIN', -4088], ['ETIMEDOUT', 'ETIMEDOUT', -4039],
];

test('err.errno on Windows is the number of the err.code libuv translates the Winsock error to (WSAEPROTOTYPE: UNKNOWN -4094, WSAEINTR: ECANCELED -4081, WSAESHUTDOWN: EPIPE -4047)', () => {
  for (const [name, code, n] of TRANSLATED) {
    const e = explainErrno(name).matches[0];
    assert.equal(e.node.windows, code, name);
    assert.equal(e.libuvWindows, n, name);
    const json = JSON.parse(run('errno', name, '--json').stdout);
    assert.equal(json.matches[0].libuvWindows, n, `${name} --json`);
    const r = run('errno', name);
    assert.equal(r.status, 0, r.stderr);
    const line = /\n  Node\.js   (err\.code [^]*?)\n  Python/.exec(r.stdout)?.[1].replace(/\s+/g, ' ');
    assert.ok(line, `${name}: ${r.stdout}`);
    if (code !== name) assert.match(line, new RegExp(`Windows '${code}'.*Windows ${n}$`), name);
    else assert.match(line, new RegExp(`'${code}' \\(also on Windows\\).*Windows ${n}$`), name);
  }
  // No Winsock twin (ENOENT comes from ERROR_FILE_NOT_FOUND and friends): libuv's code of its own name.
  assert.equal(explainErrno('ENOENT').matches[0].libuvWindows, -4058);
});
