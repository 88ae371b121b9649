// What a real bash offers through the script `sockscope completion` prints: the completion tests' one driver.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';

export const BIN_DIR = dirname(new URL('../../bin/sockscope', import.meta.url).pathname);

/** What bash offers for each line of words typed so far (the last word of each is being completed), in one bash. */
export function completeAll(lines: string[][]): string[][] {
  const script = [
    'source <(sockscope completion) || exit 3',
    ...lines.flatMap((words) => [
      `COMP_WORDS=(${['sockscope', ...words].map((w) => `'${w}'`).join(' ')})`,
      `COMP_CWORD=${words.length}`,
      'COMPREPLY=()',
      '_sockscope_yargs_completions',
      'printf "%s\\n" "${COMPREPLY[@]}" "=== end"',
    ]),
  ].join('\n');
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}`, SHELL: '/bin/bash' } });
  if (r.error) assert.fail(`bash is required: ${r.error.message}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'no error from the completion runs');
  const answers = r.stdout.split('=== end\n').slice(0, -1).map((a) => a.split('\n').filter(Boolean));
  assert.equal(answers.length, lines.length);
  return answers;
}
