// Configuration: default validity, fixtures (valid/ and invalid/), precedence and origins, environment, flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ConfigSchema, ConfigFileSchema, DEFAULT_CONFIG, THRESHOLD_NAMES, KEYMAP_COMMANDS, NAMED_KEYS, isKeyName } from '../../src/config/schema.js';
import { DEFAULT_KEYMAP, keyName, splitKeys, type InkKey } from '../../src/ui/keymap.js';
import { GEN_LANGUAGES, IO_MODELS, IO_MODEL_ALIASES } from '../../src/codegen/options.js';
import { loadConfig, userConfigPath } from '../../src/config/load.js';
import { loadCliConfig, loadConfigWithoutFiles } from '../../src/config/resolve.js';
import { UsageError } from '../../src/cli/errors.js';

const FIX = 'test/fixtures/config';

/** A scratch HOME and project directory; `fixture` placed as sockscope.yaml or as the babysitter skill file. */
function sandbox(): { home: string; cwd: string; place: (fixture: string) => string; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-config-'));
  const home = join(root, 'home');
  const cwd = join(root, 'project');
  mkdirSync(home);
  mkdirSync(cwd);
  return {
    home,
    cwd,
    place(fixture: string) {
      const skill = basename(fixture).startsWith('skill-');
      const dest = skill ? join(cwd, '.babysitter', 'skills', 'socket-programming.yaml') : join(cwd, 'sockscope.yaml');
      mkdirSync(join(dest, '..'), { recursive: true });
      copyFileSync(fixture, dest);
      return dest;
    },
    done: () => rmSync(root, { recursive: true, force: true }),
  };
}

test('the default config is valid (full schema and as a file)', () => {
  assert.deepEqual(ConfigSchema.parse(DEFAULT_CONFIG), DEFAULT_CONFIG);
  assert.ok(ConfigFileSchema.safeParse(DEFAULT_CONFIG).success);
  assert.ok(THRESHOLD_NAMES.length > 10 && KEYMAP_COMMANDS.includes('quit'));
});

test('no files, empty environment: every value is the default', () => {
  const sb = sandbox();
  try {
    const r = loadConfig({ cwd: sb.cwd, env: { HOME: sb.home } });
    assert.deepEqual(r.config, DEFAULT_CONFIG);
    for (const o of Object.values(r.origins)) assert.equal(o.origin, 'default');
    assert.deepEqual(r.files.map((f) => f.found), [false, false, false]);
    assert.equal(r.files[0].path, join(sb.home, '.config', 'sockscope', 'config.yaml'));
  } finally {
    sb.done();
  }
});

for (const name of readdirSync(join(FIX, 'valid'))) {
  test(`valid fixture ${name} loads`, () => {
    const sb = sandbox();
    try {
      sb.place(join(FIX, 'valid', name));
      const r = loadConfig({ cwd: sb.cwd, env: { HOME: sb.home } });
      assert.ok(ConfigSchema.safeParse(r.config).success);
    } finally {
      sb.done();
    }
  });
}

for (const name of readdirSync(join(FIX, 'invalid'))) {
  test(`invalid fixture ${name}: UsageError naming the file and the key`, () => {
    const text = readFileSync(join(FIX, 'invalid', name), 'utf8');
    const expect = /^# expect: (.+)$/m.exec(text)?.[1];
    assert.ok(expect, `${name} needs a "# expect:" line`);
    const sb = sandbox();
    try {
      const path = sb.place(join(FIX, 'invalid', name));
      assert.throws(
        () => loadConfig({ cwd: sb.cwd, env: { HOME: sb.home } }),
        (e: unknown) => {
          assert.ok(e instanceof UsageError, String(e));
          assert.ok(e.message.startsWith(path), `message should start with the file: ${e.message}`);
          assert.ok(e.message.includes(expect), `expected "${expect}" in: ${e.message}`);
          assert.ok(!e.message.includes('\n'), 'one line');
          return true;
        },
      );
    } finally {
      sb.done();
    }
  });
}

