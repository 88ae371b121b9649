// `sockscope config` through the built CLI: origins in text and JSON, exit 2 on an invalid file, unprivileged run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js'); // bin/sockscope runs this; called directly so the test can pick cwd and env

function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-cfgcli-'));
  const home = join(root, 'home');
  const cwd = join(root, 'project');
  mkdirSync(home);
  mkdirSync(cwd);
  return { root, home, cwd };
}

const run = (cwd: string, env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '', ...env },
  });

test('config shows each value with its source; --json has origins, thresholds and keymap', () => {
  const s = scratch();
  try {
    writeFileSync(join(s.cwd, 'sockscope.yaml'), 'intervalMs: 2000\nthresholds:\n  closeWaitCount: 5\n');
    const text = run(s.cwd, { HOME: s.home, DEFAULT_BUFFER_SIZE: '8192' }, 'config');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /bufferSize\s+8192\s+environment DEFAULT_BUFFER_SIZE/);
    assert.match(text.stdout, new RegExp(`intervalMs\\s+2000\\s+project file ${join(s.cwd, 'sockscope.yaml')}`));
    assert.match(text.stdout, /closeWaitCount\s+5 \(default 10\)\s+project file/);
    assert.match(text.stdout, /defaultLanguage\s+"c"\s+default/);
    const j = run(s.cwd, { HOME: s.home }, 'config', '--json', '--source', 'ss');
    assert.equal(j.status, 0, j.stderr);
    const doc = JSON.parse(j.stdout);
    assert.equal(doc.config.source, 'ss');
    assert.deepEqual(doc.origins.source, { origin: 'flag', detail: '--source' });
    assert.equal(doc.origins.bufferSize.origin, 'default');
    assert.equal(doc.thresholds.find((t: { name: string }) => t.name === 'closeWaitCount').value, 5);
    assert.ok(doc.keymap.some((k: { command: string }) => k.command === 'quit'));
    assert.equal(doc.files.length, 3);
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});

test('an invalid config file is exit 2 with one line naming the file and the key', () => {
  const s = scratch();
  try {
    mkdirSync(join(s.home, '.config', 'sockscope'), { recursive: true });
    const file = join(s.home, '.config', 'sockscope', 'config.yaml');
    writeFileSync(file, 'intervalMs: 5\n');
    const r = run(s.cwd, { HOME: s.home }, 'config');
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, new RegExp(`^sockscope: ${file}: intervalMs: .*>=100, got 5`));
    const env = run(s.cwd, { HOME: s.home, XDG_CONFIG_HOME: join(s.root, 'elsewhere'), DEFAULT_BUFFER_SIZE: 'big' }, 'config');
    assert.equal(env.status, 2);
    assert.match(env.stderr, /environment DEFAULT_BUFFER_SIZE/);
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});

