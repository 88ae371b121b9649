// `--no-X` on a flag that takes a value: yargs' boolean-negation read it as X=false, and the command ran with
// `false` for a path, a host or a port. Found (review s22): `generate-server --no-output` "The "string" argument
// must be of type string ... Received type boolean (false)", exit 1; `debug-connections --no-address` "text.trim is
// not a function"; `inspect-options --no-options` "text.split is not a function"; `analyze --no-host` ran
// `ssh -G -- false`; `analyze --no-port` `got "false"`; `--no-source` "sockscope: sockscope: false is not a
// SOURCE". Every command's every value-taking flag (read from the commands' own builders, so a flag added later
// is covered) is now exit 2, one line naming the flag, no stack trace; on/off flags keep their off form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yargs from 'yargs';
import { allCommands } from '../../src/cli/commands/index.js';
import { inHouseWords } from '../../src/cli/yargs-messages.js';
import { runCli } from '../helpers/run-cli.js';

const commands = await allCommands();

/** [command words, value-taking flags]: the builder's declared options less on/off flags and positionals. */
function valueFlags(): [string[], string[]][] {
  return commands.map((c) => {
    const y = yargs([]);
    if (typeof c.builder === 'function') (c.builder as (y: unknown) => unknown)(y);
    const o = (y as unknown as { getOptions: () => { key: Record<string, unknown>; boolean: string[] } }).getOptions();
    const name = String(c.command).split(' ')[0];
    const positionals = [...String(c.command).matchAll(/[<[](\w+)[>\]]/g)].map((m) => m[1]);
    const flags = Object.keys(o.key).filter((k) => !o.boolean.includes(k) && !positionals.includes(k));
    return [name === '$0' ? [] : [name], [...flags, 'source']];
  });
}

test('the walk finds the flags the review named', () => {
  const all = new Map(valueFlags().map(([w, f]) => [w.join(' '), f]));
  assert.ok(all.get('generate-server')?.includes('output'));
  assert.ok(all.get('task')?.includes('output'));
  assert.ok(all.get('analyze')?.includes('host'));
  assert.ok(all.get('')?.includes('interval'));
  assert.ok(all.get('buffers')?.includes('bandwidth'));
  assert.ok(all.get('export')?.includes('listen'));
  assert.ok(all.get('generate-server')?.includes('keepalive'));
});

for (const [words, flags] of valueFlags()) {
  test(`sockscope ${words.join(' ') || '(monitor)'} --no-FLAG, for each of its ${flags.length} value-taking flags: exit 2 naming it`, async () => {
    const runs = await Promise.all(
      flags.map(async (flag) => {
        // task's INPUT, errno's CODE and try's positionals given, so that only the flag is wrong.
        const before = words[0] === 'task' ? ['task', '/nonexistent/ok.json'] : words[0] === 'try' ? ['try', 'connect', '127.0.0.1:1'] : words[0] === 'errno' ? ['errno', '104'] : words;
        return { flag, r: await runCli([...before, `--no-${flag}`]) };
      }),
    );
    for (const { flag, r } of runs) {
      const dashes = flag.length === 1 ? '-' : '--';
      assert.equal(r.stderr, `sockscope: --no-${flag}: ${dashes}${flag} takes a value and has no off form\n`, `--no-${flag}`);
      assert.equal(r.status, 2, `--no-${flag}`);
      assert.equal(r.stdout, '');
    }
  });
}

test('on/off flags keep their off form; a value flag given a value still runs', async () => {
  const json = await runCli(['errno', '104', '--no-json']);
  assert.equal(json.status, 0, json.stderr);
  assert.match(json.stdout, /ECONNRESET/);
  const port = await runCli(['errno', '104', '--platform', 'linux', '--no-color']);
  assert.equal(port.status, 0, port.stderr);
  // The camelCase spelling and the =value form are refused too.
  for (const w of ['--no-peerPort', '--no-peer-port=1']) {
    const r = await runCli(['analyze', w]);
    assert.equal(r.status, 2, w);
    assert.match(r.stderr, /^sockscope: --no-peer(Port|-port): --peer(Port|-port) takes a value and has no off form\n$/);
  }
});

test('a choice refused on the monitor (no command word) says "sockscope: " once', () => {
  const msg = 'Invalid values:\n  Argument: source, Given: false, Choices: "auto", "netlink"';
  const line = inHouseWords(msg, [], { getInternalMethods: () => ({ getContext: () => ({ commands: [] }) }) });
  assert.equal(line, 'false is not a SOURCE; one of auto, netlink');
});
