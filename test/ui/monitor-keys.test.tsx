// Keys of the monitor: + and - on the interval ladder, Ctrl-C after a keymap override of quit, the Port
// view's title, --no-tcp/--no-udp.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { protocolToggles } from '../../src/cli/commands/monitor-run.js';
import { UsageError } from '../../src/cli/errors.js';
import { stepInterval } from '../../src/ui/state.js';
import { monitorReducer } from '../../src/ui/input.js';
import { commandFor, DEFAULT_KEYMAP, footerHints, helpLines, resolveKeymap } from '../../src/ui/keymap.js';
import { initialState, type Frame, type UiState } from '../../src/ui/state.js';
import { buildPortTables } from '../../src/ui/derive.js';
import { portsTableModel, portTableModel, type TableModel } from '../../src/ui/table-model.js';
import type { Socket } from '../../src/model/socket.js';
import { conn, FakeSource, listener, snapshot, webHost } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const ctx = { keymap: DEFAULT_KEYMAP, pageSize: 10, wizardAvailable: false };
const press = (reduce: typeof monitorReducer, s: UiState, key: string, n = 1) => {
  for (let i = 0; i < n; i++) s = reduce(s, { type: 'key', key, text: key, ctx });
  return s;
};

describe('+ and - stay on the ladder of the starting interval', () => {
  it('from 1 s: - to the 60 s cap and + back to 1 s exactly (it went 30, 15, 7.5, 3.75, 1.875 s, "every 938ms")', () => {
    const reduce = monitorReducer;
    let s: UiState = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: true, unix: false } });
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) seen.push((s = press(reduce, s, '-')).intervalMs);
    assert.deepEqual(seen, [2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    seen.length = 0;
    for (let i = 0; i < 11; i++) seen.push((s = press(reduce, s, '+')).intervalMs);
    assert.deepEqual(seen, [32000, 16000, 8000, 4000, 2000, 1000, 500, 250, 125, 100, 100]);
    assert.equal(press(reduce, s, '-').intervalMs, 125);
    // Six steps down and six up come back to the start (the reducer multiplied and capped: 938 ms).
    let back: UiState = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: true, unix: false } });
    back = press(monitorReducer, press(monitorReducer, back, '-', 6), '+', 6);
    assert.equal(back.intervalMs, 1000);
  });

  it('from 60 s, + is 30 s; a start above the 60 s cap is its own ceiling; 750 ms keeps its own ladder', () => {
    assert.equal(stepInterval(60000, 60000, -1), 30000);
    assert.equal(stepInterval(60000, 60000, 1), 60000);
    const reduce = monitorReducer;
    let s: UiState = initialState({ intervalMs: 120000, protocols: { tcp: true, udp: true, unix: false } });
    s = press(reduce, s, '-');
    assert.equal(s.intervalMs, 120000, '- from a 2 min start does not speed it up');
    s = press(reduce, s, '+');
    assert.equal(s.intervalMs, 60000);
    s = press(reduce, s, '-');
    assert.equal(s.intervalMs, 120000);
    assert.equal(stepInterval(750, 750, -1), 375);
    assert.equal(stepInterval(188, 750, 1), 375);
  });

  it('in the App: the header shows the ladder\'s values', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 24 });
    await h.press(...Array(7).fill('-'));
    await h.until((f) => f.includes('every 60s'));
    await h.press(...Array(6).fill('+'));
    const f = await h.until((x) => /every (1s|938ms)/.test(x));
    assert.match(f, /every 1s/);
  });
});

describe('Ctrl-C always quits', () => {
  it('an override of quit replaces q and keeps Ctrl-C (keymap: {quit: [Q]} left Ctrl-C doing nothing)', () => {
    const { keymap } = resolveKeymap({ quit: ['Q'] });
    assert.equal(commandFor(keymap, 'Q', 'ports'), 'quit');
    assert.equal(commandFor(keymap, 'q', 'ports'), undefined);
    for (const view of ['ports', 'port', 'socket', 'help'] as const) assert.equal(commandFor(keymap, 'ctrl+c', view), 'quit', view);
    // A key the terminal never sends: Ctrl-C still quits (config validation refuses such names; this is the floor).
    assert.equal(commandFor(resolveKeymap({ quit: ['f13'] }).keymap, 'ctrl+c', 'ports'), 'quit');
    // Help and footer say it.
    assert.equal(helpLines(keymap)[0].keys, 'Q Ctrl-C');
    assert.match(helpLines(keymap)[0].description, /Ctrl-C always quits/);
    assert.deepEqual(footerHints(keymap, 'ports')[0], { key: 'Q', label: 'quit' });
    let s: UiState = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: true, unix: false } });
    s = monitorReducer(s, { type: 'key', key: 'ctrl+c', text: 'c', ctx: { ...ctx, keymap } });
    assert.equal(s.quit, true);
  });

  it('in the App with quit: [Q], Ctrl-C ends it', async () => {
    const { keymap } = resolveKeymap({ quit: ['Q'] }, { without: ['wizard'] });
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 80, rows: 24, keymap });
    assert.match(h.frame(), /Q quit/);
    await h.press('\u0003');
    // After a quit the App takes no more keys (and Ink unmounts it): without the fix Ctrl-C did nothing and ? opened the help.
    await h.press('?');
    await new Promise((r) => setTimeout(r, 200));
    assert.doesNotMatch(h.frame(), /HELP/);
  });
});

