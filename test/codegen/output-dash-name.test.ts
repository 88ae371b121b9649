// An output name beginning with '-' (generate-server --output=-x.c): the printed Build/Run/Regenerate lines
// put it after an option-taking program as it was (`cc ... -o ./-x -x.c`, `python3 -x.py`, `--output -x.c`),
// where it reads as an option. They must name it ./-x.c. Run for real: the printed build command in a shell,
// and the regenerate command through bin/sockscope, which must write the same file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = `${ROOT}bin/sockscope`;
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-dash-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function sh(cmd: string, cwd: string) {
  return spawnSync('/bin/sh', ['-c', cmd], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: `${ROOT}bin:${process.env.PATH}` } });
}

describe('output names beginning with -', () => {
  it('C: the printed build command builds ./-x and the regenerate command writes the same file', () => {
    const dir = join(tmp, 'c');
    mkdirSync(dir);
    const r = spawnSync(process.execPath, [BIN, 'generate-server', '--language', 'c', '--output=-x.c'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const build = /^Build: +(.*)$/m.exec(r.stdout)![1];
    const run = /^Run: +(.*)$/m.exec(r.stdout)![1];
    assert.equal(run, './-x');
    const b = sh(build, dir);
    assert.equal(b.status, 0, `${build}\n${b.stderr}`);
    assert.ok(existsSync(join(dir, '-x')), 'the binary ./-x');
    const content = readFileSync(join(dir, '-x.c'), 'utf8');
    assert.ok(content.includes(` * Build: ${build}\n`));
    const regen = /^ \* Regenerate: (.*)$/m.exec(content)![1];
    assert.match(regen, /--output \.\/-x\.c$/);
    const again = join(tmp, 'c-again');
    mkdirSync(again);
    const g = sh(regen, again);
    assert.equal(g.status, 0, `${regen}\n${g.stderr}`);
    assert.equal(readFileSync(join(again, '-x.c'), 'utf8'), content);
  });

  it('Python and Node: the run command names ./-x.py, ./-x.mjs; a ./-x.c output builds ./-x, not -x', () => {
    const dir = join(tmp, 'py');
    mkdirSync(dir);
    for (const [lang, file, run] of [
      ['python', '-x.py', 'python3 ./-x.py'],
      ['node', '-x.mjs', 'node ./-x.mjs'],
    ]) {
      const r = spawnSync(process.execPath, [BIN, 'generate-server', '--language', lang, `--output=${file}`, '--json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).runCommand, run);
    }
    const r = spawnSync(process.execPath, [BIN, 'generate-server', '--language', 'c', '--output', './-y.c', '--json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.match(j.buildCommand, / -o \.\/-y \.\/-y\.c$/);
    assert.equal(j.runCommand, './-y');
    // The same join() made `--output ./s.c` print `-o s ./s.c` and "Run: s" (looked up in PATH).
    const s = spawnSync(process.execPath, [BIN, 'generate-server', '--language', 'c', '--output', './s.c', '--json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(JSON.parse(s.stdout).runCommand, './s');
  });
});

describe('C output without the .c extension', () => {
  // `--output=-` or `--output srv` printed `cc ... -o ./- ./-` ("input file is the same as output file"): cc reads
  // an extensionless file as a linker script and the binary would be the file itself. Refused, naming the fix.
  for (const name of ['-', 'srv', 'sub/srv', 'srv.txt', 'srv.C', 'srv.cc']) {
    it(`--output=${name} is refused (exit 2), nothing written`, () => {
      const dir = join(tmp, `noext-${name.replace(/\W/g, '_')}`);
      mkdirSync(dir);
      const r = spawnSync(process.execPath, [BIN, 'generate-server', '--language', 'c', `--output=${name}`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /a C server's file needs the \.c extension .*; e\.g\. .*\.c$/m);
      assert.ok(!existsSync(join(dir, name)), 'nothing written');
    });
  }
  it('Python and Node files may have no extension (python3 srv and node srv run them)', () => {
    const dir = join(tmp, 'noext-py');
    mkdirSync(dir);
    for (const language of ['python', 'node']) {
      const r = spawnSync(process.execPath, [BIN, 'generate-server', '--language', language, `--output=srv-${language}`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
    }
  });
  it('a symbolic link to a directory is a name without .c: refused even with --force, the link kept', () => {
    // The check followed the link (stat) and took it for a directory, which the writer refuses; but the writer
    // looks at the link itself (lstat), so --force replaced the link with a file and printed `cc ... -o ./lnk lnk`.
    const dir = join(tmp, 'noext-symlink');
    mkdirSync(join(dir, 'd'), { recursive: true });
    symlinkSync('d', join(dir, 'lnk'));
    const r = spawnSync(process.execPath, [BIN, 'generate-server', '--language', 'c', '--output', 'lnk', '--force'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /a C server's file needs the \.c extension .*; e\.g\. lnk\.c$/m);
    assert.ok(lstatSync(join(dir, 'lnk')).isSymbolicLink(), 'the link is still there');
  });
});