test('precedence: defaults < user file < skill file < sockscope.yaml < environment < flags, with origins', () => {
  const sb = sandbox();
  try {
    const userFile = userConfigPath({ HOME: sb.home })!;
    mkdirSync(join(userFile, '..'), { recursive: true });
    writeFileSync(userFile, 'defaultLanguage: python\nbufferSize: 1024\nintervalMs: 500\nthresholds:\n  closeWaitCount: 7\n  synRecvCount: 64\n');
    mkdirSync(join(sb.cwd, '.babysitter', 'skills'), { recursive: true });
    const skill = join(sb.cwd, '.babysitter', 'skills', 'socket-programming.yaml');
    writeFileSync(skill, 'socket-programming:\n  defaultLanguage: node\n  bufferSize: 2048\n  generateComments: false\n');
    const project = join(sb.cwd, 'sockscope.yaml');
    writeFileSync(project, 'bufferSize: 4096\nthresholds:\n  synRecvCount: 32\n');
    const r = loadConfig({ cwd: sb.cwd, env: { HOME: sb.home, DEFAULT_BUFFER_SIZE: '8192', SOCKET_DEBUG: 'true', NO_COLOR: '1' }, flags: { source: 'ss', bufferSize: 16384 } });
    assert.equal(r.config.intervalMs, 500);
    assert.deepEqual(r.origins.intervalMs, { origin: 'user-file', detail: userFile });
    assert.equal(r.config.defaultLanguage, 'node');
    assert.deepEqual(r.origins.defaultLanguage, { origin: 'project-file', detail: skill });
    assert.equal(r.config.generateComments, false);
    assert.equal(r.config.bufferSize, 16384);
    assert.deepEqual(r.origins.bufferSize, { origin: 'flag', detail: '--buffer-size' });
    assert.equal(r.config.debug, true);
    assert.deepEqual(r.origins.debug, { origin: 'env', detail: 'SOCKET_DEBUG' });
    assert.equal(r.config.color, false);
    assert.deepEqual(r.origins.color, { origin: 'env', detail: 'NO_COLOR' });
    assert.equal(r.config.source, 'ss');
    assert.equal(r.config.defaultIoModel, 'epoll');
    assert.equal(r.origins.defaultIoModel.origin, 'default');
    // maps merge per entry
    assert.deepEqual(r.config.thresholds, { closeWaitCount: 7, synRecvCount: 32 });
    assert.deepEqual(r.entryOrigins['thresholds.closeWaitCount'], { origin: 'user-file', detail: userFile });
    assert.deepEqual(r.entryOrigins['thresholds.synRecvCount'], { origin: 'project-file', detail: project });
    assert.deepEqual(r.files.map((f) => f.found), [true, true, true]);
    // without the flag the environment wins over the files
    assert.equal(loadConfig({ cwd: sb.cwd, env: { HOME: sb.home, DEFAULT_BUFFER_SIZE: '8192' } }).config.bufferSize, 8192);
    assert.equal(loadConfig({ cwd: sb.cwd, env: { HOME: sb.home } }).config.bufferSize, 4096);
  } finally {
    sb.done();
  }
});

test('XDG_CONFIG_HOME moves the user file; a relative XDG_CONFIG_HOME is ignored (XDG spec)', () => {
  const sb = sandbox();
  try {
    const xdg = join(sb.home, 'xdg');
    mkdirSync(join(xdg, 'sockscope'), { recursive: true });
    writeFileSync(join(xdg, 'sockscope', 'config.yaml'), 'intervalMs: 250\n');
    const r = loadConfig({ cwd: sb.cwd, env: { HOME: sb.home, XDG_CONFIG_HOME: xdg } });
    assert.equal(r.config.intervalMs, 250);
    assert.equal(r.origins.intervalMs.detail, join(xdg, 'sockscope', 'config.yaml'));
    assert.equal(userConfigPath({ HOME: sb.home, XDG_CONFIG_HOME: 'relative/dir' }), join(sb.home, '.config', 'sockscope', 'config.yaml'));
  } finally {
    sb.done();
  }
});

test('environment values are validated and named in the error', () => {
  const sb = sandbox();
  try {
    const load = (env: Record<string, string>) => loadConfig({ cwd: sb.cwd, env: { HOME: sb.home, ...env } });
    assert.throws(() => load({ DEFAULT_BUFFER_SIZE: '64k' }), /^UsageError: environment DEFAULT_BUFFER_SIZE: expected a whole number/);
    assert.throws(() => load({ DEFAULT_BUFFER_SIZE: '100' }), /environment DEFAULT_BUFFER_SIZE: .*>=512/);
    assert.throws(() => load({ SOCKET_DEBUG: 'maybe' }), /environment SOCKET_DEBUG: expected true or false/);
    assert.equal(load({ SOCKET_DEBUG: '1' }).config.debug, true);
    assert.equal(load({ SOCKET_DEBUG: 'false' }).config.debug, false);
    assert.equal(load({ NO_COLOR: '' }).config.color, true, 'empty NO_COLOR does not count (no-color.org)');
  } finally {
    sb.done();
  }
});

