// Completion where the cursor is not at the end of the line, `--no-*` flags, and `completion`'s own flags, typed
// into a real bash (readline in a pseudo-terminal: typeTab). The scripts sent every word on the line and sockscope
// completed the last one, so Tab in the middle of a line answered for the line's end. Only bash is tested: CI
// installs no zsh (.ci/apt-packages.txt); the zsh script's change (words up to CURRENT, then $PREFIX) was tried by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeAll, typeTab } from '../helpers/bash-completion.js';

/** Ctrl-B (readline's backward-char) `n` times: the cursor moved left over the text typed. */
const left = (n: number) => '\x02'.repeat(n);

test('typed into a real bash, Tab completes the word at the cursor, not the line\'s last word', { timeout: 120_000 }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sockscope-cursor-'));
  try {
    writeFileSync(join(cwd, 'zz-a-file.txt'), '');
    const [source, command, flag, joined] = typeTab(
      [
        // the cursor on the empty word after --source (two spaces), before ` --port 80`
        `sockscope analyze --source  --port 80${left(' --port 80'.length)}`,
        `sockscope ana --port 80${left(' --port 80'.length)}`,
        `sockscope analyze --po 80${left(' 80'.length)}`,
        `sockscope errno 54 --platform=m --json${left(' --json'.length)}`,
      ],
      cwd,
    );
    assert.deepEqual(source.listed, ['auto', 'netlink', 'netstat', 'procfs', 'ss'], JSON.stringify(source));
    assert.equal(source.line, 'sockscope analyze --source  --port 80');
    assert.deepEqual(command.listed, ['analyze', 'analyze-states'], JSON.stringify(command));
    assert.equal(command.line, 'sockscope analyze --port 80', 'the common prefix of analyze and analyze-states');
    assert.equal(flag.line, 'sockscope analyze --port 80');
    assert.equal(joined.line, 'sockscope errno 54 --platform=macos --json');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('--no-<TAB> offers the negations of boolean flags (--no-color, --no-tcp, --no-comments, --no-tcp-nodelay); plain --<TAB> stays as it was', { timeout: 60_000 }, () => {
  const [no, noT, gen, given, plain, errno] = completeAll([
    ['--no-'],
    ['--no-t'],
    ['generate-server', '--no-com'],
    ['--tcp', '--no-'],
    ['--'],
    ['errno', '54', '--no-'],
  ]);
  for (const f of ['--no-color', '--no-tcp', '--no-udp']) assert.ok(no.includes(f), `${f} in: ${no.join(' ')}`);
  assert.ok(!no.includes('--no-help') && !no.includes('--no-version'), no.join(' '));
  assert.equal(new Set(no).size, no.length, `each once: ${no.join(' ')}`);
  assert.deepEqual(noT, ['--no-tcp']);
  assert.deepEqual(gen, ['--no-comments']);
  assert.ok(!given.includes('--no-tcp') && given.includes('--no-udp'), `a flag given is not offered negated: ${given.join(' ')}`);
  assert.ok(!plain.some((f) => f.startsWith('--no-')), `--<TAB> lists the flags, not their negations: ${plain.join(' ')}`);
  assert.deepEqual(errno, ['--no-color', '--no-json']);
  const [tcpNodelay] = completeAll([['generate-server', '--no-tcp-']]);
  assert.deepEqual(tcpNodelay, ['--no-tcp-nodelay']);
});

test('completion --<TAB> offers completion\'s own flags, not the monitor\'s (which it refuses)', { timeout: 60_000 }, () => {
  const [flags] = completeAll([['completion', '--']]);
  assert.ok(flags.includes('--help'), flags.join(' '));
  for (const monitorFlag of ['--interval', '--port', '--tcp', '--host']) assert.ok(!flags.includes(monitorFlag), `${monitorFlag} in: ${flags.join(' ')}`);
});
