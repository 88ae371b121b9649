// Shell completion (`sockscope completion`): yargs' own completions, minus what a shell must never offer:
// the default command's internal name `$0`, and one-letter aliases spelled with two dashes (`--o`).

type Done = (completions: string[]) => void;
type Defaults = (onCompleted?: (err: Error | null, completions: string[] | undefined) => void) => void;

/** Keeps the completions a user can type. */
export function cleanCompletions(list: readonly string[]): string[] {
  return list.filter((c) => {
    const word = c.split(':')[0];
    return !word.startsWith('$0') && !/^--[^-]$/.test(word);
  });
}

/** The yargs completion function (four parameters: yargs passes its default completions in). */
export function completeCommand(_current: string, _argv: unknown, defaults: Defaults, done: Done): void {
  defaults((_err, completions) => done(cleanCompletions(completions ?? [])));
}
