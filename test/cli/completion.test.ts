// `sockscope completion` in a real bash: the script yargs prints, sourced, completes commands, flags and choices
// through the built binary, and never offers the default command's internal name or `--o`-style aliases;
// `completion --help` is the command's help, not the script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import yargs from 'yargs';
import { cleanCompletions } from '../../src/cli/completion.js';
import { valuePosition } from '../../src/cli/completion-words.js';
import { allCommands } from '../../src/cli/commands/index.js';
import { IO_MODELS } from '../../src/codegen/options.js';
import { SOCKET_OPTIONS } from '../../src/knowledge/socket-options.js';

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN_DIR, completeAll, typeTab } from '../helpers/bash-completion.js';

const commands = await allCommands();


/** What bash offers for the words typed so far (the last word is being completed). */
function complete(...words: string[]): string[] {
  return completeAll([words])[0];
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

test('completion --help shows the command\'s help (what the script does, how to install it), not the script', { timeout: 60_000 }, () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [`${BIN_DIR}/sockscope`, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SHELL: '/bin/bash' } });
  for (const flag of ['--help', '-h']) {
    const r = run('completion', flag);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok(!r.stdout.includes('completions-###'), `${flag} printed the script:\n${r.stdout}`);
    assert.ok(r.stdout.startsWith('sockscope completion [shell]\n\nPrint the shell completion script'), r.stdout);
    for (const words of ['sockscope completion bash >> ~/.bashrc', 'source <(sockscope completion bash)', 'sockscope completion zsh >> ~/.zshrc', 'autoload -Uz compinit && compinit', 'completes commands, flags and flag values']) {
      assert.ok(r.stdout.includes(words), `${flag}: ${words}`);
    }
  }
  // Without --help: the script, as before; and a strict command like the others.
  const script = run('completion');
  assert.equal(script.status, 0);
  assert.match(script.stdout, /^###-begin-sockscope-completions-###\n[\s\S]*sockscope --get-yargs-completions[\s\S]*###-end-sockscope-completions-###\n+$/);
  const extra = run('completion', 'bash', 'extra');
  assert.equal(extra.status, 2);
  assert.equal(extra.stderr, 'sockscope: Unknown argument: extra\n');
  assert.equal(extra.stdout, '');
});

test('cleanCompletions drops $0 and one-letter long flags only', () => {
  assert.deepEqual(cleanCompletions(['$0', 'analyze', '--o', '-o', '--output', '--no-color', '$0:the monitor']), ['analyze', '-o', '--output', '--no-color']);
});

test('bash completes values, not flags, where a flag expects one: IO models for the --language given, socket option names after commas', { timeout: 60_000 }, () => {
  const [python, all, node, partial, opts, afterComma, choice, joined, output, monitorPort] = completeAll([
    ['generate-server', '--language', 'python', '--io-model', ''],
    ['generate-server', '--io-model', ''],
    // Bash splits --language=node at '=' (COMP_WORDBREAKS): the words are '--language', '=', 'node', and at
    // --io-model=<TAB> COMP_WORDS ends with '=' while readline completes the empty text after it: bare values.
    ['generate-tcp-server', '--language', '=', 'node', '--io-model', '='],
    ['generate-server', '--type', 'udp', '--io-model', 'ep'],
    ['inspect-options', '--pid', '1', '--options', ''],
    ['inspect-options', '--options', 'SO_RCVBUF,TCP_NO'],
    ['errno', '54', '--platform', '=', 'm'],
    ['generate-server', '--type=u'],
    ['task', 'in.json', '--output', ''],
    // No command: the monitor's flags (yargs completes this line in the root parser, which lacks them).
    ['--port', ''],
  ]);
  assert.deepEqual(python, [...IO_MODELS.python]);
  assert.deepEqual(all, [...new Set(Object.values(IO_MODELS).flat())]);
  assert.deepEqual(node, ['event-loop']);
  assert.deepEqual(partial, ['epoll']);
  // The names inspect-options reads: the reference's, each followed by the separate Linux options it names (completion-value-lists).
  assert.deepEqual(opts, [...new Set(SOCKET_OPTIONS.flatMap((o) => [o.name, ...(o.linuxRelated ?? []).map((r) => r.name)]))]);
  assert.deepEqual(afterComma, opts.filter((n) => n.startsWith('TCP_NO')).map((n) => `SO_RCVBUF,${n}`));
  assert.ok(afterComma.length >= 2, afterComma.join(' '));
  assert.deepEqual(choice, ['macos']);
  assert.deepEqual(joined, ['--type=udp'], 'one word (zsh): the flag stays in front');
  assert.deepEqual(output, [], 'nothing: bash completes file names');
  assert.deepEqual(monitorPort, [], 'not the command names');
});

