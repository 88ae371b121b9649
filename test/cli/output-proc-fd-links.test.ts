// An output name whose symbolic link chain goes through a process's open file (/proc/self/fd/N, /dev/fd/N) or into
// /dev is never replaced, even with --force / "force": true, whatever that file is at the moment. Before, specialKind
// followed `so -> /proc/self/fd/1` to stdout's target: with stdout sent to a regular file (`> captured.txt`) that was
// "not special", and --force renamed the result over the link itself (as root, the system's /dev/stdout). Every link
// here is made in a scratch directory, pointing at /proc/self/fd/1 or /dev/fd/1: never a real /dev path replaced.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, lstatSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesAtomic } from '../../src/codegen/index.js';
import { specialKind } from '../../src/codegen/output-target.js';
import { generateServerFiles } from '../../src/api/generate.js';
import { InvalidInputError } from '../../src/api/errors.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-procfd-out-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'ok.json'), '{"operation":"errno","code":"104"}');
symlinkSync('/proc/self/fd/1', join(dir, 'so'));
symlinkSync('/dev/fd/1', join(dir, 'devfd'));
symlinkSync('so', join(dir, 'so2')); // a chain: so2 -> so -> /proc/self/fd/1
symlinkSync('/proc/self/fd', join(dir, 'fds')); // fds/1 is /proc/<pid>/fd/1 itself
symlinkSync('/proc/self/fd/1', join(dir, 'so.c'));

/** Runs the CLI with stdout sent to a regular file (as `> captured.txt`): what it printed, and the exit status. */
function runToFile(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const out = join(dir, `captured-${Math.random().toString(36).slice(2)}.txt`);
  const fd = openSync(out, 'w');
  try {
    const r = spawnSync(BIN, args, { cwd: dir, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', fd, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    return { status: r.status, stdout: readFileSync(out, 'utf8'), stderr: r.stderr };
  } finally {
    closeSync(fd);
  }
}

const KINDS: Record<string, string> = {
  so: "symbolic link to a process's open file (/proc/self/fd/1)",
  devfd: 'symbolic link into /dev (/dev/fd/1)',
  so2: "symbolic link to a process's open file (/proc/self/fd/1)",
  'fds/1': "process's open file (/proc/PID/fd)",
};

test('task --output: a link to /proc/self/fd/1 or /dev/fd/1 with stdout in a regular file is refused, with or without --force (exit 2, no --force advice)', () => {
  for (const [name, kind] of Object.entries(KINDS)) {
    for (const force of [[], ['--force']]) {
      const r = runToFile('task', 'ok.json', '--output', name, ...force);
      assert.equal(r.status, 2, `${name} ${force}: ${r.stdout}${r.stderr}`);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.error.code, 'output-exists');
      assert.equal(doc.error.message, `${name} is a ${kind}, not a file; it is never replaced, not even with --force (choose another --output)`);
      assert.doesNotMatch(doc.error.message, /pass --force/);
      if (name !== 'fds/1') assert.ok(lstatSync(join(dir, name)).isSymbolicLink(), `${name} was replaced`);
    }
  }
});

test('generate-server --output: a link to /proc/self/fd/1 with stdout in a regular file is refused even with --force', () => {
  for (const force of [[], ['--force']]) {
    const r = runToFile('generate-server', '--language', 'c', '--output', 'so.c', ...force);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stderr, `sockscope: so.c is a symbolic link to a process's open file (/proc/self/fd/1), not a file; it is never replaced, not even with --force (choose another --output)\n`);
    assert.ok(lstatSync(join(dir, 'so.c')).isSymbolicLink());
  }
});

test('library: a link to this process\'s open regular file is never replaced (generateServerFiles, writeFilesAtomic with force); into /dev neither', () => {
  const held = join(dir, 'held.txt');
  writeFileSync(held, 'mine');
  const fd = openSync(held, 'r');
  try {
    const link = join(dir, 'mine.py');
    symlinkSync(`/proc/self/fd/${fd}`, link);
    const kind = `symbolic link to a process's open file (/proc/self/fd/${fd})`;
    assert.equal(specialKind(link), kind);
    assert.throws(
      () => generateServerFiles({ language: 'python', output: link, force: true }),
      (e) => e instanceof InvalidInputError && e.message === `${link} is a ${kind}, not a file; it is never replaced, not even with "force": true (choose another output)`,
    );
    assert.throws(() => writeFilesAtomic([{ path: link, content: 'x' }], { force: true }), /it is a symbolic link to a process's open file/);
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(held, 'utf8'), 'mine');
  } finally {
    closeSync(fd);
  }
  // A link into /dev (to a name nothing has there: the check reads links only) is refused too; a plain link is not.
  const todev = join(dir, 'todev.py');
  symlinkSync('/dev/sockscope-no-such-node', todev);
  assert.equal(specialKind(todev), 'symbolic link into /dev (/dev/sockscope-no-such-node)');
  assert.throws(() => writeFilesAtomic([{ path: todev, content: 'x' }], { force: true }), /symbolic link into \/dev/);
  assert.ok(lstatSync(todev).isSymbolicLink());
  symlinkSync('held.txt', join(dir, 'plain.py'));
  assert.equal(specialKind(join(dir, 'plain.py')), undefined);
});
