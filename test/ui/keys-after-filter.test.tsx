// A key in the same read as a filter, sort or protocol toggle acts on the table that key leads to, as two reads
// would (README: "as if pressed on its own"). tmux send-keys '/5432' Enter Enter and a paste are one write;
// Enter went by the rows of the read's screen: it opened UDP 53, which the filter hides or the toggle removed.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { sameScreen } from '../../src/ui/input.js';
import { initialState, reducer } from '../../src/ui/state.js';
import { FakeSource, snapshot, webHost } from './fakes.js';
import { mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

/** The frame once every key written so far has acted (Space pauses: PAUSED shows only after them). */
async function settled(m: Harness): Promise<string> {
  await m.press(' ');
  return m.until((x) => x.includes('PAUSED'));
}

describe('keys after a filter, sort or protocol toggle in one read', () => {
  // webHost by port: 53/udp, 80, 5432; the first row (53) is selected.
  for (const [name, keys, want] of [
    ['filter "5432", Enter, Enter', '/5432\r\r', 'TCP PORT 5432: SOCKETS'],
    ['u (hide UDP), Enter', 'u\r', 'TCP PORT 80: SOCKETS'],
    ['s (sort by sockets), Enter', 's\r', 'TCP PORT 80: SOCKETS'],
  ] as const)
    it(`${name} opens ${want.split(':')[0]} (it opened UDP PORT 53)`, async () => {
      h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
      await h.press(keys);
      const f = await settled(h);
      assert.ok(f.includes(want), `not ${want}: ${f.split('\n').find((l) => /PORT/.test(l))}`);
    });

  it('typing in the filter bar holds no key back; leaving it, sorting or toggling does', () => {
    const s0 = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: true, unix: false } });
    const editing = reducer(s0, { type: 'filterStart' });
    const typed = reducer(editing, { type: 'filterAppend', table: 'ports', text: '54' });
    assert.equal(sameScreen(s0, typed), true);
    assert.equal(sameScreen(s0, reducer(typed, { type: 'filterEnd', clear: false, table: 'ports' })), false);
    assert.equal(sameScreen(s0, reducer(s0, { type: 'sortNext', kind: 'ports', count: 9 })), false);
    assert.equal(sameScreen(s0, reducer(s0, { type: 'toggleProtocol', protocol: 'udp' })), false);
    assert.equal(sameScreen(s0, reducer(s0, { type: 'pause' })), true);
  });
});
