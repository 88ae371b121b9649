// The kqueue server's Build line is the BSD/macOS command, which fails on Linux (sys/event.h: no such file), and
// the manifest's libkqueue instruction was declared "not rendered" (review s23): the file header, the CLI's next
// steps and --json now carry it as buildNote, with the real file names. The portable file's Windows command too.
// Each note's command is run: the portable one with the real MinGW cross compiler; the kqueue one with a
// pkg-config on PATH that points at test/codegen/kqueue-stub and compiles only (-c): libkqueue is packaged in no
// Debian release this project's CI uses, so linking it is not tested here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve('bin/sockscope');
const STUB = resolve('test/codegen/kqueue-stub');
const gen = (dir: string, args: string[]) => spawnSync(BIN, ['generate-server', '--language', 'c', ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
/** The command after the note's ": " (the note says where it applies, then the command). */
const noteCommand = (note: string) => note.slice(note.indexOf(': ') + 2).replace(/ \(or in a Windows command prompt: .*\)$/, '');

test('kqueue: the Linux build with libkqueue is in the header, the next steps and --json, and it compiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-buildnote-'));
  try {
    const r = gen(dir, ['--io-model', 'kqueue', '--output', 'k q.c']);
    assert.equal(r.status, 0, r.stderr);
    const want = `cc -std=c11 -O2 -Wall -Wextra -pedantic -o './k q' 'k q.c' $(pkg-config --cflags --libs libkqueue)`;
    const note = r.stdout.split('\n').find((l) => l.startsWith('Note:'));
    assert.ok(note?.includes('libkqueue') && note.endsWith(want), r.stdout);
    assert.ok(readFileSync(join(dir, 'k q.c'), 'utf8').split('\n').slice(0, 15).some((l) => l.includes('Note:') && l.endsWith(want)), 'header');
    const json = JSON.parse(gen(dir, ['--io-model', 'kqueue', '--output', 'k q.c', '--json', '--force']).stdout) as { buildNote: string | null };
    assert.ok(json.buildNote?.endsWith(want), json.buildNote ?? 'null');
    // pkg-config standing in for libkqueue's .pc: the stub's headers, compile only.
    writeFileSync(join(dir, 'pkg-config'), `#!/bin/sh\necho "-I${STUB} -c"\n`);
    chmodSync(join(dir, 'pkg-config'), 0o755);
    const cc = spawnSync('sh', ['-c', noteCommand(json.buildNote!)], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    assert.equal(cc.status, 0, cc.stderr);
    assert.equal(cc.stderr, '');
    // Without the note's flags the Build line's command fails on Linux, which is why the note is there.
    const plain = spawnSync('sh', ['-c', `cc -std=c11 -c -o /dev/null 'k q.c'`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.match(plain.stderr, /sys\/event\.h/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('portable: the note\'s Windows command builds a PE executable with MinGW; epoll has no note', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-buildnote-'));
  try {
    const r = gen(dir, ['--platform', 'portable', '--io-model', 'poll', '--output', 'p.c', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { buildNote: string | null; files: { path: string; content: string }[] };
    writeFileSync(join(dir, 'p.c'), doc.files[0].content);
    assert.equal(doc.buildNote, 'the same file builds for Windows: x86_64-w64-mingw32-gcc -std=c11 -O2 -Wall -Wextra -pedantic -o ./p.exe p.c -lws2_32 (or in a Windows command prompt: cl p.c; a pragma links ws2_32)');
    // cl runs under cmd.exe, where '...' is no quoting (diff review s23): a name with a space in double quotes there,
    // in POSIX quotes in the MinGW command run here.
    const spaced = JSON.parse(gen(dir, ['--platform', 'portable', '--io-model', 'poll', '--output', 'sub dir/my srv.c', '--json']).stdout) as { buildNote: string };
    assert.equal(spaced.buildNote, `the same file builds for Windows: x86_64-w64-mingw32-gcc -std=c11 -O2 -Wall -Wextra -pedantic -o 'sub dir/my srv'.exe 'sub dir/my srv.c' -lws2_32 (or in a Windows command prompt: cl "sub dir/my srv.c"; a pragma links ws2_32)`);
    const have = spawnSync('x86_64-w64-mingw32-gcc', ['--version']);
    assert.ok(!have.error, 'x86_64-w64-mingw32-gcc is missing (apt-get install mingw-w64)');
    const cc = spawnSync('sh', ['-c', noteCommand(doc.buildNote!)], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(cc.status, 0, cc.stderr);
    assert.equal(readFileSync(join(dir, 'p.exe')).subarray(0, 2).toString('latin1'), 'MZ');
    const epoll = JSON.parse(gen(dir, ['--io-model', 'epoll', '--json']).stdout) as { buildNote: string | null };
    assert.equal(epoll.buildNote, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
