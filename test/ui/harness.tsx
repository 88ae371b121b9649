// Renders the monitor with ink-testing-library at a fixed terminal size, from a fake source.
import { render } from 'ink-testing-library';
import type { Recommendation } from '../../src/advise/types.js';
import { App, type AppProps } from '../../src/ui/App.js';
import { DEFAULT_KEYMAP } from '../../src/ui/keymap.js';
import { createTheme } from '../../src/ui/theme.js';
import { FakeSource, manualScheduler, waitFor } from './fakes.js';

export const KEY = { down: '\u001b[B', up: '\u001b[A', enter: '\r', escape: '\u001b', tab: '\t', backspace: '\u007f', pageDown: '\u001b[6~', end: '\u001b[F' };

export interface Harness {
  frame: () => string;
  press: (...keys: string[]) => Promise<void>;
  /** Runs the next poll and waits for it to land. */
  refresh: () => Promise<void>;
  until: (pred: (f: string) => boolean, what?: string) => Promise<string>;
  source: FakeSource;
  unmount: () => void;
  lines: () => string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function mount(source: FakeSource, opts: { columns: number; rows: number; recs?: Recommendation[] } & Partial<AppProps>): Promise<Harness> {
  const sched = manualScheduler();
  const { columns, rows, recs, ...rest } = opts;
  const inst = render(
    <App
      source={source}
      scheduler={sched}
      theme={createTheme(false)}
      keymap={DEFAULT_KEYMAP.filter((b) => b.command !== 'wizard')}
      intervalMs={1000}
      protocols={{ tcp: true, udp: true, unix: false }}
      advise={recs ? () => recs : undefined}
      {...rest}
    />,
  );
  Object.defineProperty(inst.stdout, 'columns', { value: columns, configurable: true });
  Object.defineProperty(inst.stdout, 'rows', { value: rows, configurable: true });
  inst.stdout.emit('resize');
  const frame = () => inst.lastFrame() ?? '';
  const h: Harness = {
    frame,
    lines: () => frame().split('\n'),
    async press(...keys) {
      for (const k of keys) {
        inst.stdin.write(k);
        await sleep(25);
      }
    },
    async refresh() {
      const before = source.calls;
      const end = Date.now() + 10_000;
      while (!sched.fire()) {
        if (Date.now() > end) throw new Error('no poll pending');
        await sleep(5);
      }
      while (source.calls === before && Date.now() < end) await sleep(5);
      await sleep(30);
    },
    until: (pred) => waitFor(frame, pred),
    source,
    unmount: () => inst.unmount(),
  };
  // Ready: data on screen at the requested size (the frame is always rows-1 lines tall).
  await h.until((f) => /LOCAL PORTS [1-9]|OUTGOING/.test(f) && f.split('\n').length === rows - 1);
  // Settled: the quick first collection and the full one after it are done, the next poll is scheduled.
  for (let i = 0; i < 1000 && !(source.calls >= 2 && sched.pending() > 0); i++) await sleep(10);
  await sleep(20);
  return h;
}
