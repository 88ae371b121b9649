// A mistyped flag got no did-you-mean (review s22): `analyze --prot 80` said "Unknown argument: --prot",
// `errno 104 --platfrom linux` and `task ok.json --outptu x` the same, while a mistyped command or config key
// gets the nearest name. An unknown --flag now names the running command's nearest flag (its global ones and
// an on/off flag's --no- form too) when one is near; a far one is named alone as before. And a positional
// typed with a dash (`errno -ECONNRESET`, `options -SO_RCVBUF`) was read by yargs as short flags: "errno needs
// a CODE" although one was given, "Unknown arguments: -S, -O, ..."; it is now said what happened and how to
// give it. The built CLI, exit 2, one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: string[], cwd?: string) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000, cwd, env: { ...process.env, NO_COLOR: '1' } });

test('an unknown --flag near one of the command\'s flags: did you mean it', () => {
  for (const [args, line] of [
    [['analyze', '--prot', '80'], 'Unknown argument: --prot (did you mean --port?)'],
    [['errno', '104', '--platfrom', 'linux'], 'Unknown argument: --platfrom (did you mean --platform?)'],
    [['task', '/nonexistent/ok.json', '--outptu', 'x'], 'Unknown argument: --outptu (did you mean --output?)'],
    [['analyze', '--peer-prot', '80'], 'Unknown argument: --peer-prot (did you mean --peer-port?)'],
    [['generate-server', '--io-mdel', 'epoll'], 'Unknown argument: --io-mdel (did you mean --io-model?)'],
    [['--inter', '1s'], 'Unknown argument: --inter (did you mean --interval?)'],
    [['analyze', '--no-jsn'], 'Unknown argument: --no-jsn (did you mean --no-json?)'],
    [['analyze', '--sorce', 'ss'], 'Unknown argument: --sorce (did you mean --source?)'],
    [['--prot', '22', '--udpp'], 'Unknown arguments: --prot (did you mean --port?), --udpp (did you mean --udp?)'],
    // Far from every flag: named alone, as before.
    [['analyze', '--bogus'], 'Unknown argument: --bogus'],
    [['analyze-states', '--no-frob'], 'Unknown argument: --no-frob'],
    // The running command's flags only: --platform is errno's, not analyze's.
    [['analyze', '--platfrom', 'linux'], 'Unknown argument: --platfrom'],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.stderr, `sockscope: ${line}\n`, args.join(' '));
    assert.equal(r.status, 2, args.join(' '));
  }
});

test('a positional given with a dash (-ECONNRESET, -SO_RCVBUF): said it was read as flags, and how to give it', () => {
  for (const [args, line] of [
    [['errno', '-ECONNRESET'], '-ECONNRESET was read as short flags (-E, -C, -O, ...): give it without the dash (sockscope errno ECONNRESET)'],
    [['options', '-SO_RCVBUF'], '-SO_RCVBUF was read as short flags (-S, -O, -R, ...): give it without the dash (sockscope options SO_RCVBUF)'],
    [['errno', '-econnreset', '--json'], '-econnreset was read as short flags (-e, -c, -o, ...): give it without the dash (sockscope errno econnreset --json)'],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.stderr, `sockscope: ${line}\n`, args.join(' '));
    assert.equal(r.status, 2, args.join(' '));
  }
  // Without the dash it runs; a short cluster elsewhere is still unknown flags.
  const ok = run(['errno', 'ECONNRESET']);
  assert.equal(ok.status, 0, ok.stderr);
  const flags = run(['--interval', '1s', '-zq']);
  assert.equal(flags.stderr, 'sockscope: Unknown argument: -zq (read as short flags -z, -q)\n');
});

