// `sockscope generate`: the interactive wizard (src/ui/wizard); prints how to build, run and watch the result.
import type { CommandModule } from 'yargs';
import type { WizardDone } from '../../ui/wizard/Wizard.js';
import type { WizardScreen } from '../../ui/wizard/useWizardFrame.js';
import { HIDE_CURSOR, SHOW_CURSOR } from '../../ui/terminal.js';
import { loadCliConfig } from '../../config/resolve.js';
import { UsageError } from '../errors.js';
import { flagTyped } from '../options.js';
import { nextSteps } from './generate-shared.js';
import { stopAndResume, type Stoppable } from '../stop-and-resume.js';
import { onHangUp } from '../hang-up.js';
import { COMMAND_HEADS } from './heads.js';

export const generateCommand: CommandModule<object, { color?: boolean }> = {
  ...COMMAND_HEADS.generate,
  builder: (y) => y as never,
  handler: async (a) => {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
      throw new UsageError('generate is interactive and needs a terminal; use generate-server with flags (see --help)');
    }
    const config = (await loadCliConfig()).config;
    // Ink, React and the wizard load here only (dynamic import keeps other commands' start-up light),
    // with text attributes on whatever the colour setting: without colour the cursor line is inverse video.
    const [{ colorWanted }, { loadUiModules }, { hideBin }] = await Promise.all([import('../../ui/theme.js'), import('../load-ui.js'), import('yargs/helpers')]);
    const { createElement, render, Wizard } = await loadUiModules();
    // A typed --color/--no-color wins over NO_COLOR and the file's `color`, as in the monitor (colorWanted).
    const color = colorWanted(a.color, flagTyped(hideBin(process.argv), 'color'), config.color);
    let done: WizardDone | null = null;
    let interrupted = false;
    const screen: { current: WizardScreen | null } = { current: null };
    const guard = mainScreenGuard(() => app.clear());
    // Ctrl-Z and SIGTSTP as in the monitor (README's key table: Ctrl-Z suspends everywhere): raw mode had disabled the
    // terminal's suspend and the key did nothing. On `fg` the frame is drawn again below what the shell printed.
    const job = stopAndResume(guard, () =>
      setImmediate(() => {
        const sc = screen.current;
        if (!sc || !guard.active) return;
        // Ink erases the lines of its last frame above the cursor before drawing: blank ones, not the shell's.
        process.stdout.write('\n'.repeat(sc.height()));
        sc.write('');
      }),
    );
    const app = render(
      createElement(Wizard, {
        config,
        color,
        onDone: (d: WizardDone) => {
          done = d;
          app.unmount();
        },
        onCancel: () => app.unmount(),
        onSuspend: () => job.suspend(),
        screenRef: screen,
        // Ctrl-C reaches the wizard (exitOnCtrlC: false): an interrupted command exits 130, as a shell's
        // SIGINT and the monitor's; after a write it closes like Enter (onDone).
        onInterrupt: () => {
          interrupted = true;
          app.unmount();
        },
      }),
      { patchConsole: false, exitOnCtrlC: false },
    );
    // The terminal going away (SIGHUP, its reads ending or writes failing) ends the wizard by SIGHUP, as the monitor
    // (cli/hang-up.ts), raw mode off and the cursor shown first where the terminal is still there (kill -HUP, which
    // Ink's own signal-exit handled before): a hang-up died of SIGSEGV in Node's exit path (nodejs/node#51519).
    const offHangUp = onHangUp(() => {
      if (process.stdin.isRaw) process.stdin.setRawMode(false);
      process.stdout.write(SHOW_CURSOR);
    });
    try {
      await app.waitUntilExit();
    } finally {
      guard.close();
      job.dispose();
      offHangUp();
    }
    const d = done as WizardDone | null;
    if (d) process.stdout.write(`${nextSteps(d.result, d.createdDirs)}\n`);
    else if (interrupted) {
      process.stdout.write('generate: interrupted, nothing written\n');
      process.exitCode = 130;
    } else process.stdout.write('generate: cancelled, nothing written\n');
  },
};

/**
 * The standalone wizard's terminal for a stop (cli/stop-and-resume.ts): it draws on the main screen, so the stop
 * erases its frame (`erase`: Ink's clear()) for the shell's `Stopped` to come where it was, then gives back raw mode
 * and the cursor; reclaim() takes them again (raw mode off and on: the shell put the terminal back in cooked mode,
 * and libuv skips a setRawMode(true) it believes in effect, as ui/terminal.ts says).
 */
function mainScreenGuard(erase: () => void): Stoppable & { close(): void } {
  const { stdin, stdout } = process;
  let active = true;
  let rawBeforeStop: boolean | undefined;
  const safe = (f: () => unknown) => {
    try {
      f();
    } catch {
      // the terminal may be gone
    }
  };
  return {
    get active() {
      return active;
    },
    suspend() {
      if (!active) return;
      rawBeforeStop = stdin.isRaw === true;
      safe(erase);
      if (rawBeforeStop) safe(() => stdin.setRawMode(false));
      safe(() => stdout.write(SHOW_CURSOR));
    },
    reclaim() {
      if (!active) return;
      const raw = rawBeforeStop ?? stdin.isRaw === true;
      rawBeforeStop = undefined;
      if (raw) {
        safe(() => stdin.setRawMode(false));
        safe(() => stdin.setRawMode(true));
      }
      safe(() => stdout.write(HIDE_CURSOR));
    },
    close() {
      active = false;
    },
  };
}