test('no flag that takes a value is offered flags or commands as its value', { timeout: 180_000 }, () => {
  // Every command's flags as yargs knows them (the builder run on a fresh parser), the monitor's as the default command.
  const lines: string[][] = [];
  for (const c of commands) {
    const y = yargs([]);
    (c.builder as (y: unknown) => unknown)(y);
    const o = (y as unknown as { getOptions(): { key: Record<string, unknown>; boolean: string[]; count: string[]; choices: Record<string, string[]> } }).getOptions();
    const name = String(c.command).split(' ')[0];
    const prefix = name === '$0' ? [] : [name];
    for (const key of Object.keys(o.key)) if (!o.boolean.includes(key) && !o.count.includes(key) && key.length > 1 && !/[A-Z]/.test(key)) lines.push([...prefix, `--${key}`, '']);
  }
  assert.ok(lines.length >= 40, `value flags found: ${lines.length}`);
  const answers = completeAll(lines);
  const commandNames = new Set(commands.map((c) => String(c.command).split(' ')[0]));
  lines.forEach((words, i) => {
    const bad = answers[i].filter((a) => a.startsWith('-') || commandNames.has(a));
    assert.deepEqual(bad, [], words.join(' '));
  });
});

test('valuePosition: the flag before the word, split or joined at =, not a flag after a value', () => {
  const takes = (n: string) => (['io-model', 'output', 'port'].includes(n) ? n : n === 'o' ? 'output' : undefined);
  assert.deepEqual(valuePosition(['sockscope', 'generate-server', '--io-model', 'ep'], takes), { key: 'io-model', prefix: '', value: 'ep' });
  assert.deepEqual(valuePosition(['sockscope', 'task', 'x', '-o', ''], takes), { key: 'output', prefix: '', value: '' });
  assert.deepEqual(valuePosition(['sockscope', 'x', '--port', '=', '8'], takes), { key: 'port', prefix: '', value: '8' });
  assert.deepEqual(valuePosition(['sockscope', 'x', '--port=8'], takes), { key: 'port', prefix: '--port=', value: '8' });
  assert.deepEqual(valuePosition(['sockscope', 'x', '--port', '='], takes), { key: 'port', prefix: '', value: '' }, 'readline completes the text after =');
  assert.equal(valuePosition(['sockscope', 'x', '--json', ''], takes), undefined, 'a boolean flag');
  assert.equal(valuePosition(['sockscope', 'x', '--port', '80', ''], takes), undefined, 'the value is given');
  assert.equal(valuePosition(['sockscope', 'x', '--port', '80', '--'], takes), undefined);
  assert.equal(valuePosition(['sockscope', '-', ''], takes), undefined);
});