// The advice was not always a command that works (review s22): `task -myjob` advised `sockscope task myjob`
// (another file), `try -connect 127.0.0.1:1` advised `sockscope try connect` (exit 2 itself), `errno -ECONNRESET
// --platform macos` dropped --platform macos, and `errno 104 --platform -macos` (a flag's value, not the
// positional) advised `sockscope errno macos`. The advice is now the whole command, the other words kept, in the
// form the command takes (task: after --), and only for the command's positional: each suggestion is run here.
test('the advice for a dashed positional is a whole command that runs (the other words kept; task after --)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-dashed-'));
  try {
    copyFileSync(new URL('../fixtures/task/valid/errno.json', import.meta.url), join(dir, '-myjob'));
    for (const [args, line, ok] of [
      [['task', '-myjob'], '-myjob was read as short flags (-m, -y, -j, ...): give it after -- (sockscope task -- -myjob)', /"ok": true/],
      [['task', '-myjob', '--output', '-'], '-myjob was read as short flags (-m, -y, -j, ...): give it after -- (sockscope task --output - -- -myjob)', /"ok": true/],
      [['try', '-connect', '127.0.0.1:1'], '-connect was read as short flags (-c, -o, -n, ...): give it without the dash (sockscope try connect 127.0.0.1:1)', /ECONNREFUSED/],
      [['errno', '-ECONNRESET', '--platform', 'macos'], '-ECONNRESET was read as short flags (-E, -C, -O, ...): give it without the dash (sockscope errno ECONNRESET --platform macos)', /macOS 54/],
      [['--no-color', 'options', '-SO_RCVBUF'], '-SO_RCVBUF was read as short flags (-S, -O, -R, ...): give it without the dash (sockscope --no-color options SO_RCVBUF)', /SO_RCVBUF/],
    ] as const) {
      const r = run([...args], dir);
      assert.equal(r.stderr, `sockscope: ${line}\n`, args.join(' '));
      assert.equal(r.status, 2, args.join(' '));
      // The suggested command, run as the shell would split it (no word here needs quotes).
      const suggested = /\(sockscope ([^)]*)\)$/.exec(line)![1].split(' ');
      const s = run(suggested, dir);
      assert.notEqual(s.status, 2, `${suggested.join(' ')}: ${s.stderr}`);
      assert.match(s.stdout + s.stderr, ok, suggested.join(' '));
    }
    // A dashed word that is a flag's value, or not where the positional goes: no advice to drop the dash.
    for (const args of [['errno', '104', '--platform', '-macos'], ['errno', '104', '-ECONNRESET']]) {
      const r = run(args, dir);
      assert.equal(r.status, 2, args.join(' '));
      assert.doesNotMatch(r.stderr, /without the dash|after --/, args.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Review s22: did-you-mean offered the command's positionals as flags (`errno 104 --cod` "did you mean --code?",
// `options --nam` "--name", `try connect 127.0.0.1:1 --addres` "--address": none of them is a flag), and `--no-h`
// said "-h takes a value and has no off form" (-h is --help's alias, an on/off flag). Positionals are no flags
// now. (s23: -h is no longer an alias of --help but the word -h read as --help before parsing, so `--no-h` is an
// unknown flag, exit 2, where it was --no-help.)
test('did-you-mean names flags only, never a positional; --no-h is unknown', () => {
  for (const [args, line] of [
    [['errno', '104', '--cod'], 'Unknown argument: --cod'],
    [['options', '--nam'], 'Unknown argument: --nam'],
    [['try', 'connect', '127.0.0.1:1', '--addres'], 'Unknown argument: --addres'],
    [['task', '/nonexistent/ok.json', '--inpu'], 'Unknown argument: --inpu'],
    // A flag near is still named.
    [['try', 'connect', '127.0.0.1:1', '--timout', '1s'], 'Unknown argument: --timout (did you mean --timeout?)'],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.stderr, `sockscope: ${line}\n`, args.join(' '));
    assert.equal(r.status, 2, args.join(' '));
  }
  const noH = run(['errno', '104', '--no-h']);
  assert.equal(noH.stderr, 'sockscope: Unknown argument: --no-h\n');
  assert.equal(noH.status, 2);
  const noHelp = run(['errno', '104', '--no-help']);
  assert.equal(noHelp.status, 0, noHelp.stderr);
  assert.match(noHelp.stdout, /^ECONNRESET/);
});
