// Completion with words after the cursor, typed into a real bash (readline in a pseudo-terminal: typeTab).
// (1) `--io-model` offers the IO models of the --language on the line (README), but a --language typed after the
// cursor was not seen (the scripts send the words up to the cursor): every language's models were listed. The
// scripts now pass the words after the cursor (SOCKSCOPE_COMPLETION_AFTER), read only for other flags' values.
// (2) With the cursor just before the '=' of `--so=ne`, bash's COMP_CWORD is the '=' word and $2 the word before
// it: the script sent `--so` twice (`analyze --so --so`), so nothing was completed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN_DIR, typeTab } from '../helpers/bash-completion.js';

/** Ctrl-B (readline's backward-char) `n` times: the cursor moved left over the text typed. */
const left = (n: number) => '\x02'.repeat(n);

test('--io-model with the cursor before a --language typed after it: that language\'s models only', { timeout: 120_000 }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sockscope-after-'));
  try {
    const [spaced, joined, node, none] = typeTab(
      [
        `sockscope generate-server --io-model  --language python${left(' --language python'.length)}`,
        `sockscope generate-server --io-model  --language=python --port 80${left(' --language=python --port 80'.length)}`,
        `sockscope generate-server --io-model  --language node${left(' --language node'.length)}`,
        `sockscope generate-server --io-model  --port 80${left(' --port 80'.length)}`,
      ],
      cwd,
    );
    assert.deepEqual(spaced.listed, ['asyncio', 'selectors', 'threads'], JSON.stringify(spaced));
    assert.equal(spaced.line, 'sockscope generate-server --io-model  --language python', 'three to choose from: the line stays');
    assert.deepEqual(joined.listed, ['asyncio', 'selectors', 'threads'], JSON.stringify(joined));
    assert.equal(node.line, 'sockscope generate-server --io-model event-loop --language node', 'the one model of node is inserted');
    for (const m of ['epoll', 'asyncio', 'event-loop']) assert.ok(none.listed.includes(m), `no --language: every model (${m}): ${JSON.stringify(none)}`);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

/**
 * What the bash script sends sockscope for each line typed (Tab at the cursor): a shell function named sockscope,
 * defined after the script is loaded, notes its words and SOCKSCOPE_COMPLETION_AFTER, then runs the real one.
 */
function sentFor(lines: string[]): { words: string[]; after: string[] }[] {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-sent-'));
  try {
    const log = join(dir, 'log');
    writeFileSync(log, '');
    writeFileSync(
      join(dir, 'rc'),
      [
        "PS1='$ '",
        "bind 'set bell-style none'",
        "bind 'set enable-bracketed-paste off'",
        'bind -x \'"\\C-x\\C-p": READLINE_LINE=""\'',
        'source <(command sockscope completion) || exit 3',
        `sockscope() { [[ $1 == --get-yargs-completions ]] && printf '%s\\x1f' "\${@:2}" $'\\x1e' "$SOCKSCOPE_COMPLETION_AFTER" $'\\x1d' >> '${log}'; command sockscope "$@"; }`,
      ].join('\n') + '\n',
    );
    // Tab, then Ctrl-X Ctrl-P (bound above): the line is cleared for the next one.
    const input = lines.map((l) => `${l}\t\x18\x10`).join('') + 'exit\n';
    const r = spawnSync('script', ['-qec', `bash --noprofile --rcfile '${join(dir, 'rc')}' -i`, '/dev/null'], {
      input,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}`, SHELL: '/bin/bash', TERM: 'dumb', INPUTRC: '/dev/null', HOME: dir },
    });
    if (r.error) assert.fail(`script (util-linux) and bash are required: ${r.error.message}`);
    const runs = readFileSync(log, 'utf8').split('\x1d\x1f').filter((x) => x.trim() !== '');
    return runs.map((run) => {
      const [words, after] = run.split('\x1e\x1f');
      return { words: words.split('\x1f').filter((w, i, a) => i < a.length - 1 || w !== ''), after: (after ?? '').replace(/\x1f?\x1d?$/, '').split('\n').filter(Boolean) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the cursor just before the = of --flag=value: the flag is sent once; the words after the cursor go apart', { timeout: 60_000 }, () => {
  const sent = sentFor([
    `sockscope analyze --source=ne${left('=ne'.length)}`,
    `sockscope generate-server --io-model  --language python${left(' --language python'.length)}`,
    `sockscope errno 54 --platform=m --json${left(' --json'.length)}`,
  ]);
  assert.deepEqual(sent.map((s) => s.words), [
    ['sockscope', 'analyze', '--source'],
    ['sockscope', 'generate-server', '--io-model', ''],
    ['sockscope', 'errno', '54', '--platform', '=', 'm'],
  ]);
  assert.deepEqual(sent.map((s) => s.after), [['=', 'ne'], ['--language', 'python'], ['--json']]);
});
