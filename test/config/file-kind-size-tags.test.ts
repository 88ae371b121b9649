// A config file sockscope must not read as YAML, or not all of: a FIFO or device (it blocked every command, or
// read /dev/zero until memory ran out), a file above the size limit (the parser's duplicate-key check was
// quadratic: 40,000 keys took 10 s), custom tags (the parser printed its warnings on stderr), and numbers that
// zod described by JavaScript's limits (Infinity shown as null) instead of the value as written and the range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN_DIR } from '../helpers/bash-completion.js';
import { CONFIG_FILE_MAX_BYTES, loadConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/cli/errors.js';

function project(): { home: string; cwd: string; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-cfgkind-'));
  mkdirSync(join(root, 'home'));
  mkdirSync(join(root, 'p'));
  return { home: join(root, 'home'), cwd: join(root, 'p'), done: () => rmSync(root, { recursive: true, force: true }) };
}

/** `sockscope config` in `cwd` (a separate process: a blocking read would hang this one). */
function config(cwd: string, home: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(BIN_DIR, 'sockscope'), 'config'], { cwd, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, HOME: home, ...env } });
}

/** The UsageError message loadConfig gives, or undefined. */
function loadError(cwd: string, home: string, env: Record<string, string> = {}): string | undefined {
  try {
    loadConfig({ cwd, env: { HOME: home, ...env } });
    return undefined;
  } catch (e) {
    assert.ok(e instanceof UsageError, String(e));
    return e.message;
  }
}

test('a FIFO or a character device as the config file: exit 2 naming the file and what it is, at once', { timeout: 60_000 }, () => {
  const p = project();
  try {
    const file = join(p.cwd, 'sockscope.yaml');
    execFileSync('mkfifo', [file]);
    const started = Date.now();
    const fifo = config(p.cwd, p.home);
    assert.equal(fifo.error, undefined, 'no hang');
    assert.equal(fifo.status, 2, fifo.stderr);
    assert.equal(fifo.stderr, `sockscope: ${file}: is a FIFO, expected a YAML file\n`);
    assert.ok(Date.now() - started < 10_000);
    rmSync(file);
    symlinkSync('/dev/zero', file);
    const zero = config(p.cwd, p.home);
    assert.equal(zero.status, 2, zero.stderr);
    assert.equal(zero.stderr, `sockscope: ${file}: is a character device, expected a YAML file\n`);
    // The user file too (a symlink followed to what it names).
    rmSync(file);
    mkdirSync(join(p.home, '.config', 'sockscope'), { recursive: true });
    symlinkSync('/dev/null', join(p.home, '.config', 'sockscope', 'config.yaml'));
    assert.match(loadError(p.cwd, p.home) ?? '', /config\.yaml: is a character device, expected a YAML file$/);
  } finally {
    p.done();
  }
});

test(`a config file above ${CONFIG_FILE_MAX_BYTES} bytes is refused naming the limit; at the limit, many keys parse fast`, { timeout: 60_000 }, () => {
  const p = project();
  try {
    const file = join(p.cwd, 'sockscope.yaml');
    const keys = (bytes: number, indent = '') => {
      let s = 'thresholds:\n';
      for (let i = 0; s.length < bytes - 40; i++) s += `${indent}  k${i.toString(36)}: 1\n`;
      return s;
    };
    // The reviewer's case: 40,000 keys, 389 KB (10 s in the parser before, then an unknown-key error).
    writeFileSync(file, keys(389_000));
    let started = Date.now();
    assert.equal(loadError(p.cwd, p.home), `${file}: larger than 64 KiB, the limit for a config file`);
    assert.ok(Date.now() - started < 1000, `refused before parsing: ${Date.now() - started} ms`);
    writeFileSync(file, 'bufferSize: 4096\n' + ' '.repeat(CONFIG_FILE_MAX_BYTES));
    assert.match(loadError(p.cwd, p.home) ?? '', /larger than 64 KiB/);
    // Just under the limit, ~8,000 keys and a duplicate at the end: found in one pass, with its line.
    const text = keys(CONFIG_FILE_MAX_BYTES - 20) + '  k0: 2\n';
    assert.ok(text.length <= CONFIG_FILE_MAX_BYTES);
    writeFileSync(file, text);
    started = Date.now();
    const line = text.split('\n').length - 1;
    assert.equal(loadError(p.cwd, p.home), `${file}:${line}:3: thresholds.k0: key given twice (first on line 2); YAML map keys must be unique`);
    const ms = Date.now() - started;
    assert.ok(ms < 1000, `${ms} ms (the parser's own check took ~1.5 s here)`);
  } finally {
    p.done();
  }
});

