// A config file the user may not read, through the built CLI run as uid 65534 (setpriv; the suite runs as
// root, which reads everything). Hidden by a directory or by the file's own mode, it is left out alike:
// `sockscope config` lists it as not readable, every other command warns once on stderr and goes on with
// the rest; an invalid readable file is still exit 2. The warning says which: a file there but not readable
// is "ignoring PATH: not readable", one behind a directory the user may not search is "cannot check PATH:
// DIR is not searchable" (whether it exists cannot be known: HOME=/root as nobody warned "not readable"
// for a file that did not exist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { escapeControl } from '../../src/model/escape.js';

const CLI = resolve('dist/cli.js');
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

interface Setup {
  root: string;
  home: string;
  cwd: string;
  /** The user file, holding `bufferSize: 4096`. */
  file: string;
}

/**
 * A root-owned user file with `bufferSize: 4096`, out of uid 65534's reach: `dir` puts it in a 0700 home
 * (its existence cannot be told), `file` makes the file 0600 in directories anyone may search.
 */
function setup(hiddenBy: 'dir' | 'file'): Setup {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-cfgperm-'));
  chmodSync(root, 0o755);
  // A control character in the path: the warning must show it escaped, as `sockscope config` does.
  const home = join(root, 'home\u001b[31m');
  const cwd = join(root, 'project');
  const dir = join(home, '.config', 'sockscope');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  mkdirSync(cwd, { mode: 0o755 });
  const file = join(dir, 'config.yaml');
  writeFileSync(file, 'bufferSize: 4096\n', { mode: 0o644 });
  if (hiddenBy === 'dir') chmodSync(home, 0o700);
  else chmodSync(file, 0o600);
  return { root, home, cwd, file };
}

/** Runs the CLI as `nobody` (or as root with asRoot) in the project directory. */
function run(s: Setup, args: string[], asRoot = false) {
  const cmd = asRoot ? [process.execPath, CLI, ...args] : ['setpriv', ...NOBODY, process.execPath, CLI, ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: s.cwd, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', HOME: s.home } });
  // No skip: without setpriv (util-linux) this cannot be checked, and CI runs as root with it.
  assert.equal(r.error, undefined, `could not run ${cmd[0]}: ${r.error?.message}`);
  return r;
}

for (const hiddenBy of ['dir', 'file'] as const) {
  test(`a user file hidden by its ${hiddenBy === 'dir' ? 'directory' : 'own mode'}: config shows "not readable (EACCES)", other commands warn once and go on`, () => {
    const s = setup(hiddenBy);
    const shown = escapeControl(s.file);
    const warning =
      hiddenBy === 'dir'
        ? `sockscope: cannot check ${shown}: ${escapeControl(s.home)} is not searchable by this user (EACCES)\n`
        : `sockscope: ignoring ${shown}: not readable (EACCES)\n`;
    try {
      // The check itself works: root reads the file, so it is the permission that hides it below.
      const asRoot = run(s, ['config', '--json'], true);
      assert.equal(asRoot.status, 0, asRoot.stderr);
      assert.equal(JSON.parse(asRoot.stdout).config.bufferSize, 4096);

      const text = run(s, ['config']);
      assert.equal(text.status, 0, text.stderr);
      assert.equal(text.stderr, '', 'config lists the state itself: no warning line');
      assert.match(text.stdout, /^bufferSize\s+65536\s+default$/m);
      const line = text.stdout.split('\n').find((l) => l.includes('user file ') && l.includes(shown));
      assert.ok(line, `a Files line for ${shown} in:\n${text.stdout}`);
      assert.match(line, /\s{2}not readable \(EACCES\)$/);
      assert.doesNotMatch(text.stdout, /\u001b/, 'the path is escaped');

      const json = run(s, ['config', '--json']);
      assert.equal(json.status, 0, json.stderr);
      assert.equal(json.stderr, '');
      assert.deepEqual(JSON.parse(json.stdout).files[0], { kind: 'user-file', path: s.file, found: false, unreadable: 'EACCES' });

      // A command that does not depend on the config: one warning on stderr, stdout is its JSON alone.
      const errno = run(s, ['errno', '104', '--json']);
      assert.equal(errno.status, 0, errno.stderr);
      assert.equal(errno.stderr, warning);
      assert.equal(JSON.parse(errno.stdout).query, '104');

      // generate-server loads the configuration twice (the CLI's middleware, then the command): still one line.
      const gen = run(s, ['generate-server', '--language', 'python', '--json']);
      assert.equal(gen.status, 0, gen.stderr);
      assert.equal(gen.stderr, warning);
      assert.equal(JSON.parse(gen.stdout).options.bufferSize, 65536, 'the ignored file set nothing');
    } finally {
      rmSync(s.root, { recursive: true, force: true });
    }
  });
}

test('with an unreadable user file, a readable project file still applies and an invalid one is still exit 2', () => {
  const s = setup('file');
  try {
    const project = join(s.cwd, 'sockscope.yaml');
    // A file to validate: load.ts (zod, YAML) answers, not resolve.ts's path for "nothing to read".
    writeFileSync(project, 'intervalMs: 2000\n', { mode: 0o644 });
    const json = run(s, ['config', '--json']);
    assert.equal(json.status, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.config.intervalMs, 2000);
    assert.equal(doc.config.bufferSize, 65536);
    assert.deepEqual(
      doc.files.map((f: { found: boolean; unreadable?: string }) => [f.found, f.unreadable]),
      [
        [false, 'EACCES'],
        [false, undefined],
        [true, undefined],
      ],
    );
    const errno = run(s, ['errno', '104']);
    assert.equal(errno.status, 0, errno.stderr);
    assert.equal(errno.stderr, `sockscope: ignoring ${escapeControl(s.file)}: not readable (EACCES)\n`);

    writeFileSync(project, 'intervalMs: 5\n');
    for (const args of [['config'], ['errno', '104']]) {
      const bad = run(s, args);
      assert.equal(bad.status, 2, `${args[0]}: ${bad.stdout}`);
      assert.equal(bad.stdout, '');
      assert.match(bad.stderr, new RegExp(`^sockscope: ${project}: intervalMs: .*>=100, got 5\n$`));
    }
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});

test('a user file that does not exist behind a directory the user may not search: "cannot check", never "not readable"', () => {
  const s = setup('dir');
  try {
    rmSync(s.file);
    // As nobody with HOME=/root: whether the file is there cannot be known, so the warning says only what is known.
    const errno = run(s, ['errno', '104', '--json']);
    assert.equal(errno.status, 0, errno.stderr);
    assert.equal(errno.stderr, `sockscope: cannot check ${escapeControl(s.file)}: ${escapeControl(s.home)} is not searchable by this user (EACCES)\n`);
    assert.equal(JSON.parse(errno.stdout).query, '104');
    // A missing file in directories anyone may search stays silent.
    chmodSync(s.home, 0o755);
    const open = run(s, ['errno', '104', '--json']);
    assert.equal(open.status, 0, open.stderr);
    assert.equal(open.stderr, '');
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});
