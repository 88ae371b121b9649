// `sockscope completion` in a real bash: the script yargs prints, sourced, completes commands, flags and choices
// through the built binary, and never offers the default command's internal name or `--o`-style aliases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { cleanCompletions } from '../../src/cli/completion.js';

const BIN_DIR = dirname(new URL('../../bin/sockscope', import.meta.url).pathname);

/** What bash offers for the words typed so far (the last word is being completed). */
function complete(...words: string[]): string[] {
  const script = [
    'source <(sockscope completion) || exit 3',
    `COMP_WORDS=(${['sockscope', ...words].map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length}`,
    '_sockscope_yargs_completions',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}`, SHELL: '/bin/bash' } });
  if (r.error) assert.fail(`bash is required: ${r.error.message}`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

test('bash completes commands, flags and flag choices', { timeout: 60_000 }, () => {
  assert.deepEqual(complete('gen').sort(), ['generate', 'generate-server', 'generate-tcp-server']);
  assert.deepEqual(complete('ta'), ['task']);
  const all = complete('');
  assert.ok(all.includes('analyze-states') && all.includes('task') && all.includes('completion'), all.join(' '));
  assert.ok(!all.some((c) => c.startsWith('$')), `no internal names: ${all.join(' ')}`);
  assert.deepEqual(complete('task', 'in.json', '--f'), ['--force']);
  assert.deepEqual(complete('errno', '54', '--platform', 'm'), ['macos']);
  assert.ok(!complete('task', 'in.json', '--').includes('--o'));
});

test('cleanCompletions drops $0 and one-letter long flags only', () => {
  assert.deepEqual(cleanCompletions(['$0', 'analyze', '--o', '-o', '--output', '--no-color', '$0:the monitor']), ['analyze', '-o', '--output', '--no-color']);
});