test('custom tags: ignored without a word under another skill\'s key, exit 2 naming the key under sockscope\'s', { timeout: 60_000 }, () => {
  const p = project();
  try {
    const skill = join(p.cwd, '.babysitter', 'skills', 'socket-programming.yaml');
    mkdirSync(join(skill, '..'), { recursive: true });
    writeFileSync(skill, 'other-skill:\n  token: !vault abc\n  list: [!secret a]\nsocket-programming:\n  bufferSize: 4096\n');
    const ok = config(p.cwd, p.home);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr, '', 'no YAMLWarning printed');
    assert.match(ok.stdout, /bufferSize\s+4096/);
    writeFileSync(skill, 'socket-programming:\n  bufferSize: !vault abc\n');
    const bad = config(p.cwd, p.home);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, `sockscope: ${skill}:2:15: socket-programming.bufferSize: unresolved tag: !vault (sockscope's settings take plain YAML values)\n`);
    rmSync(skill);
    writeFileSync(join(p.cwd, 'sockscope.yaml'), 'thresholds:\n  closeWaitCount: !env X\n');
    const own = config(p.cwd, p.home);
    assert.equal(own.status, 2);
    assert.match(own.stderr, /^sockscope: \S+sockscope\.yaml:2:19: thresholds\.closeWaitCount: unresolved tag: !env \(sockscope's settings take plain YAML values\)\n$/);
  } finally {
    p.done();
  }
});

test('a number out of range is shown as written, with the documented range', () => {
  const p = project();
  try {
    const file = join(p.cwd, 'sockscope.yaml');
    const cases: [string, string][] = [
      ['thresholds:\n  closeWaitCount: .inf\n', 'thresholds.closeWaitCount: expected a whole number from 1 to 9007199254740991, got .inf'],
      ['thresholds:\n  closeWaitCount: .nan\n', 'thresholds.closeWaitCount: expected a whole number from 1 to 9007199254740991, got .nan'],
      ['thresholds:\n  closeWaitCount: 1e400\n', 'thresholds.closeWaitCount: expected a whole number from 1 to 9007199254740991, got 1e400'],
      ['bufferSize: 1e400\n', 'bufferSize: expected a whole number of bytes (512-67108864), got 1e400'],
      ['bufferSize: 99999999999999999999999\n', 'bufferSize: expected a whole number of bytes (512-67108864), got 99999999999999999999999'],
      ['bufferSize: -.inf\n', 'bufferSize: expected a whole number of bytes (512-67108864), got -.inf'],
      ['intervalMs: .inf\n', 'intervalMs: expected a whole number of milliseconds (100-3600000), got .inf'],
    ];
    for (const [yaml, message] of cases) {
      writeFileSync(file, yaml);
      assert.equal(loadError(p.cwd, p.home), `${file}: ${message}`, yaml);
    }
    rmSync(file);
    assert.equal(loadError(p.cwd, p.home, { DEFAULT_BUFFER_SIZE: '99999999999999999999999' }), 'environment DEFAULT_BUFFER_SIZE: expected a whole number of bytes (512-67108864), got "99999999999999999999999"');
  } finally {
    p.done();
  }
});

/** A UNIX socket bound at `path` (python3 leaves the socket file when it exits). */
function bindUnixSocket(path: string): void {
  execFileSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
}

