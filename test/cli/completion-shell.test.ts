// The completion's format is the asking shell's, not $SHELL's: a bash started by a zsh user ($SHELL=/usr/bin/zsh,
// the login shell) got zsh's answers at every Tab (`sockscope --po` -> `"--port:Only sockets whose LOCAL port is P"`,
// `sockscope <Tab>` -> a lone `"`). The scripts say their shell on each call; `sockscope completion bash|zsh` names
// the script's. And where a command's positional goes, the word gets what fits it, not the flags' common prefix
// (`task <Tab>` inserted `-`, stdin): file names for task, the names for errno and options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN_DIR, typeTab } from '../helpers/bash-completion.js';
import { tmuxServer, tmuxSkip, until } from '../helpers/tmux.js';

const run = (env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [`${BIN_DIR}/sockscope`, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ZSH_NAME: '', ...env } });

test('in a real bash whose $SHELL names zsh, Tab completes plain names (tmux)', { skip: tmuxSkip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-shell-'));
  const tmux = tmuxServer('sockscope-completion-shell');
  try {
    // The files bash falls back to: one alone (rc and bash's history stay in dir).
    const work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'only-file.json'), '{}');
    const rc = join(dir, 'rc');
    writeFileSync(
      rc,
      [
        "PS1='READY$ '",
        "bind 'set bell-style none'",
        "bind 'set show-all-if-ambiguous on'",
        "bind 'set completion-query-items 0'",
        "bind 'set page-completions off'",
        // Prints the line as Tab left it, and clears it for the next.
        'bind -x \'"\\C-x\\C-p": printf "<<<LINE:%s>>>\\n" "$READLINE_LINE"; READLINE_LINE=""\'',
        'source <(sockscope completion bash) || echo SOURCE-FAILED',
        `cd '${work}'`,
      ].join('\n') + '\n',
    );
    // The environment on the command line: tmux's own (-e, the server's) may be put over by its global environment.
    // HISTFILE: bash writes its history into HOME (the test's directory) as tmux's kill ends it, which raced the rmSync
    // below (ENOTEMPTY in a CI run).
    const env = `SHELL=/usr/bin/zsh PATH='${BIN_DIR}:${process.env.PATH}' HOME='${dir}' INPUTRC=/dev/null HISTFILE=/dev/null`;
    const r = tmux('new-session', '-d', '-s', 'sh', '-x', '200', '-y', '50', '-c', dir, `env ${env} bash --noprofile --rcfile '${rc}' -i`);
    assert.equal(r.status, 0, r.stderr);
    const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'sh').stdout;
    await until(screen, (s) => s.includes('READY$'), 'the bash prompt');
    tmux('send-keys', '-t', 'sh', 'echo "shell=$SHELL"', 'Enter');
    await until(screen, (s) => s.includes('shell=/usr/bin/zsh'), 'SHELL=/usr/bin/zsh in the bash');
    const lines: string[] = [];
    for (const typed of ['sockscope --po', 'sockscope analy', 'sockscope ', 'sockscope errno --plat', 'sockscope task ']) {
      tmux('send-keys', '-t', 'sh', '-l', typed);
      tmux('send-keys', '-t', 'sh', 'Tab');
      await new Promise((res) => setTimeout(res, 200));
      tmux('send-keys', '-t', 'sh', 'C-x', 'C-p');
      const n = lines.length + 1;
      const s = await until(screen, (t) => (t.match(/<<<LINE:[^\n]*>>>/g) ?? []).length >= n, `the line after Tab on '${typed}'`);
      lines.push((s.match(/<<<LINE:([^\n]*)>>>/g) ?? [])[n - 1].slice(8, -3));
    }
    const all = screen();
    assert.ok(!all.includes('SOURCE-FAILED') && !all.includes('zsh_eval_context') && !all.includes('compdef'), all);
    assert.deepEqual(lines, [
      'sockscope --port ',
      'sockscope analyze',
      'sockscope ', // the commands listed, nothing inserted (was a lone ")
      'sockscope errno --platform ',
      'sockscope task only-file.json ', // file names (was '-', stdin)
    ]);
    // The commands were listed bare, no `name:description`.
    assert.match(all, /\banalyze-states\b/);
    assert.ok(!/Only sockets whose|:Explain an errno/.test(all), all);
  } finally {
    tmux('kill-server');
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
});

