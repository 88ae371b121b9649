// Where sockscope looks for its config files, through the built CLI: a current directory whose name is not
// UTF-8, HOME empty or relative, a config file that is a symlink loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js');

function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-cfgloc-'));
  const home = join(root, 'home');
  const cwd = join(root, 'project');
  mkdirSync(home);
  mkdirSync(cwd);
  return { root, home, cwd, done: () => rmSync(root, { recursive: true, force: true }) };
}

/** The CLI run from `dir` (a shell's printf: the name may hold bytes Node's cwd option cannot express). */
function runIn(root: string, dir: string, env: Record<string, string>, ...args: string[]) {
  return spawnSync('sh', ['-c', 'cd "$(printf "$1")" && shift && exec "$@"', 'sh', dir, process.execPath, CLI, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
}

test('a project file in a directory whose name is not UTF-8 is read; its path is shown \\xff (\\udcff in --json), never U+FFFD', { timeout: 60_000 }, () => {
  const s = scratch();
  try {
    // bad\xffdir: made by the shell, as the user would
    const dir = 'bad\\377dir';
    const made = spawnSync('sh', ['-c', 'mkdir "$(printf "$1")"', 'sh', dir], { cwd: s.root });
    assert.equal(made.status, 0);
    const put = (text: string) => spawnSync('sh', ['-c', 'printf "%s" "$2" > "$(printf "$1")/sockscope.yaml"', 'sh', dir, text], { cwd: s.root });
    put('bufferSize: abc\n');
    const bad = runIn(s.root, dir, { HOME: s.home }, 'config');
    assert.equal(bad.status, 2, bad.stdout);
    assert.equal(bad.stderr, `sockscope: ${s.root}/bad\\xffdir/sockscope.yaml: bufferSize: expected number, received string, got "abc"\n`);
    const gen = runIn(s.root, dir, { HOME: s.home }, 'generate-server', '--stdout');
    assert.equal(gen.status, 2, 'generate-server reads it too');
    assert.ok(gen.stderr.includes('bad\\xffdir/sockscope.yaml: bufferSize'), gen.stderr);
    put('bufferSize: 4096\n');
    const text = runIn(s.root, dir, { HOME: s.home }, 'config');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /bufferSize\s+4096\s+project file \S+\/bad\\xffdir\/sockscope\.yaml\n/);
    assert.ok(!text.stdout.includes('\ufffd'), text.stdout);
    const json = runIn(s.root, dir, { HOME: s.home }, 'config', '--json');
    assert.equal(json.status, 0, json.stderr);
    assert.ok(json.stdout.includes('bad\\udcffdir/sockscope.yaml'), json.stdout);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.files[2].path, `${s.root}/bad\udcffdir/sockscope.yaml`);
    assert.equal(doc.files[2].found, true);
  } finally {
    s.done();
  }
});

test('HOME empty or relative: no user file (not .config/sockscope/config.yaml in the current directory), and config says so', { timeout: 60_000 }, () => {
  const s = scratch();
  try {
    mkdirSync(join(s.cwd, '.config', 'sockscope'), { recursive: true });
    writeFileSync(join(s.cwd, '.config', 'sockscope', 'config.yaml'), 'bufferSize: 2048\n');
    mkdirSync(join(s.cwd, 'rel', '.config', 'sockscope'), { recursive: true });
    writeFileSync(join(s.cwd, 'rel', '.config', 'sockscope', 'config.yaml'), 'bufferSize: 1024\n');
    for (const home of ['', 'rel']) {
      const text = runIn(s.root, 'project', { HOME: home }, 'config');
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /bufferSize\s+65536\s+default\n/, `HOME=${home}`);
      assert.match(text.stdout, new RegExp(`user file\\s+~/\\.config/sockscope/config\\.yaml\\s+not looked for: HOME is not an absolute path \\("${home}"\\)\n`));
      const doc = JSON.parse(runIn(s.root, 'project', { HOME: home }, 'config', '--json').stdout);
      assert.deepEqual(doc.files[0], { kind: 'user-file', path: '~/.config/sockscope/config.yaml', found: false, notLookedFor: `HOME is not an absolute path ("${home}")` });
    }
    // An absolute XDG_CONFIG_HOME still names it.
    const xdg = runIn(s.root, 'project', { HOME: '', XDG_CONFIG_HOME: join(s.cwd, '.config') }, 'config');
    assert.match(xdg.stdout, /bufferSize\s+2048\s+user file /);
  } finally {
    s.done();
  }
});

test('a config file that is a symlink loop is exit 2 naming the file (only EACCES/EPERM are left out as unreadable)', { timeout: 60_000 }, () => {
  const s = scratch();
  try {
    symlinkSync('sockscope.yaml', join(s.cwd, 'sockscope.yaml'));
    for (const args of [['config'], ['errno', '104']]) {
      const r = runIn(s.root, 'project', { HOME: s.home }, ...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.equal(r.stderr, `sockscope: ${join(s.cwd, 'sockscope.yaml')}: cannot read: ELOOP: too many symbolic links encountered\n`);
    }
    // The user file alike.
    rmSync(join(s.cwd, 'sockscope.yaml'));
    mkdirSync(join(s.home, '.config', 'sockscope'), { recursive: true });
    const user = join(s.home, '.config', 'sockscope', 'config.yaml');
    symlinkSync('config.yaml', user);
    const r = runIn(s.root, 'project', { HOME: s.home }, 'config');
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `sockscope: ${user}: cannot read: ELOOP: too many symbolic links encountered\n`);
  } finally {
    s.done();
  }
});