describe('Port view title', () => {
  it('comes out of the drill as the user knows the port: sockscope\'s words in capitals, a unix path and a host as they are', () => {
    // The table model upper-cased the whole label and PortView undid it for paths and hosts (portTitle); the
    // frame's label is now the title's text, so the model's title is right as it comes.
    const path = '/tmp/Tmux-0/A\u001b[31mred';
    const unix: Socket = { ...listener(0), protocol: 'unix', local: { address: path, port: 0 }, peer: { address: '*', port: 0 } };
    const sockets = [unix, { ...listener(80), host: 'Admin@Web1' }, { ...conn(40000, '10.0.0.1', 443), host: 'Admin@Web1' }, listener(8080), conn(40001, '10.0.0.2', 5432)];
    const tables = buildPortTables(sockets, new Map(), { map: new Map() });
    const s = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: true, unix: true } });
    const titles: string[] = [];
    for (const table of ['local', 'peer'] as const) {
      const model = portsTableModel(tables, { ...s, table }) as TableModel<unknown>;
      for (const row of model.rows) {
        const [push] = model.drill!(row);
        assert.equal(push.type, 'push');
        const frame = (push as { frame: Extract<Frame, { view: 'port' }> }).frame;
        titles.push(portTableModel([], frame, s).title, portTableModel([], frame, { ...s, groupByPeer: true }).title);
      }
    }
    assert.deepEqual(titles, [
      'Admin@Web1: TCP PORT 80: SOCKETS',
      'Admin@Web1: TCP PORT 80 BY PEER ADDRESS',
      'TCP PORT 8080: SOCKETS',
      'TCP PORT 8080 BY PEER ADDRESS',
      'UNIX /tmp/Tmux-0/A\\x1b[31mred: SOCKETS',
      'UNIX /tmp/Tmux-0/A\\x1b[31mred BY PEER ADDRESS',
      'Admin@Web1: TO TCP PORT 443: SOCKETS',
      'Admin@Web1: TO TCP PORT 443 BY PEER ADDRESS',
      'TO TCP PORT 5432: SOCKETS',
      'TO TCP PORT 5432 BY PEER ADDRESS',
    ]);
  });

  it('in the App: Enter on a unix path shows it as it is, escaped', async () => {
    const unix = (path: string, state: Socket['state'], inode: number): Socket => ({ protocol: 'unix', ipVersion: 4, state, local: { address: path, port: 0 }, peer: { address: '*', port: 0 }, recvQ: 0, sendQ: 0, processes: [], inode });
    const path = '/tmp/Tmux-0/A\u001b[31mred';
    h = await mount(new FakeSource(() => snapshot([unix(path, 'LISTEN', 1), unix(path, 'ESTABLISHED', 2)])), { columns: 100, rows: 24, protocols: { tcp: false, udp: false, unix: true } });
    await h.press(KEY.enter);
    const f = await h.until((x) => x.includes(': SOCKETS'));
    assert.ok(f.includes('UNIX /tmp/Tmux-0/A\\x1b[31mred: SOCKETS'), f);
  });
});

describe('--no-tcp and --no-udp', () => {
  it('take a protocol out of the default set; with --tcp/--udp/--unix, out of those; nothing left is exit 2', () => {
    assert.deepEqual(protocolToggles({ tcp: false }), { tcp: false, udp: true, unix: false });
    assert.deepEqual(protocolToggles({ udp: false }), { tcp: true, udp: false, unix: false });
    assert.deepEqual(protocolToggles({ tcp: false, unix: true }), { tcp: false, udp: false, unix: true });
    assert.deepEqual(protocolToggles({ unix: false }), { tcp: true, udp: true, unix: false });
    assert.deepEqual(protocolToggles({ tcp: true, udp: false }), { tcp: true, udp: false, unix: false });
    assert.throws(() => protocolToggles({ tcp: false, udp: false }), (e: unknown) => e instanceof UsageError && /--no-tcp --no-udp leaves no protocol/.test(e.message));
  });
});