test('an unknown defaultIoModel or keymap key is exit 2 for config and generate-server alike, naming the file, the key and what is allowed', () => {
  const s = scratch();
  try {
    const file = join(s.cwd, 'sockscope.yaml');
    writeFileSync(file, 'defaultIoModel: bogus\n');
    for (const args of [['config'], ['generate-server', '--language', 'python', '--output', join(s.cwd, 'x.py')]]) {
      const r = run(s.cwd, { HOME: s.home }, ...args);
      assert.equal(r.status, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^sockscope: ${file}: defaultIoModel: unknown IO model "bogus"; allowed: c: epoll, .*python: asyncio, selectors, threads; node: event-loop\n$`));
    }
    assert.equal(existsSync(join(s.cwd, 'x.py')), false, 'nothing generated with a fallback model');
    writeFileSync(file, 'keymap:\n  pause: [notakey]\n');
    const k = run(s.cwd, { HOME: s.home }, 'config');
    assert.equal(k.status, 2, k.stdout);
    assert.match(k.stderr, new RegExp(`^sockscope: ${file}: keymap.pause: unknown key "notakey"; a key is one character .*space, or ctrl\\+a`));
    // A model of another language than the default one is a valid default: python servers get it.
    writeFileSync(file, 'defaultIoModel: threads\n');
    const g = run(s.cwd, { HOME: s.home }, 'generate-server', '--language', 'python', '--json');
    assert.equal(g.status, 0, g.stderr);
    assert.equal(JSON.parse(g.stdout).options.ioModel, 'threads');
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});

test('a __proto__ (or constructor) entry under thresholds: or keymap: is exit 2 naming the file and the entry, not dropped', () => {
  const s = scratch();
  try {
    const file = join(s.cwd, 'sockscope.yaml');
    const cases: [string, RegExp][] = [
      ['thresholds:\n  __proto__:\n    closeWaitCount: 1\n', /thresholds\.__proto__: unknown threshold\n$/],
      ['keymap:\n  __proto__: [z]\n', /keymap\.__proto__: unknown keymap command\n$/],
      ['thresholds:\n  constructor: 1\n', /thresholds\.constructor: unknown threshold\n$/],
      ['keymap:\n  toString: [z]\n', /keymap\.toString: unknown keymap command\n$/],
    ];
    for (const [text, expected] of cases) {
      writeFileSync(file, text);
      const r = run(s.cwd, { HOME: s.home }, 'config');
      assert.equal(r.status, 2, `${text}: ${r.stdout}`);
      assert.ok(r.stderr.startsWith(`sockscope: ${file}: `), r.stderr);
      assert.match(r.stderr, expected);
    }
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});

test('a threshold value out of its range, or a warning level above its critical one, is exit 2 naming the file and the keys', () => {
  const s = scratch();
  try {
    const file = join(s.cwd, 'sockscope.yaml');
    const cases: [string, RegExp][] = [
      ['thresholds:\n  persistSamples: 2.5\n  windowSeconds: 0\n  fdRatio: 1.5\n  fdCriticalRatio: 0.1\n  closeWaitCount: 500\n  closeWaitCritical: 5\n', /thresholds\.persistSamples: expected a whole number of samples from 1 to 9007199254740991, got 2\.5\n$/],
      ['thresholds:\n  windowSeconds: 0\n', /thresholds\.windowSeconds: expected a number of seconds > 0, got 0\n$/],
      ['thresholds:\n  fdRatio: 1.5\n', /thresholds\.fdRatio: expected a ratio > 0 and <= 1, got 1\.5\n$/],
      ['thresholds:\n  fdCriticalRatio: 0.1\n', /thresholds\.fdCriticalRatio: 0\.1 is below thresholds\.fdRatio 0\.8 \(its default; set fdRatio too\): a warning level must not be above its critical level\n$/],
      ['thresholds:\n  closeWaitCount: 500\n  closeWaitCritical: 5\n', /thresholds\.closeWaitCount: 500 is above thresholds\.closeWaitCritical 5: a warning level must not be above its critical level\n$/],
    ];
    for (const [text, expected] of cases) {
      writeFileSync(file, text);
      const r = run(s.cwd, { HOME: s.home }, 'config');
      assert.equal(r.status, 2, `${text}: ${r.stdout}`);
      assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      assert.ok(r.stderr.startsWith(`sockscope: ${file}: `), r.stderr);
      assert.match(r.stderr, expected);
    }
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});

test('README\'s sockscope config example is the real output (elided at its ... lines)', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('### sockscope config'));
  const open = section.indexOf('```\n') + 4;
  const block = section.slice(open, section.indexOf('\n```', open));
  const lines = block.split('\n');
  const yaml = lines.slice(lines.indexOf('$ cat sockscope.yaml') + 1, lines.indexOf('$ DEFAULT_BUFFER_SIZE=8192 sockscope config'));
  const shown = lines.slice(lines.indexOf('$ DEFAULT_BUFFER_SIZE=8192 sockscope config') + 1, lines.findIndex((l) => l.startsWith("$ echo 'bufferSize: 64k'")));
  assert.ok(yaml.length > 3 && shown.length > 20, 'README has the example');
  const s = scratch();
  try {
    writeFileSync(join(s.cwd, 'sockscope.yaml'), `${yaml.join('\n')}\n`);
    const r = run(s.cwd, { HOME: s.home, DEFAULT_BUFFER_SIZE: '8192' }, 'config');
    assert.equal(r.status, 0, r.stderr);
    // The README's paths are /tmp/readme-demo and /home/dev; column widths follow the paths, so blanks are compared as one.
    const norm = (l: string) => l.replaceAll(s.cwd, '/tmp/readme-demo').replaceAll(s.home, '/home/dev').replace(/\s+/g, ' ').trimEnd();
    const real = r.stdout.trimEnd().split('\n').map(norm);
    let at = 0;
    let elided = false;
    for (const line of shown) {
      if (line === '...') {
        elided = true;
        continue;
      }
      const want = norm(line);
      const found = real.indexOf(want, at);
      assert.ok(found >= 0, `README line not in the output (in order): ${JSON.stringify(line)}`);
      assert.ok(elided || found === at, `README leaves out lines before ${JSON.stringify(line)} without a ... line`);
      at = found + 1;
      elided = false;
    }
    assert.ok(elided || at === real.length, 'the example ends where the output does, or with ...');
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});

test('config works for an unprivileged user with an unreadable home', () => {
  const s = scratch();
  try {
    chmodSync(s.root, 0o755);
    chmodSync(s.cwd, 0o755);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'config', '--json'], {
      cwd: s.cwd,
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent' },
    });
    assert.equal(r.status, 0, r.stderr + (r.error ? String(r.error) : ''));
    assert.equal(JSON.parse(r.stdout).files[0].path, '/nonexistent/.config/sockscope/config.yaml');
  } finally {
    rmSync(s.root, { recursive: true, force: true });
  }
});
