// An unknown flag is named once, as it was typed: `sockscope --port 22 --peer-port 80` said
// "Unknown arguments: peer-port, peerPort" (yargs lists a flag under its name and its camelCase alias,
// without dashes). The built CLI, exit 2, one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('unknown flags: each once, as typed (dashes, spelling, --no-, short clusters); stray words kept', () => {
  for (const [args, line] of [
    [['--port', '22', '--peer-port', '80'], 'Unknown argument: --peer-port'],
    [['analyze', '--bogus=1', '--bogus', '2', '--fooBar'], 'Unknown arguments: --bogus, --fooBar'],
    [['analyze-states', '--no-frob'], 'Unknown argument: --no-frob'],
    [['--interval', '1s', '-zq'], 'Unknown argument: -zq (read as short flags -z, -q)'],
    [['analyze', 'extra'], 'Unknown argument: extra'],
    [['errno', '--', '104', '--json'], 'Unknown argument: --json'],
  ] as const) {
    const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `sockscope: ${line}\n`, args.join(' '));
  }
});
