// Bad input on the command line: exit 2 and one line on stderr naming the flag and the rule (product.md),
// for the errors yargs itself reports (unknown flags, choices, missing values).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });

test('yargs usage errors: exit 2, one line, no stack trace', { timeout: 60_000 }, () => {
  const cases: [string[], RegExp][] = [
    [['try', 'frob', '127.0.0.1:1'], /^sockscope: try: frob is not a call; one of bind, listen, connect, sendto\n$/],
    [['analyze', '--bogus'], /^sockscope: Unknown argument: --bogus\n$/],
    [['errno', 'ECONNRESET', '--platform', 'plan9'], /^sockscope: --platform plan9 is not one of: linux, /],
    [['generate-server', '--type'], /^sockscope: .*type/],
  ];
  for (const [args, want] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('a missing positional argument is named, with what it takes and an example (not "Not enough non-option arguments")', { timeout: 60_000 }, () => {
  // README (Commands): exit 2, "the message names the flag and the rule". yargs' own count named none.
  const calls = 'one of bind, listen, connect, sendto';
  const cases: [string[], string][] = [
    [['try'], `try needs a CALL (${calls}) and an ADDRESS (HOST:PORT), e.g. sockscope try bind 0.0.0.0:8080`],
    [['try', 'bind'], 'try bind needs an ADDRESS: HOST:PORT (IPv6 as [::1]:8080; bind and listen need an IP), e.g. sockscope try bind 0.0.0.0:8080'],
    [['try', 'connect', '--json'], 'try connect needs an ADDRESS: HOST:PORT (IPv6 as [::1]:8080), e.g. sockscope try connect 127.0.0.1:8080'],
    [['--source', 'ss', 'try', '--', 'listen'], 'try listen needs an ADDRESS: HOST:PORT (IPv6 as [::1]:8080; bind and listen need an IP), e.g. sockscope try listen 0.0.0.0:8080'],
    [['try', '127.0.0.1:80'], `try needs a CALL before the ADDRESS: ${calls}, got "127.0.0.1:80"; e.g. sockscope try connect 127.0.0.1:80`],
    [['try', 'frob'], `try needs a CALL before the ADDRESS: ${calls}, got "frob"; e.g. sockscope try bind 0.0.0.0:8080`],
    [['errno'], 'errno needs a CODE: a name (ECONNRESET, WSAECONNRESET), a number (104, 10054) or a message fragment, e.g. sockscope errno ECONNRESET'],
    [['errno', '--json'], 'errno needs a CODE: a name (ECONNRESET, WSAECONNRESET), a number (104, 10054) or a message fragment, e.g. sockscope errno ECONNRESET'],
    [['task'], 'task needs an INPUT: a task file (one JSON object, {"operation": ..., ...}) or - for stdin, e.g. sockscope task check.json'],
    [['task', '--output', 'r.json'], 'task needs an INPUT: a task file (one JSON object, {"operation": ..., ...}) or - for stdin, e.g. sockscope task check.json'],
  ];
  for (const [args, want] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `sockscope: ${want}\n`, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
  // Given in full, they run (the check only names what is missing).
  assert.equal(run('errno', '--', '-104').status, 0);
});

test('error messages cannot drive the terminal: a hostile directory name and config key come out escaped, already-escaped text is not escaped twice', { timeout: 60_000 }, async () => {
  // Review repro: a cloned repository's sockscope.yaml (every command reads the project config) in a
  // directory whose name holds ESC, BEL and CSI printed them raw in `sockscope: PATH: KEY: unknown key`.
  const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = await import('node:fs');
  const { join, resolve } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const base = mkdtempSync(join(tmpdir(), 'sockscope-msg-'));
  const dir = join(base, 'd\u001b[31mIR\u0007\u009b');
  mkdirSync(dir);
  writeFileSync(join(dir, 'sockscope.yaml'), '"k\\e]0;pwn\\a\\u009b": 1\n');
  try {
    const r = spawnSync(resolve('bin/sockscope'), ['errno', '1'], { cwd: dir, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1', HOME: base } });
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, JSON.stringify(r.stderr));
    assert.match(r.stderr, /d\\x1b\[31mIR\\x07\\u009b\/sockscope\.yaml: k\\x1b\]0;pwn\\x07\\u009b: unknown key/);
    // The user's own flag value, quoted by the flag's check (one backslash each, not two).
    const f = run('analyze', '--port', '\u001b[31m');
    assert.equal(f.status, 2);
    assert.equal(f.stderr, 'sockscope: --port must be a port number 1-65535, got "\\x1b[31m"\n');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
