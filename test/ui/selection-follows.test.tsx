// The selection follows the selected row, not its row number, when that row then disappears (review s14-tui
// #2): the index and scroll position were recorded only on a key press, so after rows had moved a vanished
// row handed the selection to whatever sat at its old row number. Select 42010 at row 2/12; 42000-42009
// open (the selection follows to 12/22); 42010 closes: the selection must land on its neighbour 42020 (row
// 12/21), not on row 2 (42000). The same in a port view's socket list, and after Esc clears a filter under
// which the selected row was hidden the selection stays on the port it was on.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Socket } from '../../src/model/socket.js';
import { followTop, initialState, reducer, selectedIndex } from '../../src/ui/state.js';
import { conn, FakeSource, listener, nginx, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const titleOf = (f: string, re: RegExp) => f.split('\n').find((l) => re.test(l)) ?? '';

describe('the selection lands on a neighbour when its row goes, after rows have moved', () => {
  it('ports view: 42010 selected at 2/12, 42000-42009 open (12/22), 42010 closes: 42020 at 12/21', async () => {
    let ports = [41990, 42010, ...range(42020, 42030)];
    const src = new FakeSource(() => snapshot(ports.map((p) => listener(p, { proc: nginx }))));
    h = await mount(src, { columns: 100, rows: 12 });
    await h.press(KEY.down);
    await h.until((f) => f.includes('row 2/12'));
    ports = [41990, ...range(42000, 42011), ...range(42020, 42030)];
    await h.refresh();
    await h.until((f) => f.includes('row 12/22'));
    ports = ports.filter((p) => p !== 42010);
    await h.refresh();
    let f = await h.until((x) => x.includes('/21'));
    assert.match(titleOf(f, /LOCAL PORTS/), /row 12\/21/, f);
    // The selected row is 42020 (Enter opens it), drawn where 42010 was on screen.
    await h.press(KEY.enter);
    f = await h.until((x) => x.includes('TCP PORT'));
    assert.match(f, /TCP PORT 42020: SOCKETS/, titleOf(f, /TCP PORT/));
  });

  it('port view: the selected socket closes after 10 sockets opened before it: its neighbour is selected', async () => {
    // Sorted by state, then by peer: the listener first, then the connections by peer port.
    // One socket per peer port, made once: a socket's id carries its inode.
    const made = new Map<number, Socket>();
    const c = (p: number): Socket => made.get(p) ?? made.set(p, conn(8080, '127.0.0.1', p, 'ESTABLISHED', nginx)).get(p)!;
    const l = listener(8080, { proc: nginx });
    let peers = [51990, 52010, ...range(52020, 52030)];
    const src = new FakeSource(() => snapshot([l, ...peers.map(c)]));
    h = await mount(src, { columns: 100, rows: 14 });
    await h.press(KEY.enter);
    await h.until((f) => f.includes('TCP PORT 8080: SOCKETS 13'));
    await h.press(KEY.down, KEY.down); // 52010, row 3/13
    await h.until((f) => f.includes('row 3/13'));
    peers = [51990, ...range(52000, 52011), ...range(52020, 52030)];
    await h.refresh();
    await h.until((f) => f.includes('row 13/23'));
    peers = peers.filter((p) => p !== 52010);
    await h.refresh();
    let f = await h.until((x) => x.includes('SOCKETS 22'));
    assert.match(titleOf(f, /SOCKETS 22/), /row 13\/22/, f);
    await h.press(KEY.enter);
    f = await h.until((x) => x.includes('SOCKET tcp'));
    assert.match(titleOf(f, /SOCKET tcp/), /-> 127\.0\.0\.1:52020/);
  });

  it('Esc clears a filter that hid the selected row: the selection stays on the port it was on', async () => {
    const ports = [41990, 42010, ...range(42020, 42030)];
    const src = new FakeSource(() => snapshot(ports.map((p) => listener(p, { proc: nginx }))));
    h = await mount(src, { columns: 100, rows: 20 });
    await h.press(KEY.down); // 42010
    await h.until((f) => f.includes('row 2/12'));
    await h.press('/', '4202', KEY.enter); // 42010 is filtered out: the selection is on its neighbour 42020
    await h.until((f) => f.includes('3 of 12') === false && /LOCAL PORTS 10 of 12/.test(f));
    await h.press(KEY.escape); // clears the filter
    let f = await h.until((x) => /LOCAL PORTS 12 ·/.test(x));
    assert.match(titleOf(f, /LOCAL PORTS/), /row 3\/12/, f);
    await h.press(KEY.enter);
    f = await h.until((x) => x.includes('TCP PORT'));
    assert.match(f, /TCP PORT 42020: SOCKETS/, titleOf(f, /TCP PORT/));
  });

  it('selectedIndex and followTop (pure): a neighbour as last drawn, and the scroll position moves with the row', () => {
    const before = ['a', 'x', 'b', 'c'];
    // x was drawn at 1 between a and b; 5 rows came above and x went at once: b is its neighbour.
    const after = ['n1', 'n2', 'n3', 'n4', 'n5', 'a', 'b', 'c'];
    assert.equal(selectedIndex(after, 'x', 1, { next: 'b', prev: 'a' }), 6);
    assert.equal(selectedIndex(['a', 'c'], 'x', 1, { next: 'b', prev: 'a' }), 1); // b gone too: after a
    assert.equal(selectedIndex(['q'], 'x', 1, { next: 'b', prev: 'a' }), 0); // both gone: the row number, clamped
    assert.equal(selectedIndex(before, 'x', 3), 1);
    assert.equal(followTop(0, 1, 11), 10);
    assert.equal(followTop(8, 12, 3), 0);
    // A render's 'follow' does not undo a key pressed meanwhile.
    let s = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: true, unix: false } });
    s = reducer(s, { type: 'select', table: 'ports', id: 'b', index: 2, top: 0 });
    const kept = reducer(s, { type: 'follow', table: 'ports', was: { id: 'x', index: 1, top: 0 }, id: 'x', index: 6, top: 5, near: {} });
    assert.equal(kept, s);
    const moved = reducer(s, { type: 'follow', table: 'ports', was: { id: 'b', index: 2, top: 0 }, id: 'b', index: 7, top: 5, near: { next: 'c' } });
    assert.deepEqual([moved.selected.ports, moved.lastIndex.ports, moved.top.ports, moved.near.ports.next], ['b', 7, 5, 'c']);
  });
});