test('an empty SOCKET_DEBUG counts as unset, like an empty DEFAULT_BUFFER_SIZE or NO_COLOR: the files decide', async () => {
  const sb = sandbox();
  try {
    const userFile = userConfigPath({ HOME: sb.home })!;
    mkdirSync(join(userFile, '..'), { recursive: true });
    writeFileSync(userFile, 'debug: true\ncolor: false\nbufferSize: 4096\n');
    for (const empty of ['', ' ']) {
      const env = { HOME: sb.home, SOCKET_DEBUG: empty, DEFAULT_BUFFER_SIZE: empty, NO_COLOR: '' };
      for (const r of [loadConfig({ cwd: sb.cwd, env }), await loadCliConfig({ cwd: sb.cwd, env })]) {
        assert.equal(r.config.debug, true, JSON.stringify(empty));
        assert.deepEqual(r.origins.debug, { origin: 'user-file', detail: userFile });
        assert.deepEqual(r.origins.bufferSize, { origin: 'user-file', detail: userFile });
        assert.deepEqual(r.origins.color, { origin: 'user-file', detail: userFile });
      }
    }
    // A value still counts, false included.
    const off = loadConfig({ cwd: sb.cwd, env: { HOME: sb.home, SOCKET_DEBUG: 'false' } });
    assert.equal(off.config.debug, false);
    assert.deepEqual(off.origins.debug, { origin: 'env', detail: 'SOCKET_DEBUG' });
  } finally {
    sb.done();
  }
});

test('thresholds and keymap: names are own keys of the input; __proto__, constructor, toString are unknown, not dropped or inherited', () => {
  const issue = (input: unknown) => {
    const r = ConfigFileSchema.safeParse(input);
    assert.ok(!r.success, `accepted: ${JSON.stringify(input)}`);
    return `${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`;
  };
  // JSON.parse (like YAML) makes __proto__ an own key.
  assert.equal(issue(JSON.parse('{"thresholds": {"__proto__": {"closeWaitCount": 1}}}')), 'thresholds.__proto__: unknown threshold');
  assert.equal(issue(JSON.parse('{"thresholds": {"__proto__": 1}}')), 'thresholds.__proto__: unknown threshold');
  assert.equal(issue(JSON.parse('{"keymap": {"__proto__": ["z"]}}')), 'keymap.__proto__: unknown keymap command');
  for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    assert.match(issue({ thresholds: { [name]: 1 } }), new RegExp(`^thresholds\\.${name}: unknown threshold`));
    assert.match(issue({ keymap: { [name]: ['z'] } }), new RegExp(`^keymap\\.${name}: unknown keymap command`));
  }
  // Known names still pass, next to nothing else.
  assert.ok(ConfigFileSchema.safeParse(JSON.parse('{"thresholds": {"closeWaitCount": 5}, "keymap": {"pause": ["p"]}}')).success);
});

test('flags are validated like a file and named as flags', () => {
  const sb = sandbox();
  try {
    const load = (flags: Record<string, unknown>) => loadConfig({ cwd: sb.cwd, env: { HOME: sb.home }, flags: flags as never });
    assert.throws(() => load({ bufferSize: 1 }), /^UsageError: --buffer-size: .*>=512, got 1$/);
    assert.throws(() => load({ source: 'lsof' }), /--source: /);
    assert.deepEqual(load({ intervalMs: 300, color: undefined }).origins.intervalMs, { origin: 'flag', detail: '--interval-ms' });
  } finally {
    sb.done();
  }
});

test('loadCliConfig answers what loadConfig does; without a file, an environment setting or a flag it needs neither zod nor YAML', async () => {
  const sb = sandbox();
  try {
    // Nothing to validate: the quick path (resolve.ts) answers, with the defaults.
    for (const env of [{ HOME: sb.home }, { HOME: sb.home, NO_COLOR: '', DEFAULT_BUFFER_SIZE: '  ', SOCKET_DEBUG: '' }, { HOME: sb.home, SOCKET_DEBUG: ' ' }]) {
      const quick = loadConfigWithoutFiles({ cwd: sb.cwd, env });
      assert.ok(quick, 'no file, no setting, no flag: the quick path answers');
      assert.deepEqual(quick, loadConfig({ cwd: sb.cwd, env }));
      assert.deepEqual(await loadCliConfig({ cwd: sb.cwd, env }), quick);
    }
    // The environment sets something: validated by load.ts (zod), same answers and same errors.
    for (const env of [{ SOCKET_DEBUG: 'yes' }, { NO_COLOR: '1' }, { DEFAULT_BUFFER_SIZE: ' 4096 ' }, { SOCKET_DEBUG: 'off' }]) {
      const e = { HOME: sb.home, ...env };
      assert.equal(loadConfigWithoutFiles({ cwd: sb.cwd, env: e }), undefined, JSON.stringify(env));
      assert.deepEqual(await loadCliConfig({ cwd: sb.cwd, env: e }), loadConfig({ cwd: sb.cwd, env: e }));
    }
    for (const env of [{ DEFAULT_BUFFER_SIZE: '100' }, { DEFAULT_BUFFER_SIZE: '64k' }, { SOCKET_DEBUG: 'maybe' }]) {
      const e = { HOME: sb.home, ...env };
      const message = (() => {
        try {
          loadConfig({ cwd: sb.cwd, env: e });
        } catch (err) {
          return (err as Error).message;
        }
        return 'no error';
      })();
      await assert.rejects(loadCliConfig({ cwd: sb.cwd, env: e }), (err: Error) => err instanceof UsageError && err.message === message);
    }
    // Flags, or any config file, take the validating path.
    assert.equal(loadConfigWithoutFiles({ cwd: sb.cwd, env: { HOME: sb.home }, flags: { intervalMs: 500 } }), undefined);
    assert.equal((await loadCliConfig({ cwd: sb.cwd, env: { HOME: sb.home }, flags: { intervalMs: 500 } })).config.intervalMs, 500);
    writeFileSync(join(sb.cwd, 'sockscope.yaml'), 'intervalMs: 2000\n');
    assert.equal(loadConfigWithoutFiles({ cwd: sb.cwd, env: { HOME: sb.home } }), undefined);
    assert.equal((await loadCliConfig({ cwd: sb.cwd, env: { HOME: sb.home } })).config.intervalMs, 2000);
    writeFileSync(join(sb.cwd, 'sockscope.yaml'), 'intervalMs: 5\n');
    await assert.rejects(loadCliConfig({ cwd: sb.cwd, env: { HOME: sb.home } }), (err: Error) => err instanceof UsageError && /sockscope\.yaml: intervalMs: /.test(err.message));
  } finally {
    sb.done();
  }
});

