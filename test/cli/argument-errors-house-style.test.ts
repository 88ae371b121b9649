// Command-line errors in the house style (review s20): a value is quoted at most 64 characters long whichever
// flag refuses it; an on/off flag given on and off is refused naming both; --no-FLAG=value says it takes no
// value; yargs' stock messages name the flags; `help CMD` shows CMD's help and a mistyped command gets the
// nearest name. The built CLI: exit 2 and one line on stderr each time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: readonly string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });

function badInput(args: readonly string[]): string {
  const r = run(args);
  const shown = args.join(' ').slice(0, 120);
  assert.equal(r.status, 2, `${shown}: exit ${r.status}, ${r.stderr.slice(0, 300)}`);
  assert.equal(r.stderr.split('\n').length, 2, `${shown}: one line`);
  assert.match(r.stderr, /^sockscope: /, shown);
  return r.stderr.slice('sockscope: '.length, -1);
}

test('a very long value is quoted at most 64 characters long, with …, by every flag that refuses it', { timeout: 300_000 }, () => {
  const L = '1'.repeat(100_000);
  const cut = `${'1'.repeat(64)}…`;
  const cases: string[][] = [
    ['analyze', '--port', L],
    ['analyze', `--port=${L}`],
    ['analyze', '--peer-port', L],
    ['buffers', '--pid', L],
    ['analyze', '--samples', L],
    ['try', 'listen', '127.0.0.1:0', '--backlog', L],
    ['generate-server', '--stdout', '--backlog', L],
    ['debug-connections', '--address', '127.0.0.1:1', '--timeout', L],
    ['analyze', '--samples', '2', '--sample-interval', L],
    ['--interval', L],
    ['export', '--interval', L],
    ['inspect-options', '--port', '1', '--options', L],
    ['generate-server', '--stdout', '--keepalive', L],
    ['generate-server', '--stdout', '--keepalive', `1,1,${L}`],
    ['analyze', '--source', L],
    ['errno', '104', '--platform', L],
    ['analyze', '--ssh-config', L],
    ['analyze', '--port', '80', '--port', L],
    ['analyze', `--json=${L}`],
  ];
  for (const args of cases) {
    const line = badInput(args);
    const shown = args.map((a) => a.slice(0, 20)).join(' ');
    assert.ok(line.length < 300, `${shown}: ${line.length} characters: ${line.slice(0, 200)}`);
    assert.ok(line.includes(cut), `${shown}: quotes the value cut: ${line}`);
    assert.doesNotMatch(line, /1{65}/, shown);
  }
  // A value of 300 characters, a space in it: cut the same way.
  const spaced = `1 ${'2'.repeat(298)}`;
  assert.ok(badInput(['analyze', '--port', spaced]).includes(`${spaced.slice(0, 64)}…`));
});

