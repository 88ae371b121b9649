// Flag values through the real CLI: integer flags quote what was typed (yargs' type 'number' said "got NaN"),
// a value that starts with '-' is the flag's value, boolean flags take only true/false as a value (yargs
// read --json=maybe as false), and a positional after `--` is taken (errno -- -104).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });

function badInput(args: string[], message: string): void {
  const r = run(...args);
  const what = args.join(' ');
  assert.equal(r.status, 2, `${what}: ${r.stderr}`);
  assert.equal(r.stderr, `sockscope: ${message}\n`, what);
  assert.equal(r.stdout, '', what);
}

test('integer flags: exit 2, the message quotes the input', { timeout: 60_000 }, () => {
  badInput(['inspect-options', '--pid', 'abc'], '--pid must be an integer 1-4194304, got "abc"');
  badInput(['inspect-options', '--inode', 'abc'], '--inode must be an integer 1-9007199254740991, got "abc"');
  badInput(['inspect-options', '--pid', '12', '--socket-fd', '3x'], '--socket-fd must be an integer 0-2147483647, got "3x"');
  badInput(['inspect-options', '--port', '1.5'], '--port must be an integer 1-65535, got "1.5"');
  badInput(['buffers', '--pid', 'abc', '--socket-fd', '3'], '--pid must be an integer 1-4194304, got "abc"');
  for (const host of [['--host'], ['--host', ''], ['--host='], ['analyze-states', '--host', ' ']]) badInput(host, '--host needs a value: user@server[:port] (repeat --host for several servers)');
  badInput(['try', 'listen', '127.0.0.1:0', '--backlog', 'abc'], '--backlog must be an integer 0-2147483647, got "abc"');
  badInput(['try', 'listen', '127.0.0.1:0', '--backlog', '-1'], '--backlog must be an integer 0-2147483647, got "-1"');
});

test('a unit flag whose value starts with "-" is still its value, and quoted', { timeout: 60_000 }, () => {
  badInput(['buffers', '--bandwidth', '-1gbit', '--rtt', '5ms'], '--bandwidth must be a number with a unit (10gbit, 100mbit, 1.5gbit/s, 125MB/s, 512KiB/s), got "-1gbit"');
  badInput(['buffers', '--bandwidth', '1gbit', '--rtt', '-5ms'], '--rtt must be a number with a unit (80ms, 0.5ms, 250us, 1.2s), got "-5ms"');
  badInput(['buffers', '--bandwidth', '--rtt', '5ms'], '--bandwidth needs a value');
});

test('boolean flags: a value other than true or false is exit 2 for every command', { timeout: 120_000 }, () => {
  const onOff = (flag: string, value: string) => `${flag} is an on/off flag: its value can only be true or false, got "${value}"`;
  badInput(['analyze', '--port', '41001', '--json=maybe'], onOff('--json', 'maybe'));
  badInput(['analyze-states', '--json=TRUE'], onOff('--json', 'TRUE'));
  badInput(['errno', '104', '--json=1'], onOff('--json', '1'));
  badInput(['errno', '104', '--color=no'], onOff('--color', 'no'));
  badInput(['generate-server', '--dual-stack=yes', '--stdout'], onOff('--dual-stack', 'yes'));
  badInput(['generate-server', '--dualStack=yes', '--stdout'], onOff('--dualStack', 'yes'));
  badInput(['--tcp='], onOff('--tcp', ''));
  // true and false stay accepted.
  const yes = run('errno', '104', '--json=true');
  assert.equal(yes.status, 0, yes.stderr);
  assert.equal(JSON.parse(yes.stdout).matches[0].name, 'ECONNRESET');
  const no = run('errno', '104', '--json=false');
  assert.equal(no.status, 0, no.stderr);
  assert.match(no.stdout, /^ECONNRESET: Connection reset by peer\n/);
});

test('a positional after -- is taken: errno -- -104', { timeout: 60_000 }, () => {
  const r = run('errno', '--', '-104');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ECONNRESET: Connection reset by peer\n/);
  const j = run('errno', '--json', '--', '-104');
  assert.equal(j.status, 0, j.stderr);
  assert.equal(JSON.parse(j.stdout).query, '-104');
  // Words after -- are positionals, not flags: one too many is still bad input.
  badInput(['errno', '--', '104', '--json'], 'Unknown argument: --json');
});
