// A long flag typed with one dash (left out in s22, done s23): `try connect H:P -host x` was read by yargs as short
// flags -h -o -s -t, and -h (an alias of --help) printed the help with exit 0, the command not run; `analyze -port 80`
// said "Unknown arguments: -p, -o, -r, -t"; `errno -json 104` said "errno needs a CODE" (-n took 104 as its value).
// -h is now the word -h only (main.ts shortHelp), so such words reach the fail handler: exit 2, one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });

test('a long flag with one dash that holds an h: exit 2 naming it, not the help with exit 0', () => {
  for (const [args, line] of [
    [['try', 'connect', '127.0.0.1:9', '-host', 'x'], 'Unknown argument: -host (read as short flags -h, -o, -s, -t)'],
    // after an on/off flag too (a flag's value never begins with a dash: the parser does not take one)
    [['try', 'connect', '127.0.0.1:1', '--json', '-host', 'x'], 'Unknown argument: -host (read as short flags -h, -o, -s, -t)'],
    [['analyze', '--json', '-host', 'x'], 'Unknown argument: -host (did you mean --host?)'],
    [['analyze', '--tcp', '-help'], 'Unknown argument: -help (did you mean --help?)'],
    [['-help'], 'Unknown argument: -help (did you mean --help?)'],
    // a dashed code or task file with an h gets the dashed-positional advice, as one without does
    [['errno', '-ehostdown'], '-ehostdown was read as short flags (-e, -h, -o, ...): give it without the dash (sockscope errno ehostdown)'],
    [['task', '-health'], '-health was read as short flags (-h, -e, -a, ...): give it after -- (sockscope task -- -health)'],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.stdout, '', args.join(' '));
    assert.equal(r.stderr, `sockscope: ${line}\n`, args.join(' '));
    assert.equal(r.status, 2, args.join(' '));
  }
});

test('the command\'s own flag with one dash: did you mean the two-dash flag, wherever the word is', () => {
  for (const [args, word, flag] of [
    [['analyze', '-port', '80'], '-port', '--port'],
    [['analyze', '-port', '80', '--json'], '-port', '--port'],
    [['errno', '-json', '104'], '-json', '--json'],
    [['errno', '104', '-json'], '-json', '--json'],
    [['options', '-json'], '-json', '--json'],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.stderr, `sockscope: Unknown argument: ${word} (did you mean ${flag}?)\n`, args.join(' '));
    assert.equal(r.status, 2, args.join(' '));
  }
});

test('what stays as it was: -h is the help, dashed codes, unknown letters', () => {
  for (const args of [['errno', '-h'], ['task', '-h'], ['-h'], ['errno', '104', '-h']]) {
    const r = run(args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.stdout, /Show help \(-h too\)/, args.join(' '));
  }
  // after -- it is a word like any other: task's file named -h
  assert.match(run(['task', '--', '-h']).stdout, /"unreadable-input"/);
  assert.equal(run(['errno', '-ECONNRESET']).stderr, 'sockscope: -ECONNRESET was read as short flags (-E, -C, -O, ...): give it without the dash (sockscope errno ECONNRESET)\n');
  assert.equal(run(['analyze', '-xq']).stderr, 'sockscope: Unknown argument: -xq (read as short flags -x, -q)\n');
  assert.equal(run(['analyze', '-x']).stderr, 'sockscope: Unknown argument: -x\n');
});