test('keymap keys: the names keyName and splitKeys give are accepted, nothing else', () => {
  // Every special key Ink reports, through keyName: NAMED_KEYS is exactly this set plus space.
  const flags: (keyof InkKey)[] = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageUp', 'pageDown', 'home', 'end', 'return', 'escape', 'tab', 'backspace', 'delete'];
  const named = new Set(flags.map((f) => keyName('', { [f]: true })));
  named.add(keyName(' ', {}));
  assert.deepEqual([...named].sort(), [...NAMED_KEYS].sort());
  for (const k of [...named, ...DEFAULT_KEYMAP.flatMap((b) => b.keys)]) assert.ok(isKeyName(k), k);
  // Ctrl+letter as Ink reports it (input is the letter); Ctrl-H/I/J/M arrive as backspace, tab, enter.
  for (const c of 'abcdefgklnopqrstuvwxyz') assert.ok(isKeyName(keyName(c, { ctrl: true })), c);
  for (const c of 'hijm') assert.ok(!isKeyName(`ctrl+${c}`), c);
  // One printable character as typed, whole chunks split by splitKeys included.
  for (const [k] of splitKeys('qG?é+\u00e9€', {})) assert.ok(isKeyName(k), k);
  for (const k of ['notakey', '', ' ', 'Enter', 'ctrl+C', 'ctrl+', 'ctrl+1', 'delete', 'f1', 'qq', '\t', '\u001b', '\u0085', '\u007f']) assert.ok(!isKeyName(k), JSON.stringify(k));
});

test('defaultIoModel: any language\'s IO model or alias is accepted, the list comes from codegen', () => {
  for (const l of GEN_LANGUAGES)
    for (const m of [...IO_MODELS[l], ...Object.keys(IO_MODEL_ALIASES[l])]) assert.ok(ConfigFileSchema.safeParse({ defaultIoModel: m }).success, m);
  assert.ok(ConfigFileSchema.safeParse({ defaultLanguage: 'node', defaultIoModel: 'io_uring' }).success, 'another language than the default one');
  const r = ConfigFileSchema.safeParse({ defaultIoModel: 'bogus' });
  assert.ok(!r.success);
  assert.match(r.error.issues[0].message, new RegExp(`allowed: .*${IO_MODELS.python.join(', ')}`));
});

test('keymap: a rebinding onto a fixed key clashes (quit keeps Ctrl-C after quit: [Q])', async () => {
  const sb = sandbox();
  try {
    const env = { HOME: sb.home };
    writeFileSync(join(sb.cwd, 'sockscope.yaml'), 'keymap:\n  quit: [Q]\n  pause: [ctrl+c]\n');
    await assert.rejects(loadCliConfig({ cwd: sb.cwd, env }), (err: Error) => err instanceof UsageError && /keymap\.pause: ctrl\+c always quits; it cannot be bound to pause$/.test(err.message));
    writeFileSync(join(sb.cwd, 'sockscope.yaml'), 'keymap:\n  quit: [Q]\n  pause: [P]\n');
    assert.deepEqual((await loadCliConfig({ cwd: sb.cwd, env })).config.keymap, { quit: ['Q'], pause: ['P'] });
  } finally {
    sb.done();
  }
});
