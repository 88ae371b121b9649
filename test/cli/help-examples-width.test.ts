// Every example of every command's --help prints on one line, at 80 columns and at 200 (yargs wraps at
// min(120, columns)): yargs gives an example with a description at most half the width, so a longer one was
// cut in two (`sockscope inspect-options --pid 1234` / `--socket-fd 7 --options ...`) and could not be copied.
// The help is rendered on a real terminal of that size (script(1) gives the CLI a pty).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, BIN } from '../collect/getsockopt-helpers.js';
import { COMMAND_HEADS } from '../../src/cli/commands/heads.js';

/** Each command's examples as written in its file ($0 as sockscope): the last line, the command (a description above it is a shell comment). */
function examplesByCommand(): Map<string, string[]> {
  const files = [...readdirSync(join(ROOT, 'src/cli/commands')).map((f) => join(ROOT, 'src/cli/commands', f)), join(ROOT, 'src/cli/completion.ts')];
  const out = new Map<string, string[]>();
  for (const f of files) {
    const src = readFileSync(f, 'utf8');
    const examples = [...src.matchAll(/\.example\(\s*(['"])((?:\\.|(?!\1)[^\\])*)\1/g)].map((m) => JSON.parse(`"${m[2].replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string);
    if (!examples.length) continue;
    // A command's name is in heads.ts (`...COMMAND_HEADS.errno`); completion.ts names its own.
    const head = /\.\.\.COMMAND_HEADS\.(\w+)/.exec(src)?.[1] as keyof typeof COMMAND_HEADS | undefined;
    const cmd = head ? COMMAND_HEADS[head].command.split(' ')[0] : /\n {2}command: '([^' ]+)/.exec(src)?.[1];
    assert.ok(cmd, `${f}: no command`);
    out.set(cmd === '$0' ? '' : cmd, examples.map((e) => e.split('\n').at(-1)!.replace(/\$0/g, 'sockscope')));
  }
  return out;
}

function helpAt(columns: number, command: string): string {
  const r = spawnSync('script', ['-qec', `stty cols ${columns} rows 60; exec ${process.execPath} ${BIN} ${command} --help`, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`script (util-linux) is required: ${r.error.message}`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\r/g, '');
}

test('every --help example prints on one line at 80 and at 200 columns', { timeout: 120_000 }, () => {
  const all = examplesByCommand();
  assert.ok(all.size >= 12 && all.has('inspect-options'), [...all.keys()].join(' '));
  const split: string[] = [];
  for (const [command, examples] of all) {
    for (const columns of [80, 200]) {
      const help = helpAt(columns, command);
      const section = help.slice(help.indexOf('\nExamples:\n'));
      assert.ok(section.length > 10, `${command || 'sockscope'} at ${columns}: no Examples section\n${help}`);
      const lines = section.split('\n');
      for (const e of examples) {
        // The whole example on one line, alone or followed by its description (two spaces or more).
        if (!lines.some((l) => l === `  ${e}` || l.startsWith(`  ${e}  `))) split.push(`${command || 'sockscope'} @${columns}: ${e}`);
      }
      assert.ok(lines.every((l) => l.length <= columns), `${command} @${columns}: a line longer than the terminal`);
    }
  }
  assert.deepEqual(split, []);
});
