// generate-server's Build and Run lines are commands to copy: 17d1c791 escaped every next-steps line, so a path holding an
// invisible character printed `Build: cc ... -o './zw\u200bx' 'zw\u200bx.c'`, which the shell reads literally inside
// single quotes (another file: cc: error: zw\u200bx.c: No such file). Now they are printed as the file's header and
// --json's buildCommand have them (the shell reads the real name back), while the Wrote and Created lines, for
// reading, stay escaped (the created directory's absolute path holds the current directory's name: system text).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const hasCc = spawnSync('cc', ['--version']).status === 0;
const run = (args: string[], cwd: string) => spawnSync(BIN, args, { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
/** The words a POSIX shell reads in `cmd`. */
const words = (cmd: string) => spawnSync('sh', ['-c', `printf '%s\\0' ${cmd}`], { encoding: 'utf8' }).stdout.split('\0').slice(0, -1);
const line = (out: string, head: string) => out.split('\n').find((l) => l.startsWith(head))?.slice(head.length).trim();

describe('generate-server: the Build and Run lines run as printed', () => {
  let top = '';
  before(() => {
    top = mkdtempSync(join(tmpdir(), 'sockscope-gen-copy-'));
  });
  after(() => {
    if (top) rmSync(top, { recursive: true, force: true });
  });

  it('a path with U+200B: the printed Build command builds the file written, Run names its binary; Wrote shows it escaped', { skip: !hasCc && 'no cc' }, () => {
    const cwd = join(top, 'zw');
    mkdirSync(cwd);
    const r = run(['generate-server', '--language', 'c', '--output', 'zw\u200bx.c'], cwd);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Wrote zw\\u200bx\.c$/m);
    const build = line(r.stdout, 'Build:');
    const runCmd = line(r.stdout, 'Run:');
    assert.ok(build && runCmd, r.stdout);
    assert.ok(!build.includes('\\u200b'), `the Build line escaped: ${build}`);
    // As the user pastes it: the shell reads the words back, cc finds the file written and makes the binary Run names.
    const b = spawnSync('sh', ['-c', build], { cwd, encoding: 'utf8', timeout: 60_000 });
    assert.equal(b.status, 0, `${build}\n${b.stderr}`);
    assert.ok(existsSync(join(cwd, 'zw\u200bx')), 'the binary under the real name');
    assert.deepEqual(words(runCmd), ['./zw\u200bx']);
  });

  it('a path with U+202E (a bidi override) in Python: Run names the file written', () => {
    const cwd = join(top, 'py');
    mkdirSync(cwd);
    const r = run(['generate-server', '--language', 'python', '--output', 'a\u202eb.py'], cwd);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Wrote a\\u202eb\.py$/m);
    const runCmd = line(r.stdout, 'Run:');
    assert.ok(runCmd, r.stdout);
    // The shell's reading of the Run command's last word is the file written.
    const word = words(runCmd).at(-1) ?? '';
    assert.equal(word, 'a\u202eb.py');
    assert.ok(existsSync(join(cwd, word)));
  });
});
