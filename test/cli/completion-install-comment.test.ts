// The completion script's own install comment named no shell: `SHELL=/usr/bin/zsh sockscope completion bash` printed
// `# Installation: sockscope completion >> ~/.bashrc`, and that command, run by that user, appends the zsh script to
// ~/.bashrc. The comment now names the script's shell, and the command it gives prints that same script whatever
// $SHELL says. The fish script (`sockscope completion` with SHELL fish, there is no `completion fish`) keeps its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const script = (shellVar: string, ...args: string[]) => {
  const r = spawnSync('bin/sockscope', ['completion', ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ZSH_NAME: '', SHELL: shellVar } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

const installLines = (text: string) => text.split('\n').filter((l) => /^#.*sockscope completion/.test(l));

for (const [shell, rc, profile] of [
  ['bash', '~/.bashrc', '~/.bash_profile'],
  ['zsh', '~/.zshrc', '~/.zprofile'],
] as const) {
  for (const login of ['/bin/bash', '/usr/bin/zsh']) {
    test(`SHELL=${login} sockscope completion ${shell}: the install comment names ${shell}`, { timeout: 60_000 }, () => {
      const text = script(login, shell);
      assert.deepEqual(installLines(text), [`# Installation: sockscope completion ${shell} >> ${rc}`, `#    or sockscope completion ${shell} >> ${profile} on OSX.`]);
      // The command the comment gives prints this script, under either login shell.
      for (const other of ['/bin/bash', '/usr/bin/zsh']) assert.equal(script(other, shell), text);
    });
  }
  test(`SHELL=${shell} sockscope completion (no shell named): the comment names ${shell}`, { timeout: 60_000 }, () => {
    assert.equal(installLines(script(`/usr/bin/${shell}`))[0], `# Installation: sockscope completion ${shell} >> ${rc}`);
  });
}

test('SHELL=fish sockscope completion: the fish script keeps its install line (no `completion fish`)', { timeout: 60_000 }, () => {
  assert.deepEqual(installLines(script('/usr/bin/fish')), ['# Installation: sockscope completion > ~/.config/fish/completions/sockscope.fish']);
});
