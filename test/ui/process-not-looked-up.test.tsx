// The home view looks up listeners' owners only: a row whose sockets were not looked up is marked "?"
// ("not looked up in this view"), not "-", which says no process holds them (soak review s15 #2).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { conn, FakeSource, listener, nginx, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

/** The PROCESS cell of port `port`'s row (health mark, port, proto, process). */
function processCell(frame: string, port: number): string | undefined {
  const row = frame.split('\n').find((l) => new RegExp(`^\\s*(!!|!|i|\\.)?\\s+${port} tcp\\s`).test(l));
  return row ? /\d+ tcp\s+(\S+)/.exec(row)?.[1] : undefined;
}

describe('home view PROCESS of rows whose owners were not looked up', () => {
  it('a CLOSE_WAIT-only port without attribution shows "?", a TIME_WAIT-only port "-", a listener its process', async () => {
    // As the home view's snapshot has them: attribution scope 'listeners', so the CLOSE_WAIT sockets a live
    // process holds after closing its listener come without processes.
    const sockets = [
      listener(80, { proc: nginx }),
      conn(8080, '10.0.0.1', 40000, 'CLOSE_WAIT'),
      conn(8080, '10.0.0.2', 40001, 'CLOSE_WAIT'),
      conn(8081, '10.0.0.3', 40002, 'TIME_WAIT'),
    ];
    h = await mount(new FakeSource(() => snapshot(sockets)), { columns: 120, rows: 30 });
    const f = await h.until((x) => x.includes('8081'));
    assert.equal(processCell(f, 80), 'nginx/1234', f);
    assert.equal(processCell(f, 8080), '?', f);
    assert.equal(processCell(f, 8081), '-', f);
  });

  it('with every owner looked up (scope all) a port whose sockets have no process shows "-"', async () => {
    const sockets = [listener(80, { proc: nginx }), conn(8080, '10.0.0.1', 40000, 'CLOSE_WAIT')];
    h = await mount(new FakeSource(() => ({ ...snapshot(sockets), attribution: { scope: 'all', complete: true, hiddenProcesses: 0 } })), { columns: 120, rows: 30 });
    const f = await h.until((x) => x.includes('8080'));
    assert.equal(processCell(f, 8080), '-', f);
    void KEY;
  });
});
