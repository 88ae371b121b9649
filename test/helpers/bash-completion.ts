// What a real bash offers through the script `sockscope completion` prints: the completion tests' one driver.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const BIN_DIR = dirname(new URL('../../bin/sockscope', import.meta.url).pathname);

/** What bash offers for each line of words typed so far (the last word of each is being completed), in one bash. */
export function completeAll(lines: string[][]): string[][] {
  const script = [
    'source <(sockscope completion) || exit 3',
    ...lines.flatMap((words) => [
      `COMP_WORDS=(${['sockscope', ...words].map((w) => `'${w}'`).join(' ')})`,
      `COMP_CWORD=${words.length}`,
      'COMPREPLY=()',
      // As bash calls it: the command, the word readline completes (after a '=' word: the empty text after it), the word before.
      `_sockscope_yargs_completions sockscope '${words.at(-1) === '=' ? '' : (words.at(-1) ?? '')}' '${words.length > 1 ? words.at(-2) : 'sockscope'}'`,
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

/** What one Tab did to a line typed into an interactive bash: the line after it, and the list bash showed. */
export interface Typed {
  line: string;
  listed: string[];
}

/**
 * Types each of `lines` into a real interactive bash (readline in a pseudo-terminal from util-linux's
 * `script`), presses Tab once, and reads back the line: readline splits the words (COMP_WORDBREAKS),
 * calls the function with its own word and inserts the answer, none of which completeAll's COMP_WORDS
 * stand-in does. Tab shows every match at once (show-all-if-ambiguous, one per line); a key bound with
 * `bind -x` prints READLINE_LINE and clears it for the next line. `cwd` holds the files bash would fall
 * back to.
 */
export function typeTab(lines: string[], cwd: string): Typed[] {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-bashrc-'));
  try {
    const rc = join(dir, 'rc');
    writeFileSync(
      rc,
      [
        "PS1='$ '",
        "bind 'set bell-style none'",
        "bind 'set show-all-if-ambiguous on'",
        "bind 'set completion-display-width 0'",
        "bind 'set completion-query-items 0'",
        "bind 'set page-completions off'",
        "bind 'set enable-bracketed-paste off'",
        'bind -x \'"\\C-x\\C-p": printf "<<<LINE:%s>>>\\n" "$READLINE_LINE"; READLINE_LINE=""\'',
        'source <(sockscope completion) || exit 3',
        `cd '${cwd}'`,
      ].join('\n') + '\n',
    );
    const input = lines.map((l) => `${l}\t\x18\x10`).join('') + 'exit\n';
    const r = spawnSync('script', ['-qec', `bash --noprofile --rcfile '${rc}' -i`, '/dev/null'], {
      input,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}`, SHELL: '/bin/bash', TERM: 'dumb', INPUTRC: '/dev/null', HOME: dir },
    });
    if (r.error) assert.fail(`script (util-linux) and bash are required: ${r.error.message}`);
    const parts = r.stdout.split('<<<LINE:');
    assert.equal(parts.length, lines.length + 1, `one answer per line:\n${r.stdout}`);
    return parts.slice(1).map((part, i) => {
      const line = part.slice(0, part.indexOf('>>>'));
      // The list bash printed before this marker: the lines of the previous part after its marker, but the prompt lines.
      const before = i === 0 ? parts[0] : parts[i].slice(parts[i].indexOf('>>>') + 3);
      const listed = before
        .split('\n')
        .map((l) => l.replace(/\r/g, '').trim())
        .filter((l) => l !== '' && !l.startsWith('$ ') && l !== '$' && !l.includes('^X^P')); // ^X^P: the input echoed before readline started
      return { line, listed };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
