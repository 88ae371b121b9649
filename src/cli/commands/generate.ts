// `sockscope generate`: the interactive wizard (src/ui/wizard); prints how to build, run and watch the result.
import type { CommandModule } from 'yargs';
import type { WizardDone } from '../../ui/wizard/Wizard.js';
import { loadCliConfig } from '../../config/resolve.js';
import { UsageError } from '../errors.js';
import { flagTyped } from '../options.js';
import { nextSteps } from './generate-shared.js';

export const generateCommand: CommandModule<object, { color?: boolean }> = {
  command: 'generate',
  describe: 'Interactive wizard that generates a server (the same as `c` in the monitor)',
  builder: (y) => y as never,
  handler: async (a) => {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UsageError('generate is interactive and needs a terminal; use generate-server with flags (see --help)');
    }
    const config = (await loadCliConfig()).config;
    // Ink, React and the wizard load here only (dynamic import keeps other commands' start-up light),
    // with text attributes on whatever the colour setting: without colour the cursor line is inverse video.
    const [{ colorWanted, loadWithTextAttributes }, { hideBin }] = await Promise.all([import('../../ui/theme.js'), import('yargs/helpers')]);
    const { createElement, render, Wizard } = await loadWithTextAttributes(() => import('../ui-modules.js'));
    // A typed --color/--no-color wins over NO_COLOR and the file's `color`, as in the monitor (colorWanted).
    const color = colorWanted(a.color, flagTyped(hideBin(process.argv), 'color'), config.color);
    let done: WizardDone | null = null;
    let interrupted = false;
    const app = render(
      createElement(Wizard, {
        config,
        color,
        onDone: (d: WizardDone) => {
          done = d;
          app.unmount();
        },
        onCancel: () => app.unmount(),
        // Ctrl-C reaches the wizard (exitOnCtrlC: false): an interrupted command exits 130, as a shell's
        // SIGINT and the monitor's; after a write it closes like Enter (onDone).
        onInterrupt: () => {
          interrupted = true;
          app.unmount();
        },
      }),
      { patchConsole: false, exitOnCtrlC: false },
    );
    await app.waitUntilExit();
    const d = done as WizardDone | null;
    if (d) process.stdout.write(`${nextSteps(d.result, d.createdDirs)}\n`);
    else if (interrupted) {
      process.stdout.write('generate: interrupted, nothing written\n');
      process.exitCode = 130;
    } else process.stdout.write('generate: cancelled, nothing written\n');
  },
};
