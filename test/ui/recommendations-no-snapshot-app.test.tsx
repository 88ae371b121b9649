// The monitor whose collector fails from the start (STALE ... (no data yet)): the recommendations panel says
// there is no snapshot yet instead of "Nothing to recommend: no rule fired on this snapshot.".
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { DEFAULT_KEYMAP } from '../../src/ui/keymap.js';
import { createTheme } from '../../src/ui/theme.js';
import { CollectorError, type SocketSource } from '../../src/collect/source.js';
import { manualScheduler, waitFor } from './fakes.js';

it('collector failing before any snapshot: the panel says no snapshot yet, not that no rule fired', async () => {
  const source = { name: 'ss', collect: async () => { throw new CollectorError('ss', 'ss not found'); } } as unknown as SocketSource;
  const inst = render(<App source={source} scheduler={manualScheduler()} theme={createTheme(false)} keymap={DEFAULT_KEYMAP.filter((b) => b.command !== 'wizard')} intervalMs={1000} protocols={{ tcp: true, udp: true, unix: false }} advise={() => []} />);
  try {
    Object.defineProperty(inst.stdout, 'columns', { value: 100, configurable: true });
    Object.defineProperty(inst.stdout, 'rows', { value: 30, configurable: true });
    inst.stdout.emit('resize');
    const f = await waitFor(() => inst.lastFrame(), (x) => /STALE: .*\(no data yet\)/.test(x) && /RECOMMENDATIONS/.test(x));
    assert.match(f, /No snapshot yet: recommendations appear after the first collection\./, f);
    assert.doesNotMatch(f, /Nothing to recommend|no rule fired/, f);
  } finally {
    inst.unmount();
  }
});
