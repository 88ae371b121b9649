// A task whose --output cannot be written leaves nothing behind (review-api defect 4): a generate-server task with
// --output /proc/res.json wrote the generated file first, then failed on the result, so the next run failed with
// file-exists. --output is now probed (a file created and removed in its directory) before the task runs, and a
// result that still cannot be written (a full file system) takes the files the task wrote with it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-unwritable-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function task(args: string[], prefix: string[] = []) {
  const cmd = prefix.length ? prefix[0] : process.execPath;
  const argv = prefix.length ? [...prefix.slice(1), process.execPath, BIN, 'task', ...args] : [BIN, 'task', ...args];
  const r = spawnSync(cmd, argv, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { status: r.status, doc: r.stdout.trim() ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

test('--output /proc/res.json (no new files there) and /sys/res.json: exit 1 output-unwritable before any file is generated', () => {
  writeFileSync(join(dir, 'g1.json'), JSON.stringify({ operation: 'generate-server', language: 'python', output: 'g1.py' }));
  for (const out of ['/proc/res.json', '/sys/res.json']) {
    const r = task(['g1.json', '--output', out]);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.doc.ok, false);
    assert.equal(r.doc.error.code, 'output-unwritable');
    assert.match(r.doc.error.message, new RegExp(`^cannot write ${out}: `));
    assert.equal(existsSync(join(dir, 'g1.py')), false, `no g1.py after --output ${out}`);
  }
  // The next run with a writable --output is not refused as file-exists.
  const ok = task(['g1.json', '--output', 'res.json']);
  assert.equal(ok.status, 0, JSON.stringify(ok.doc) + ok.stderr);
  assert.ok(existsSync(join(dir, 'g1.py')) && existsSync(join(dir, 'res.json')));
  // No probe file left in the result's directory (it is named as the writer's temporary file: .NAME.PID.HEX.tmp).
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.')), []);
});

test('--output in a directory that does not exist yet still works (the writer creates it)', () => {
  writeFileSync(join(dir, 'e.json'), JSON.stringify({ operation: 'errno', code: 104 }));
  const r = task(['e.json', '--output', 'new/sub/res.json']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'new/sub/res.json')));
});

test('a result that cannot be written after the files were generated (full file system): the files are removed', (t) => {
  // A 4 KiB tmpfs in a mount namespace of our own: the probe's empty file fits, the result (the server's source in it) does not.
  const mnt = join(dir, 'small');
  mkdirSync(mnt);
  const probe = spawnSync('unshare', ['-m', 'true']);
  if (probe.status !== 0) {
    t.skip('unshare -m is not available here');
    return;
  }
  writeFileSync(join(dir, 'g2.json'), JSON.stringify({ operation: 'generate-server', language: 'c', output: 'g2.c' }));
  const script = `mount -t tmpfs -o size=4k tmpfs '${mnt}' && exec "$@"`;
  const r = task(['g2.json', '--output', join(mnt, 'res.json')], ['unshare', '-m', 'sh', '-c', script, 'sh']);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.doc.error.code, 'output-unwritable');
  assert.match(r.doc.error.message, /no space left|No space left/i);
  assert.match(r.doc.error.message, /removed the files the task wrote \(g2\.c\)/);
  assert.equal(existsSync(join(dir, 'g2.c')), false, 'g2.c removed');
  // So the same task runs again.
  const again = task(['g2.json', '--output', 'res2.json']);
  assert.equal(again.status, 0, JSON.stringify(again.doc));
});

test('a result that cannot be written after generation: the directories the generator created go too, innermost first, only if empty', (t) => {
  const mnt = join(dir, 'small2');
  mkdirSync(mnt);
  if (spawnSync('unshare', ['-m', 'true']).status !== 0) {
    t.skip('unshare -m is not available here');
    return;
  }
  // config.output in directories that do not exist: the writer creates newdir and newdir/sub for it. 'kept' existed
  // before the run (empty): it stays, only kept/new goes.
  mkdirSync(join(dir, 'kept'));
  writeFileSync(join(dir, 'g3.json'), JSON.stringify({ operation: 'generate', type: 'tcp-server', config: { port: 9099, output: 'newdir/sub/server.c' } }));
  writeFileSync(join(dir, 'g4.json'), JSON.stringify({ operation: 'generate-server', language: 'python', output: 'kept/new/g4.py' }));
  const script = `mount -t tmpfs -o size=4k tmpfs '${mnt}' && exec "$@"`;
  const r = task(['g3.json', '--output', join(mnt, 'res.json')], ['unshare', '-m', 'sh', '-c', script, 'sh']);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.doc.error.code, 'output-unwritable');
  assert.match(r.doc.error.message, /removed the files the task wrote \(newdir\/sub\/server\.c, newdir\/sub\/, newdir\/\)/, r.doc.error.message);
  assert.equal(existsSync(join(dir, 'newdir')), false, 'newdir and newdir/sub removed');
  const r4 = task(['g4.json', '--output', join(mnt, 'res.json')], ['unshare', '-m', 'sh', '-c', script, 'sh']);
  assert.equal(r4.status, 1, r4.stderr);
  assert.match(r4.doc.error.message, /removed the files the task wrote \(kept\/new\/g4\.py, kept\/new\/\)/, r4.doc.error.message);
  assert.equal(existsSync(join(dir, 'kept/new')), false);
  assert.ok(existsSync(join(dir, 'kept')), 'a directory that was there before stays');
  // "force": true: a file in a directory this run created is new all the same, so it and the directory go.
  writeFileSync(join(dir, 'g5.json'), JSON.stringify({ operation: 'generate-server', language: 'python', output: 'fdir/g5.py', force: true }));
  const r5 = task(['g5.json', '--output', join(mnt, 'res.json')], ['unshare', '-m', 'sh', '-c', script, 'sh']);
  assert.equal(r5.status, 1, r5.stderr);
  assert.match(r5.doc.error.message, /removed the files the task wrote \(fdir\/g5\.py, fdir\/\)/, r5.doc.error.message);
  assert.equal(existsSync(join(dir, 'fdir')), false);
  // The same tasks run again.
  for (const g of ['g3.json', 'g4.json']) {
    const again = task([g, '--output', `res-${g}`]);
    assert.equal(again.status, 0, JSON.stringify(again.doc));
  }
  assert.ok(existsSync(join(dir, 'newdir/sub/server.c')) && existsSync(join(dir, 'kept/new/g4.py')));
});

test('--output with a 230-character file name: the probe is no longer than the writer\'s temporary name, so a writable result is written', () => {
  writeFileSync(join(dir, 'e2.json'), JSON.stringify({ operation: 'errno', code: 104 }));
  const name = `${'r'.repeat(225)}.json`; // the writer's temporary name is 252 characters at most (a 7-digit pid), within 255
  const r = task(['e2.json', '--output', name]);
  assert.equal(r.status, 0, JSON.stringify(r.doc) + r.stderr);
  assert.equal(JSON.parse(readFileSync(join(dir, name), 'utf8')).ok, true);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.')), []);
  // A name too long for the temporary file is refused before the task runs, in words, not with Node's message.
  const long = `${'l'.repeat(245)}.json`;
  const refused = task(['e2.json', '--output', long]);
  assert.equal(refused.status, 1, refused.stderr);
  assert.equal(refused.doc.error.code, 'output-unwritable');
  assert.match(refused.doc.error.message, new RegExp(`^cannot write ${long}: the name is too long \\(`), refused.doc.error.message);
  assert.doesNotMatch(refused.doc.error.message, /ENAMETOOLONG/);
  assert.equal(existsSync(join(dir, long)), false);
});
