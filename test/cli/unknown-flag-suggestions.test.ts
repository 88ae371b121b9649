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

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });

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
    [['errno', '-econnreset', '--json'], '-econnreset was read as short flags (-e, -c, -o, ...): give it without the dash (sockscope errno econnreset)'],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.stderr, `sockscope: ${line}\n`, args.join(' '));
    assert.equal(r.status, 2, args.join(' '));
  }
  // Without the dash it runs; a short cluster elsewhere is still unknown flags.
  const ok = run(['errno', 'ECONNRESET']);
  assert.equal(ok.status, 0, ok.stderr);
  const flags = run(['--interval', '1s', '-zq']);
  assert.equal(flags.stderr, 'sockscope: Unknown arguments: -z, -q\n');
});