test('no command on the line: bash offers the monitor\'s own flags (the default command), and commands at the first word', { timeout: 60_000 }, () => {
  const MONITOR = ['--port', '--interval', '--tcp', '--udp', '--unix', '--json', '--host', '--ssh-config', '--ssh-timeout'];
  const [po, j, all, ssh, first, an, again, hostAgain, analyze, errnoFlags] = completeAll([
    ['--po'],
    ['--port', '80', '--j'],
    ['--'],
    ['--ssh-'],
    [''],
    ['an'],
    ['--json', '--'],
    ['--host', 'a@b', '--'],
    ['analyze', '--'],
    ['errno', '54', '--'],
  ]);
  assert.deepEqual(po, ['--port']);
  assert.deepEqual(j, ['--json']);
  for (const flag of [...MONITOR, '--source', '--color', '--help', '--version']) assert.ok(all.includes(flag), `${flag} in: ${all.join(' ')}`);
  assert.equal(new Set(all).size, all.length, `each flag once: ${all.join(' ')}`);
  assert.deepEqual(ssh.sort(), ['--ssh-config', '--ssh-timeout']);
  for (const c of ['analyze', 'errno', 'options', 'task', 'completion']) assert.ok(first.includes(c), `${c} in: ${first.join(' ')}`);
  assert.ok(!first.some((c) => c.startsWith('-') || c.startsWith('$')), first.join(' '));
  assert.deepEqual(an.sort(), ['analyze', 'analyze-states']);
  assert.ok(!again.includes('--json') && again.includes('--port'), `a flag given is not offered again: ${again.join(' ')}`);
  assert.ok(hostAgain.includes('--host'), `--host repeats: ${hostAgain.join(' ')}`);
  // A command on the line: its flags, not the monitor's.
  assert.ok(analyze.includes('--port') && !analyze.includes('--interval') && !analyze.includes('--tcp'), analyze.join(' '));
  assert.ok(!errnoFlags.includes('--port') && !errnoFlags.includes('--interval'), errnoFlags.join(' '));
});

test('--get-yargs-completions without a command lists the monitor\'s flags (bash words; zsh with descriptions)', { timeout: 60_000 }, () => {
  const ask = (shell: string, ...words: string[]) => {
    const r = spawnSync(process.execPath, [`${BIN_DIR}/sockscope`, '--get-yargs-completions', 'sockscope', ...words], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SHELL: shell, ZSH_NAME: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    return r.stdout.split('\n').filter(Boolean);
  };
  const bash = ask('/bin/bash', '--po');
  for (const flag of ['--port', '--interval', '--tcp', '--udp', '--unix', '--json', '--host', '--ssh-config', '--ssh-timeout', '--source']) assert.ok(bash.includes(flag), `${flag} in: ${bash.join(' ')}`);
  assert.ok(!ask('/bin/bash', '--port', '80', '--j').includes('--port'));
  const zsh = ask('/bin/zsh', '--');
  assert.ok(zsh.includes('--port:Only sockets whose LOCAL port is P'), zsh.join('\n'));
  assert.ok(zsh.some((c) => c.startsWith('--source:')), zsh.join('\n'));
  assert.equal(zsh.filter((c) => c.startsWith('--help:')).length, 1, 'help once');
});

test('typed into a real bash, --flag=<TAB> completes the value after the = (once), never file names', { timeout: 120_000 }, () => {
  // Before: `--platform=<TAB>` became `--platform==` (the answers were '=freebsd'...: readline inserts them after
  // the '=' typed), and a second Tab offered files.
  const cwd = mkdtempSync(join(tmpdir(), 'sockscope-tab-'));
  try {
    writeFileSync(join(cwd, 'zz-a-file.txt'), '');
    const [platform, ioModel, ioModelC, source, platformM] = typeTab(
      [
        'sockscope errno 54 --platform=',
        'sockscope generate-tcp-server --language=node --io-model=',
        'sockscope generate-server --language c --io-model=',
        'sockscope --source=',
        'sockscope errno 54 --platform=m',
      ],
      cwd,
    );
    assert.equal(platform.line, 'sockscope errno 54 --platform=');
    assert.deepEqual(platform.listed, ['freebsd', 'linux', 'macos', 'windows']);
    assert.equal(ioModel.line, 'sockscope generate-tcp-server --language=node --io-model=event-loop ', 'the one model of --language node');
    assert.equal(ioModelC.line, 'sockscope generate-server --language c --io-model=');
    assert.deepEqual(ioModelC.listed, [...IO_MODELS.c].sort());
    assert.equal(source.line, 'sockscope --source=');
    assert.deepEqual(source.listed, ['auto', 'netlink', 'netstat', 'procfs', 'ss']);
    assert.equal(platformM.line, 'sockscope errno 54 --platform=macos ');
    for (const t of [platform, ioModel, ioModelC, source, platformM]) assert.ok(!t.line.includes('==') && !t.listed.includes('zz-a-file.txt'), JSON.stringify(t));
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
