// An output path that is a character or block device, a FIFO or a socket, or a symbolic link to one (/dev/stdout
// -> /proc/self/fd/1 -> a pipe or a terminal), is refused with exit 2 naming what it is, even with --force / "force":
// true, and the message does not advise --force. Before, --force renamed a regular file over it: `task ... --output
// /dev/null --force` run as root replaced the system's /dev/null. A regular file, a link to one and a dangling link
// keep their behaviour (refused without force, replaced with it). Every node here is made in a scratch directory
// (mknod where allowed, mkfifo, a listening Unix socket, symbolic links to /dev/null): never a real device path.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesAtomic } from '../../src/codegen/index.js';
import { specialKind } from '../../src/codegen/output-target.js';
import { generateServerFiles } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-special-out-'));
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});
writeFileSync(join(dir, 'ok.json'), '{"operation":"errno","code":"104"}');

const run = (...args: string[]) => spawnSync(BIN, args, { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });

/** A character device (mknod c 1 3, a /dev/null of our own) when allowed, else undefined. */
function charDevice(name: string): string | undefined {
  const r = spawnSync('mknod', ['-m', '666', join(dir, name), 'c', '1', '3']);
  return r.status === 0 ? name : undefined;
}

async function socketAt(name: string): Promise<string> {
  const srv = createServer().listen(join(dir, name));
  await new Promise((r) => srv.once('listening', r));
  servers.push(srv);
  return name;
}

/** Every kind of node, named `base.EXT`, with the kind the message must say. */
async function nodes(base: string, ext: string): Promise<{ name: string; kind: string }[]> {
  const out: { name: string; kind: string }[] = [];
  const dev = charDevice(`${base}-dev.${ext}`);
  if (dev) out.push({ name: dev, kind: 'character device' });
  const fifo = `${base}-fifo.${ext}`;
  assert.equal(spawnSync('mkfifo', [join(dir, fifo)]).status, 0);
  out.push({ name: fifo, kind: 'FIFO' });
  out.push({ name: await socketAt(`${base}-sock.${ext}`), kind: 'socket' });
  const link = `${base}-link.${ext}`;
  symlinkSync('/dev/null', join(dir, link));
  out.push({ name: link, kind: 'symbolic link to a character device' });
  return out;
}

/** The node is still what it was (not replaced by a regular file). */
function unchanged(name: string, kind: string): void {
  const st = lstatSync(join(dir, name));
  assert.ok(!st.isFile(), `${name} was replaced by a regular file`);
  if (kind.startsWith('symbolic link')) assert.ok(st.isSymbolicLink(), name);
}

test('task --output: a device, a FIFO, a socket or a link to a device is refused, with or without --force (exit 2, no --force advice)', async () => {
  for (const { name, kind } of await nodes('task', 'json')) {
    for (const force of [[], ['--force']]) {
      const r = run('task', 'ok.json', '--output', name, ...force);
      assert.equal(r.status, 2, `${name} ${force}: ${r.stdout}${r.stderr}`);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.error.code, 'output-exists');
      assert.equal(doc.error.message, `${name} is a ${kind}, not a file; it is never replaced, not even with --force (choose another --output)`);
      assert.doesNotMatch(doc.error.message, /pass --force/);
      unchanged(name, kind);
    }
  }
});

test('task --output: a regular file and a link to one are still replaced with --force, refused without', () => {
  writeFileSync(join(dir, 'plain.json'), 'old');
  symlinkSync('plain.json', join(dir, 'tofile.json'));
  symlinkSync('nowhere', join(dir, 'dangling.json'));
  for (const name of ['plain.json', 'tofile.json', 'dangling.json']) {
    const r = run('task', 'ok.json', '--output', name);
    assert.equal(r.status, 2, r.stdout);
    assert.match(JSON.parse(r.stdout).error.message, /already exists; pass --force/);
    const f = run('task', 'ok.json', '--output', name, '--force');
    assert.equal(f.status, 0, f.stdout + f.stderr);
    assert.ok(lstatSync(join(dir, name)).isFile(), name);
    assert.equal(JSON.parse(readFileSync(join(dir, name), 'utf8')).ok, true);
  }
});

test('generate-server --output: a device, a FIFO, a socket or a link to a device is refused even with --force (exit 2)', async () => {
  for (const { name, kind } of await nodes('gen', 'c')) {
    for (const force of [[], ['--force']]) {
      const r = run('generate-server', '--output', name, ...force);
      assert.equal(r.status, 2, `${name} ${force}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stderr, `sockscope: ${name} is a ${kind}, not a file; it is never replaced, not even with --force (choose another --output)\n`);
      assert.equal(r.stdout, '');
      unchanged(name, kind);
    }
  }
});

test('library: generateServerFiles with "force": true and writeFilesAtomic with force refuse such a node', async () => {
  const [fifo, sock] = ['lib.py', 'lib-sock.py'].map((n) => join(dir, n));
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  await socketAt('lib-sock.py');
  for (const [p, kind] of [
    [fifo, 'FIFO'],
    [sock, 'socket'],
  ]) {
    assert.equal(specialKind(p), kind);
    assert.throws(
      () => generateServerFiles({ language: 'python', output: p, force: true }),
      (e) => e instanceof InvalidInputError && e.message === `${p} is a ${kind}, not a file; it is never replaced, not even with "force": true (choose another output)` && e.issues[0].path === 'output',
    );
    assert.throws(() => writeFilesAtomic([{ path: p, content: 'x' }], { force: true }), new RegExp(`cannot write .*: it is a ${kind}, not a file`));
    assert.ok(!lstatSync(p).isFile());
  }
});