test('--host: only an abusive value (over 1,024 characters) is refused before ssh; a long ssh alias reaches ssh', { timeout: 60_000 }, () => {
  for (const host of ['a'.repeat(1025), 'a'.repeat(100_000), `root@${'a'.repeat(2000)}.example.com`]) {
    const line = badInput(['analyze', '--host', host]);
    assert.match(line, /^--host '[^']*… \(\d+ characters\)': over 1,024 characters, longer than any server name or ssh alias$/, line.slice(0, 200));
    assert.ok(line.length < 300, `${line.length} characters`);
  }
  // An ssh_config alias with a label of 70 characters (no DNS name, and none needed): ssh runs with the config,
  // and fails on 127.0.0.1 port 1 (refused at once), exit 1 naming the alias whole.
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-alias-'));
  try {
    const alias = 'prod-db-primary-replica-eu-west-1-blue-green-deployment-target-host-01';
    assert.equal(alias.length, 70);
    const config = join(dir, 'sshcfg');
    writeFileSync(config, `Host ${alias}\n  HostName 127.0.0.1\n  Port 1\n`);
    for (const host of [alias, `root@${alias}`]) {
      const r = run(['analyze', '--host', host, '--ssh-config', config]);
      assert.equal(r.status, 1, `${host}: ${r.stderr}`);
      assert.match(r.stderr, /port 1: Connection refused/, r.stderr);
      assert.ok(r.stderr.includes(host), r.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an on/off flag given on and off is exit 2 naming both; the same way twice passes', { timeout: 120_000 }, () => {
  const both = (a: string, b: string) => `${a} and ${b} given together: an on/off flag takes one value`;
  assert.equal(badInput(['try', 'bind', '127.0.0.1:0', '--reuseaddr', '--no-reuseaddr']), both('--reuseaddr', '--no-reuseaddr'));
  assert.equal(badInput(['generate-server', '--stdout', '--tcp-nodelay', '--no-tcp-nodelay']), both('--tcp-nodelay', '--no-tcp-nodelay'));
  assert.equal(badInput(['generate-server', '--stdout', '--profile', 'latency', '--no-tcp-nodelay', '--tcp-nodelay']), both('--no-tcp-nodelay', '--tcp-nodelay'));
  assert.equal(badInput(['--tcp', '--no-tcp']), both('--tcp', '--no-tcp'));
  assert.equal(badInput(['errno', '104', '--json', '--json=false']), both('--json', '--json=false'));
  assert.equal(badInput(['errno', '104', '--no-color', '--color']), both('--no-color', '--color'));
  for (const args of [['errno', '104', '--json', '--json'], ['errno', '104', '--no-color', '--color=false'], ['options', 'SO_REUSEADDR', '--json=true', '--json']]) {
    const r = run(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  // yargs takes a true or false after a boolean flag as its value (`--json false` is off): so is it here.
  assert.equal(badInput(['errno', '104', '--json', '--json', 'false']), both('--json', '--json false'));
  assert.equal(badInput(['errno', '104', '--json', 'false', '--json=true']), both('--json false', '--json=true'));
  assert.equal(badInput(['try', 'bind', '127.0.0.1:0', '--no-reuseaddr', '--reuseaddr', 'true']), both('--no-reuseaddr', '--reuseaddr true'));
  const off = run(['errno', '104', '--no-json', '--json', 'false']);
  assert.equal(off.status, 0, off.stderr);
  assert.match(off.stdout, /^ECONNRESET/, 'text, not JSON');
  const on = run(['errno', '104', '--json', 'true', '--json']);
  assert.equal(on.status, 0, on.stderr);
  JSON.parse(on.stdout);
});

test('--no-FLAG=value: the off form takes no value (not "Unknown argument")', { timeout: 60_000 }, () => {
  assert.equal(badInput(['--no-color=true']), '--no-color takes no value: it turns --color off (give --no-color alone, or --color=true or =false)');
  assert.equal(
    badInput(['generate-server', '--stdout', '--no-comments=false']),
    '--no-comments takes no value: it turns --comments off (give --no-comments alone, or --comments=true or =false)',
  );
  assert.match(badInput(['try', 'bind', '127.0.0.1:0', '--no-reuseaddr=true']), /^--no-reuseaddr takes no value: it turns --reuseaddr off/);
});

test("yargs' own messages name the flags: conflicts, choices, a required flag, a flag without its value", { timeout: 60_000 }, () => {
  assert.equal(badInput(['analyze', '--port', '80', '--peer-port', '81']), '--port and --peer-port cannot be used together');
  assert.equal(badInput(['buffers', '--pid', '1', '--socket-fd', '3', '--port', '80']), '--pid and --port cannot be used together');
  assert.equal(badInput(['analyze', '--source', 'foo']), '--source foo is not one of: auto, netlink, ss, procfs, netstat');
  assert.equal(badInput(['analyze', '--source=foo']), '--source foo is not one of: auto, netlink, ss, procfs, netstat');
  assert.equal(badInput(['errno', '104', '--platform', 'plan9']), '--platform plan9 is not one of: linux, macos, freebsd, windows');
  assert.equal(badInput(['debug-connections']), 'debug-connections needs --address HOST:PORT');
  assert.equal(badInput(['try', 'foo', '1.2.3.4:1']), 'try: foo is not a call; one of bind, listen, connect, sendto');
  assert.equal(badInput(['--interval']), '--interval needs a value');
});

test('help CMD shows the command\'s help; a mistyped command is named with the nearest command', { timeout: 60_000 }, () => {
  const help = run(['help', 'analyze']);
  assert.equal(help.status, 0, help.stderr);
  assert.equal(help.stdout, run(['analyze', '--help']).stdout);
  assert.match(help.stdout, /^sockscope analyze\n/);
  assert.equal(run(['help']).stdout, run(['--help']).stdout);
  assert.equal(badInput(['analyz']), 'analyz is not a command; did you mean analyze?');
  assert.equal(badInput(['--interval', '1s', 'generate-sever']), 'generate-sever is not a command; did you mean generate-server?');
  assert.equal(badInput(['help', 'analyz']), 'analyz is not a command; did you mean analyze?');
  assert.match(badInput(['frobnicate']), /^frobnicate is not a command; one of analyze, analyze-states, /);
  // Inside a command a stray word is still an unknown argument.
  assert.equal(badInput(['analyze', 'extra']), 'Unknown argument: extra');
});
