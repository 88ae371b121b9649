// Completion builds the default command's (the monitor's) parser at most once per request (it was built a
// second time when a flag stood before a word being typed as a flag: `sockscope --json --<TAB>`), and a
// command's own aliases still name its flags (`--ioModel` is yargs' camelCase alias of --io-model).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import yargs from 'yargs';
import { completeLine } from '../../src/cli/completion.js';
import { allCommands } from '../../src/cli/commands/index.js';
import { IO_MODELS } from '../../src/codegen/options.js';

const commands = await allCommands();

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

/** Runs completeLine for `words` as yargs does for a line without a command (the root parser), counting monitor builds. */
function completeCounting(words: string[], globals: string[]): { builds: number; completions: string[] } {
  const monitor = commands.find((c) => String(c.command).split(' ')[0] === '$0')!;
  const builder = monitor.builder as (y: unknown) => unknown;
  let builds = 0;
  monitor.builder = ((y: unknown) => {
    builds++;
    return builder(y);
  }) as never;
  const argv = process.argv;
  process.argv = [argv[0], BIN, '--get-yargs-completions', 'sockscope', ...words];
  try {
    const root = yargs([]).option('source', { type: 'string', choices: ['auto', 'ss'] }).option('color', { type: 'boolean' });
    let completions: string[] | undefined;
    completeLine.call({ yargs: root as never }, words.at(-1) ?? '', {}, (cb) => cb?.(null, [...globals]), (c) => (completions = c));
    assert.ok(completions, 'answered synchronously');
    return { builds, completions };
  } finally {
    process.argv = argv;
    monitor.builder = builder as never;
  }
}

test('the monitor\'s parser is built once per completion, none when a command is on the line', () => {
  const globals = ['--source', '--color', '--help', '--version'];
  const flagAfterFlag = completeCounting(['--json', '--'], globals);
  assert.equal(flagAfterFlag.builds, 1, 'sockscope --json --<TAB>');
  assert.deepEqual(flagAfterFlag.completions, [...globals, '--interval', '--port', '--tcp', '--udp', '--unix', '--host', '--ssh-config', '--ssh-timeout']);
  const value = completeCounting(['--port', ''], globals);
  assert.equal(value.builds, 1, 'sockscope --port <TAB>');
  assert.deepEqual(value.completions, []);
  assert.equal(completeCounting(['--po'], globals).builds, 1, 'sockscope --po<TAB>');
  assert.equal(completeCounting(['an'], globals).builds, 0, 'sockscope an<TAB>: no flag before, none typed');
  assert.equal(completeCounting(['analyze', '--'], globals).builds, 0, 'a command on the line: its own parser');
});

test('a command\'s alias names its flag: --ioModel <TAB> offers the IO models as --io-model does', () => {
  const ask = (...words: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--get-yargs-completions', 'sockscope', ...words], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SHELL: '/bin/bash' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    return r.stdout.split('\n').filter(Boolean);
  };
  const all = [...new Set(Object.values(IO_MODELS).flat())];
  assert.deepEqual(ask('generate-server', '--io-model', ''), all);
  assert.deepEqual(ask('generate-server', '--ioModel', ''), all);
  assert.deepEqual(ask('generate-server', '--language', 'python', '--ioModel=s'), IO_MODELS.python.filter((m) => m.startsWith('s')).map((m) => `--ioModel=${m}`));
});
