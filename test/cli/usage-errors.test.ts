// Bad input on the command line: exit 2 and one line on stderr naming the flag and the rule (product.md),
// for the errors yargs itself reports (unknown flags, choices, missing values).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });

test('yargs usage errors: exit 2, one line, no stack trace', { timeout: 60_000 }, () => {
  const cases: [string[], RegExp][] = [
    [['try', 'frob', '127.0.0.1:1'], /^sockscope: Invalid values: Argument: op, Given: "frob", Choices: "bind", "listen", "connect", "sendto"\n$/],
    [['analyze', '--bogus'], /^sockscope: Unknown argument: bogus\n$/],
    [['errno', 'ECONNRESET', '--platform', 'plan9'], /^sockscope: Invalid values: Argument: platform, Given: "plan9", Choices: /],
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
