// Which shell a completion is for. yargs reads it from $SHELL (zsh: `name:description`, fish: `name<TAB>description`,
// else bare names), but $SHELL is the login shell, not the one running: a zsh user who starts bash got zsh's
// answers at every Tab (`sockscope --po` -> `"--port:Only sockets whose LOCAL port is P"`) and zsh's script from
// `source <(sockscope completion)`. The scripts sockscope prints say their shell in SHELL_VAR on each call, and that
// decides; $SHELL only where the variable is absent (a script printed by an older sockscope, or none asked).

import yargs from 'yargs';

/** Set by the printed scripts on each `sockscope --get-yargs-completions` call: the shell asking. */
export const SHELL_VAR = 'SOCKSCOPE_COMPLETION_SHELL';

/** The shells `sockscope completion SHELL` prints a script for. */
export const SCRIPT_SHELLS = ['bash', 'zsh'] as const;
export type ScriptShell = (typeof SCRIPT_SHELLS)[number];

export type CompletionShell = ScriptShell | 'fish';

/** The shell from the login shell's name, as yargs reads it (zsh wins over fish; anything else is bash). */
function fromLoginShell(env: NodeJS.ProcessEnv): CompletionShell {
  if (env.SHELL?.includes('zsh') || env.ZSH_NAME?.includes('zsh')) return 'zsh';
  return env.SHELL?.includes('fish') ? 'fish' : 'bash';
}

/** The shell the completions are for: SHELL_VAR when a script sent it, else $SHELL's. */
export function completionShell(env: NodeJS.ProcessEnv = process.env): CompletionShell {
  const said = env[SHELL_VAR];
  return said === 'bash' || said === 'zsh' || said === 'fish' ? said : fromLoginShell(env);
}

/** The script `sockscope completion` prints without a shell named: the login shell's (as before). */
export function defaultScriptShell(env: NodeJS.ProcessEnv = process.env): CompletionShell {
  return fromLoginShell(env);
}

/**
 * yargs' script for `shell`: yargs picks its template from $SHELL when the parser is made, so it is made with
 * SHELL set to the shell wanted (ZSH_NAME unset), then both are put back.
 */
export function yargsScript(shell: CompletionShell): string {
  const saved = { SHELL: process.env.SHELL, ZSH_NAME: process.env.ZSH_NAME };
  const log = console.log;
  let script = '';
  process.env.SHELL = shell;
  delete process.env.ZSH_NAME;
  console.log = (...args: unknown[]) => void (script += `${args.join(' ')}\n`);
  try {
    yargs([]).scriptName('sockscope').showCompletionScript();
  } finally {
    console.log = log;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return script;
}

/** yargs' Completion object's own switches, which it set from $SHELL; completeLine sets them from completionShell. */
export interface ShellSwitches {
  zshShell?: boolean;
  fishShell?: boolean;
}

/** Makes yargs' Completion object format for `shell` (its default completions: commands, flags). */
export function setYargsShell(completion: ShellSwitches | undefined, shell: CompletionShell): void {
  if (!completion) return;
  completion.zshShell = shell === 'zsh';
  completion.fishShell = shell === 'fish';
}
