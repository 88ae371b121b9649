// A monitor flag before a command word (`sockscope --json errno 104`): the root parser read the on/off flag as
// taking the command's name for its value and ran the monitor, which said "errno is not a command; did you mean
// errno?". The word is a command: where the command takes the flags, the message says they go after it and
// gives the line that works; where it does not (--tcp is the monitor's), it says so. Exit 2, one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });

function badInput(args: string[]): string {
  const r = run(...args);
  assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '', args.join(' '));
  assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
  assert.doesNotMatch(r.stderr, /did you mean|is not a command|\n\s+at /, args.join(' '));
  return r.stderr.replace(/^sockscope: /, '').trimEnd();
}

test('a flag the command takes, given before it: the flags go after the command, with the line that works', { timeout: 60_000 }, () => {
  assert.equal(badInput(['--json', 'errno', '104']), 'errno is a command: its flags go after it (sockscope errno 104 --json)');
  assert.equal(badInput(['--port', '80', '--json', 'analyze']), 'analyze is a command: its flags go after it (sockscope analyze --port 80 --json)');
  assert.equal(badInput(['--json', 'config']), 'config is a command: its flags go after it (sockscope config --json)');
  // Words after `--` stay after it.
  assert.equal(badInput(['--json', 'errno', '--', 'reset by peer']), "errno is a command: its flags go after it (sockscope errno --json -- 'reset by peer')");
  // The line given works.
  const r = run('errno', '104', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).query, '104');
});

test('a monitor flag the command does not take, given before it: named as the monitor\'s', { timeout: 60_000 }, () => {
  const monitor = (flags: string, command: string, them = false) =>
    `${flags} ${them ? 'are flags' : 'is a flag'} of the monitor (sockscope without a command), given before the command ${command}, which does not take ${them ? 'them' : 'it'}`;
  assert.equal(badInput(['--tcp', 'analyze', '--port', '80']), monitor('--tcp', 'analyze'));
  assert.equal(badInput(['--udp', 'options']), monitor('--udp', 'options'));
  assert.equal(badInput(['--json', '--tcp', 'errno', '104']), monitor('--tcp', 'errno'));
  assert.equal(badInput(['--interval', '5s', '--unix', 'buffers']), monitor('--interval and --unix', 'buffers', true));
  assert.equal(badInput(['--json', 'completion', 'bash']), monitor('--json', 'completion'));
});

test('a word that is no command, after a flag, is still "not a command"', { timeout: 60_000 }, () => {
  const r = run('--json', 'analyz');
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'sockscope: analyz is not a command; did you mean analyze?\n');
});

// A command word after `--` (28b6218a left it): `sockscope --json -- errno 104`, `sockscope -- errno 104` and
// `sockscope --tcp -- analyze` still said "errno is not a command; did you mean errno?" (exit 2): commandAfterFlags
// gave up when `--` came before the command word. Now the message is the one without the `--`, and with nothing
// before `--`, that the command goes first.
test('a command word right after --: the same message as without the --', { timeout: 60_000 }, () => {
  assert.equal(badInput(['--json', '--', 'errno', '104']), 'errno is a command: its flags go after it (sockscope errno 104 --json)');
  assert.equal(badInput(['--json', '--', 'errno', '--', 'reset by peer']), "errno is a command: its flags go after it (sockscope errno --json -- 'reset by peer')");
  assert.equal(
    badInput(['--tcp', '--', 'analyze']),
    '--tcp is a flag of the monitor (sockscope without a command), given before the command analyze, which does not take it',
  );
  assert.equal(
    badInput(['--', 'errno', '104']),
    'errno is a command: give it first, without -- before it (sockscope errno 104); -- ends the flags and the monitor (sockscope without a command) takes no words',
  );
  // The line given works; a word after -- that is no command is still not one.
  assert.equal(run('errno', '104', '--json').status, 0);
  const r = run('--json', '--', 'analyz');
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'sockscope: analyz is not a command; did you mean analyze?\n');
});