test('a UNIX socket as the config file: exit 2 naming the file and that it is a socket, not ignored as unreadable', { timeout: 60_000 }, () => {
  const p = project();
  try {
    const errno = () => spawnSync(process.execPath, [join(BIN_DIR, 'sockscope'), 'errno', '104'], { cwd: p.cwd, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, HOME: p.home } });
    const file = join(p.cwd, 'sockscope.yaml');
    bindUnixSocket(file);
    const project1 = errno();
    assert.equal(project1.status, 2, project1.stderr);
    assert.equal(project1.stdout, '');
    assert.equal(project1.stderr, `sockscope: ${file}: is a socket, expected a YAML file\n`);
    rmSync(file);
    // The user file, through a symlink too.
    const dir = join(p.home, '.config', 'sockscope');
    mkdirSync(dir, { recursive: true });
    bindUnixSocket(join(dir, 'sock'));
    symlinkSync('sock', join(dir, 'config.yaml'));
    const user = errno();
    assert.equal(user.status, 2, user.stderr);
    assert.equal(user.stderr, `sockscope: ${join(dir, 'config.yaml')}: is a socket, expected a YAML file\n`);
    const listed = config(p.cwd, p.home);
    assert.equal(listed.status, 2, listed.stderr);
    assert.equal(listed.stderr, `sockscope: ${join(dir, 'config.yaml')}: is a socket, expected a YAML file\n`);
  } finally {
    p.done();
  }
});

test('a custom tag on a key or on the document: exit 2 under sockscope\'s keys (naming the key, or the line), ignored under another skill\'s', { timeout: 60_000 }, () => {
  const p = project();
  try {
    const own = join(p.cwd, 'sockscope.yaml');
    const plain = "(sockscope's settings take plain YAML values)";
    const cases: [string, string][] = [
      ['!vault bufferSize: 4096\n', `${own}:1:1: bufferSize: unresolved tag: !vault ${plain}`],
      ['thresholds:\n  !env closeWaitCount: 5\n', `${own}:2:3: thresholds.closeWaitCount: unresolved tag: !env ${plain}`],
      ['? !t intervalMs\n: 500\n', `${own}:1:3: intervalMs: unresolved tag: !t ${plain}`],
      ['--- !foo\nbufferSize: 4096\n', `${own}:1:5: (top level): unresolved tag: !foo ${plain}`],
      ['!foo\nbufferSize: 4096\n', `${own}:1:1: (top level): unresolved tag: !foo ${plain}`],
      ['--- !foo\n', `${own}:1:5: (top level): unresolved tag: !foo ${plain}`],
    ];
    for (const [yaml, message] of cases) {
      writeFileSync(own, yaml);
      assert.equal(loadError(p.cwd, p.home), message, yaml);
    }
    writeFileSync(own, '!vault bufferSize: 4096\n');
    const cli = config(p.cwd, p.home);
    assert.equal(cli.status, 2, cli.stderr);
    assert.equal(cli.stderr, `sockscope: ${own}:1:1: bufferSize: unresolved tag: !vault ${plain}\n`);
    rmSync(own);
    const skill = join(p.cwd, '.babysitter', 'skills', 'socket-programming.yaml');
    mkdirSync(join(skill, '..'), { recursive: true });
    // Under another skill's key (on a key, a nested key, or that skill's top-level key): not sockscope's business.
    writeFileSync(skill, '!x other-skill:\n  !vault token: abc\nsocket-programming:\n  bufferSize: 4096\n');
    const ok = config(p.cwd, p.home);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr, '');
    assert.match(ok.stdout, /bufferSize\s+4096/);
    // A document tag on a skill file without sockscope's block: the other skills' file.
    writeFileSync(skill, '--- !foo\nother-skill:\n  token: abc\n');
    assert.equal(loadError(p.cwd, p.home), undefined);
    const skillCases: [string, string][] = [
      ['socket-programming:\n  !vault bufferSize: 4096\n', `${skill}:2:3: socket-programming.bufferSize: unresolved tag: !vault ${plain}`],
      ['!s socket-programming:\n  bufferSize: 4096\n', `${skill}:1:1: socket-programming: unresolved tag: !s ${plain}`],
      ['--- !foo\nother-skill: 1\nsocket-programming:\n  bufferSize: 4096\n', `${skill}:1:5: (top level): unresolved tag: !foo ${plain}`],
    ];
    for (const [yaml, message] of skillCases) {
      writeFileSync(skill, yaml);
      assert.equal(loadError(p.cwd, p.home), message, yaml);
    }
  } finally {
    p.done();
  }
});