test('the scripts say their shell; completion bash|zsh names it, default from $SHELL, other values exit 2', { timeout: 60_000 }, () => {
  const bash = run({ SHELL: '/usr/bin/zsh' }, 'completion', 'bash');
  assert.equal(bash.status, 0, bash.stderr);
  assert.match(bash.stdout, /< <\(SOCKSCOPE_COMPLETION_SHELL=bash [^\n]*sockscope --get-yargs-completions/);
  assert.ok(bash.stdout.includes('complete -o bashdefault -o default -F _sockscope_yargs_completions sockscope') && !bash.stdout.includes('compdef'));
  const zsh = run({ SHELL: '/bin/bash' }, 'completion', 'zsh');
  assert.equal(zsh.status, 0, zsh.stderr);
  assert.ok(zsh.stdout.startsWith('#compdef sockscope\n'), zsh.stdout);
  assert.match(zsh.stdout, /SOCKSCOPE_COMPLETION_SHELL=zsh [^\n]*sockscope --get-yargs-completions/);
  // No shell named: the login shell's, as before.
  assert.ok(run({ SHELL: '/usr/bin/zsh' }, 'completion').stdout.startsWith('#compdef sockscope\n'));
  assert.ok(run({ SHELL: '/bin/bash' }, 'completion').stdout.startsWith('###-begin-sockscope-completions-###\n'));
  const bad = run({ SHELL: '/bin/bash' }, 'completion', 'tcsh');
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^sockscope: .*tcsh.*bash, zsh\n$/);
  // The shell a script says wins over $SHELL; without it, $SHELL as before (a script from an older sockscope).
  const ask = (env: Record<string, string>, ...words: string[]) => run(env, '--get-yargs-completions', 'sockscope', ...words).stdout.split('\n').filter(Boolean);
  assert.ok(ask({ SHELL: '/usr/bin/zsh', SOCKSCOPE_COMPLETION_SHELL: 'bash' }, '--po').includes('--port'));
  assert.ok(ask({ SHELL: '/usr/bin/zsh', SOCKSCOPE_COMPLETION_SHELL: 'bash' }, 'an').includes('analyze'));
  assert.ok(ask({ SHELL: '/bin/bash', SOCKSCOPE_COMPLETION_SHELL: 'zsh' }, '--po').includes('--port:Only sockets whose LOCAL port is P'));
  assert.ok(ask({ SHELL: '/usr/bin/zsh' }, '--po').includes('--port:Only sockets whose LOCAL port is P'));
});

test('typed into a real bash, the word for a command\'s positional gets what fits it, never the flags\' prefix', { timeout: 120_000 }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'sockscope-tab-'));
  try {
    writeFileSync(join(cwd, 'zz-input.json'), '{}');
    const [task, taskFlag, errnoEmpty, errnoPrefix, optionsEmpty, optionsPrefix, optionsGiven, completionShell] = typeTab(
      ['sockscope task ', 'sockscope task --fo', 'sockscope errno ', 'sockscope errno ECONNRES', 'sockscope options ', 'sockscope options SO_RCVB', 'sockscope options SO_RCVBUF --js', 'sockscope completion '],
      cwd,
    );
    assert.equal(task.line, 'sockscope task zz-input.json ', 'task: file names (was "-", stdin)');
    assert.equal(taskFlag.line, 'sockscope task --force ', 'flags once the word starts with -');
    assert.equal(errnoEmpty.line, 'sockscope errno ', 'errno: nothing inserted (was "--")');
    for (const name of ['ECONNRESET', 'EADDRINUSE', 'WSAECONNRESET', 'EWOULDBLOCK']) assert.ok(errnoEmpty.listed.join(' ').split(/\s+/).includes(name), `${name} listed: ${errnoEmpty.listed.join(' ')}`);
    assert.ok(!errnoEmpty.listed.join(' ').includes('--'), errnoEmpty.listed.join(' '));
    assert.equal(errnoPrefix.line, 'sockscope errno ECONNRESET ');
    assert.equal(optionsEmpty.line, 'sockscope options ', 'options: nothing inserted (was "--")');
    for (const name of ['SO_RCVBUF', 'SO_REUSEADDR', 'TCP_NODELAY']) assert.ok(optionsEmpty.listed.join(' ').split(/\s+/).includes(name), `${name} listed`);
    assert.equal(optionsPrefix.line, 'sockscope options SO_RCVBUF ');
    assert.equal(optionsGiven.line, 'sockscope options SO_RCVBUF --json ');
    assert.deepEqual(completionShell.listed.join(' ').split(/\s+/).sort(), ['bash', 'zsh']);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
