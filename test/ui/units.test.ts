// Pure parts of the monitor: keymap, layout, reducer and key handling, sparkline, history window, frame writer, plain table.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseInterval, protocolToggles, collectProtocols } from '../../src/cli/commands/monitor-run.js';
import { readFdInfo } from '../../src/collect/fdinfo.js';
import { summarizePorts } from '../../src/model/aggregate.js';
import { buildPortTables, healthByPort, isServedPort, nextTrends, selectSockets, summarizeUnix } from '../../src/ui/derive.js';
import { fit, stringWidth } from '../../src/ui/format.js';
import { FrameWriter } from '../../src/ui/frame-writer.js';
import { thinHistory } from '../../src/model/history-window.js';
import { adviceCadence } from '../../src/ui/hooks/useMonitorData.js';
import { CLEAR_SCREEN } from '../../src/ui/hooks/useTerminalSize.js';
import { handleKey, monitorReducer } from '../../src/ui/input.js';
import { commandFor, DEFAULT_KEYMAP, footerHints, helpLines, keyName, resolveKeymap, splitKeys } from '../../src/ui/keymap.js';
import { BREAKPOINTS, placeColumns, windowTop } from '../../src/ui/layout.js';
import { plainReport } from '../../src/ui/plain.js';
import { sparkline } from '../../src/ui/sparkline.js';
import { initialState, selectedIndex, type UiState } from '../../src/ui/state.js';
import { portsTableModel } from '../../src/ui/table-model.js';
import { listenQueue, PORT_COLUMNS, PORT_SORTS } from '../../src/ui/tables/ports.js';
import { groupByPeer } from '../../src/ui/tables/peers.js';
import { SOCKET_COLUMNS, SOCKET_SORTS } from '../../src/ui/tables/sockets.js';
import type { Socket } from '../../src/model/socket.js';
import { LEAVE_ALT_SCREEN, SHOW_CURSOR, terminalGuard } from '../../src/ui/terminal.js';
import { conn, listener, nginx, snapshot, webHost } from './fakes.js';

describe('keymap', () => {
  it('one table drives handling, footer and help: every binding is in the help, every hint is a binding', () => {
    const help = helpLines(DEFAULT_KEYMAP);
    assert.equal(help.length, DEFAULT_KEYMAP.length);
    for (const b of DEFAULT_KEYMAP) assert.ok(help.some((h) => h.description === b.description));
    assert.deepEqual(
      footerHints(DEFAULT_KEYMAP, 'ports').map((h) => h.label),
      DEFAULT_KEYMAP.filter((b) => b.hint && (b.views === 'all' || b.views.includes('ports'))).map((b) => b.hint),
    );
  });

  it('the issue\'s keys are bound', () => {
    const c = (k: string, v: Parameters<typeof commandFor>[2] = 'ports') => commandFor(DEFAULT_KEYMAP, k, v);
    assert.equal(c('q'), 'quit');
    assert.equal(c('ctrl+c'), 'quit');
    assert.equal(c('?'), 'help');
    assert.equal(c('/'), 'filter');
    assert.equal(c('enter'), 'drill');
    assert.equal(c('escape', 'port'), 'back');
    assert.equal(c('backspace', 'socket'), 'back');
    for (const k of ['up', 'k']) assert.equal(c(k), 'up');
    for (const k of ['down', 'j']) assert.equal(c(k), 'down');
    assert.equal(c('pageup'), 'pageUp');
    assert.equal(c('pagedown'), 'pageDown');
    assert.equal(c('home'), 'home');
    assert.equal(c('end'), 'end');
    assert.equal(c('s'), 'sort');
    assert.equal(c('S'), 'sortReverse');
    assert.equal(c('space'), 'pause');
    assert.equal(c('t'), 'toggleTcp');
    assert.equal(c('u'), 'toggleUdp');
    assert.equal(c('x'), 'toggleUnix');
    assert.equal(c('+'), 'faster');
    assert.equal(c('-'), 'slower');
    assert.equal(c('tab'), 'switchTable');
  });

  it('config.keymap overrides keys; unknown commands are reported; the wizard key can be left out', () => {
    const { keymap, unknown } = resolveKeymap({ quit: ['Q'], nope: ['z'] }, { without: ['wizard'] });
    assert.deepEqual(unknown, ['nope']);
    assert.equal(commandFor(keymap, 'Q', 'ports'), 'quit');
    assert.equal(commandFor(keymap, 'q', 'ports'), undefined);
    assert.equal(commandFor(keymap, 'c', 'ports'), undefined);
  });

  it('Ink keys normalize; DEL (what Backspace sends) is backspace; a chunk of characters splits into keys', () => {
    assert.equal(keyName('', { delete: true }), 'backspace');
    assert.equal(keyName('c', { ctrl: true }), 'ctrl+c');
    assert.equal(keyName(' ', {}), 'space');
    assert.deepEqual(splitKeys('80\r', {}), [['8', '8'], ['0', '0'], ['enter', '']]);
    assert.deepEqual(splitKeys('', { upArrow: true }), [['up', '']]);
  });
});

describe('layout', () => {
  it('narrow terminals drop the columns of wider breakpoints; rows never exceed the width', () => {
    for (const w of [BREAKPOINTS.narrow, BREAKPOINTS.medium, BREAKPOINTS.wide, BREAKPOINTS.huge]) {
      const placed = placeColumns(PORT_COLUMNS, w - 3, w);
      const total = placed.reduce((a, c) => a + c.cells, 0) + placed.length - 1;
      assert.ok(total <= w - 3, `${w}: ${total}`);
      assert.equal(placed.some((c) => c.id === 'trend'), w >= BREAKPOINTS.wide);
      assert.equal(placed.some((c) => c.id === 'finwait'), w >= BREAKPOINTS.medium);
      assert.ok(placed.some((c) => c.id === 'estab'));
    }
  });

  it('the window keeps its scroll position while the selection is visible', () => {
    assert.equal(windowTop(100, 5, 10, 0), 0);
    assert.equal(windowTop(100, 15, 10, 0), 6);
    assert.equal(windowTop(100, 12, 10, 6), 6);
    assert.equal(windowTop(100, 3, 10, 6), 3);
    assert.equal(windowTop(5, 4, 10, 3), 0);
  });

  it('fit pads and cuts by terminal cells', () => {
    assert.equal(fit('abc', 5), 'abc  ');
    assert.equal(fit('abc', 5, 'right'), '  abc');
    assert.equal(fit('abcdef', 4), 'abc…');
    assert.equal(stringWidth('日本'), 4);
    assert.equal(stringWidth(fit('日本語テキスト', 5)), 5);
  });
});

describe('state and keys', () => {
  const rowsState = () => {
    const snap = snapshot(webHost());
    const tables = buildPortTables(snap.sockets, new Map(), { map: new Map() });
    return { tables };
  };

  it('the selection follows the row id; when the row goes, it stays at the same position', () => {
    assert.equal(selectedIndex(['a', 'b', 'c'], 'c', 0), 2);
    assert.equal(selectedIndex(['a', 'c'], 'b', 1), 1);
    assert.equal(selectedIndex(['a'], 'b', 5), 0);
    assert.equal(selectedIndex([], 'b', 5), -1);
  });

  it('keys go through the reducer in order, even faster than frames', () => {
    const { tables } = rowsState();
    let s: UiState = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: true, unix: false } });
    const model = portsTableModel(tables, s);
    const ids = model.rows.map((r) => r.id);
    const ctx = { keymap: DEFAULT_KEYMAP, table: { model: model as never, ids, index: 0, top: 0, height: 10 }, pageSize: 10, wizardAvailable: false };
    for (const k of ['j', 'j']) s = monitorReducer(s, { type: 'key', key: k, text: k, ctx });
    assert.equal(s.selected.ports, ids[2]);
    for (const k of ['/', 'n', 'g', 'i']) s = monitorReducer(s, { type: 'key', key: k, text: k, ctx });
    assert.equal(s.filters.ports, 'ngi');
    s = monitorReducer(s, { type: 'key', key: 'backspace', text: '', ctx });
    assert.equal(s.filters.ports, 'ng');
    s = monitorReducer(s, { type: 'key', key: 'enter', text: '', ctx });
    assert.equal(s.editingFilter, false);
    s = monitorReducer(s, { type: 'key', key: 'q', text: 'q', ctx });
    assert.equal(s.quit, true);
  });

  it('+ and - halve and double the interval within bounds; toggles never switch everything off', () => {
    let s: UiState = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: false, unix: false } });
    const ctx = { keymap: DEFAULT_KEYMAP, pageSize: 10, wizardAvailable: false };
    for (let i = 0; i < 6; i++) s = monitorReducer(s, { type: 'key', key: '+', text: '+', ctx });
    assert.equal(s.intervalMs, 100);
    s = monitorReducer(s, { type: 'key', key: '-', text: '-', ctx });
    assert.equal(s.intervalMs, 125, 'one rung up the ladder of the 1 s start (1000 / 8)');
    s = monitorReducer(s, { type: 'key', key: 't', text: 't', ctx });
    assert.equal(s.protocols.tcp, true);
    assert.equal(handleKey('c', 'c', { ...ctx, state: s }).quit, false);
  });
});

describe('data', () => {
  it('ephemeral ports without a listener are outgoing, not rows of the local table', () => {
    const socks = [listener(8080), conn(8080, '10.0.0.1', 50000), conn(45000, '10.0.0.2', 443), conn(1234, '10.0.0.3', 50001, 'TIME_WAIT')];
    const served = summarizePorts(socks).filter((p) => isServedPort(p)).map((p) => p.port);
    assert.deepEqual(served, [1234, 8080]);
  });

  it('by peer address: a listener is no peer, and its backlog and accept queue are not counted as queued bytes', () => {
    // Port 17001 of a CLOSE_WAIT leak (ss: LISTEN 0/64; 15 CLOSE_WAIT with Recv-Q 1, the unread FIN).
    const sockets = [listener(17001, { backlog: 64, queued: 2 }), ...Array.from({ length: 15 }, (_, i) => conn(17001, '127.0.0.1', 45000 + i, 'CLOSE_WAIT', undefined, { recvQ: 1 }))];
    const groups = new Map(groupByPeer(sockets).map((g) => [g.address, g]));
    assert.deepEqual([groups.get('127.0.0.1')!.recvQ, groups.get('127.0.0.1')!.sendQ], [15, 0]);
    assert.deepEqual([...groups.keys()], ['127.0.0.1']);
  });

  it('the port view\'s PEER and LOCAL cells escape an IPv6 zone and a unix path with escape sequences', () => {
    const cell = (id: string, s: Parameters<(typeof SOCKET_COLUMNS)[number]['cell']>[0]['socket']) => SOCKET_COLUMNS.find((c) => c.id === id)!.cell({ id: 'x', socket: s });
    const zone = { address: 'fe80::5', port: 18030, scope: 'v\u001b[31m' };
    const tcpSock = conn(18030, 'fe80::5', 46140, 'ESTABLISHED', undefined, { ipVersion: 6, local: zone, peer: { ...zone, port: 46140 } });
    assert.equal(cell('peer', tcpSock), '[fe80::5%v\\x1b[31m]:46140');
    assert.equal(cell('local', tcpSock), '[fe80::5%v\\x1b[31m]:18030');
    const unixSock = { ...conn(0, '', 0, 'LISTEN'), protocol: 'unix' as const, local: { address: '/tmp/evil\u001b]0;pwned\u0007.sock', port: 0 } };
    assert.ok(!String(cell('local', unixSock)).includes('\u001b'), String(cell('local', unixSock)));
    // Queues a source cannot see (procfs/netstat unix sockets) are '?', not 0.
    const blind = { ...conn(0, '', 0, 'ESTABLISHED'), protocol: 'unix' as const, recvQUnknown: true, sendQUnknown: true };
    assert.deepEqual([cell('recvq', blind), cell('sendq', blind)], ['?', '?']);
    assert.deepEqual([cell('recvq', tcpSock), cell('sendq', tcpSock)], ['0', '0']);
  });

  it("the port view's RTT and RETR cells of a listener are '-' (its tcp_info measures nothing), CWND kept", () => {
    const cell = (id: string, s: Parameters<(typeof SOCKET_COLUMNS)[number]['cell']>[0]['socket']) => SOCKET_COLUMNS.find((c) => c.id === id)!.cell({ id: 'x', socket: s });
    const l = { ...conn(8080, '0.0.0.0', 0, 'LISTEN'), tcpInfo: { rttUs: 0, cwnd: 10, totalRetrans: 0, retrans: 0 } };
    assert.deepEqual([cell('rtt', l), cell('retr', l), cell('cwnd', l)], ['-', '-', '10']);
    const e = conn(8080, '127.0.0.1', 50000, 'ESTABLISHED');
    assert.deepEqual([cell('rtt', e), cell('retr', e)], ['1.5ms', '0']);
    // The sorts read what the cells show: a listener has no rtt or retransmits to sort by (RETR's key read its 0).
    const key = (id: string, s: Socket) => SOCKET_SORTS.find((x) => x.id === id)!.key({ id: 'x', socket: s });
    assert.deepEqual([key('rtt', l), key('retr', l)], [-1, -1]);
    assert.deepEqual([key('rtt', e), key('retr', e)], [1500, 0]);
  });

  it('the socket selection is the snapshot array itself when nothing is left out (the collector per-port summaries stay usable)', () => {
    const socks = [listener(8080), conn(8080, '10.0.0.1', 50000), listener(53, { protocol: 'udp' })];
    const all = { tcp: true, udp: true, unix: false };
    assert.equal(selectSockets(socks, all), socks);
    assert.deepEqual(selectSockets(socks, { ...all, udp: false }), socks.slice(0, 2));
    assert.deepEqual(selectSockets(socks, all, 53), [socks[2]]);
  });

  it('health marks come from the worst recommendation of the port', () => {
    const h = healthByPort([
      { id: 'a', severity: 'info', scope: 'port', protocol: 'tcp', port: 80, message: '', evidence: '', fix: '' },
      { id: 'b', severity: 'critical', scope: 'port', port: 80, message: '', evidence: '', fix: '' },
      { id: 'c', severity: 'warning', scope: 'host', message: '', evidence: '', fix: '' },
    ]);
    assert.equal(h.get('tcp:80'), 'critical');
    assert.equal(h.get('udp:80'), 'critical');
    assert.equal(h.size, 2);
  });

  it('trends are bounded and forget rows that went away', () => {
    let t = nextTrends(new Map(), new Map([['a', 1], ['b', 2]]), 3);
    for (let i = 2; i <= 5; i++) t = nextTrends(t, new Map([['a', i]]), 3);
    assert.deepEqual(t.get('a'), [3, 4, 5]);
    assert.equal(t.has('b'), false);
  });

  it('sparklines are right-aligned, blank where there is no history', () => {
    assert.equal(sparkline([0, 4, 8], 5), '  ▁▅█');
    assert.equal(sparkline([3, 3], 3), ' ██');
    assert.equal(sparkline([], 2), '  ');
  });

  it('the history keeps the last samples and one per bucket of the window', () => {
    const items = Array.from({ length: 70 }, (_, i) => ({ time: i * 1000 }));
    const kept = thinHistory(items, { keepLast: 4, windowMs: 60_000, buckets: 6 });
    assert.deepEqual(kept.slice(-4).map((s) => s.time), [66_000, 67_000, 68_000, 69_000]);
    assert.ok(kept.length <= 4 + 7, `${kept.length}`);
    assert.ok(kept[0].time <= 69_000 - 60_000, 'the window is covered');
  });

  it('the rules get at most a tenth of the time, in coarse steps', () => {
    assert.equal(adviceCadence(50, 1000), 0);
    assert.equal(adviceCadence(300, 1000), 5000);
    assert.equal(adviceCadence(900, 1000), 10_000);
  });
});

describe('frame writer', () => {
  it('writes nothing for an unchanged frame and only the changed lines otherwise', () => {
    let out = '';
    const w = new FrameWriter({ write: (s: string) => (out += s) });
    w.write('a\nb\nc\n');
    const first = out.length;
    assert.ok(first > 0);
    w.write('a\nb\nc\n');
    assert.equal(out.length, first);
    out = '';
    w.write('a\nB\nc\n');
    assert.equal(out, '\u001b[2;1H\u001b[2KB');
    out = '';
    w.write('a\nB\n');
    assert.equal(out, '\u001b[3;1H\u001b[2K');
    out = '';
    w.write(`${CLEAR_SCREEN}a\nB\n`);
    assert.ok(out.startsWith(CLEAR_SCREEN) && out.includes('1;1H') && out.includes('2;1H'));
  });
});

describe('terminal', () => {
  it('restore leaves the alternate screen and shows the cursor once, and survives a dead terminal', () => {
    let out = '';
    let raw: boolean | undefined;
    const g = terminalGuard({ write: (s: string) => (out += s) }, { isTTY: true, setRawMode: (on: boolean) => (raw = on) });
    g.enter();
    assert.ok(out.includes('\u001b[?1049h'));
    out = '';
    g.restore();
    g.restore();
    assert.equal(out, SHOW_CURSOR + LEAVE_ALT_SCREEN);
    assert.equal(raw, false);
    const dead = terminalGuard({ write: () => { throw new Error('EIO'); } }, {});
    dead.enter();
    dead.restore();
  });
});

describe('monitor command helpers', () => {
  it('--interval takes 1s, 500ms within 100 ms .. 1 h; a bare number is refused', () => {
    assert.equal(parseInterval('1s'), 1000);
    assert.equal(parseInterval('500ms'), 500);
    assert.equal(parseInterval('2.5s'), 2500);
    assert.throws(() => parseInterval('750'), /--interval 750 has no unit: give one, 750s or 750ms/);
    assert.throws(() => parseInterval('50ms'), /--interval must be between 100 ms and 3600 s/);
    assert.throws(() => parseInterval('fast'), /--interval must be a duration/);
  });

  it('--tcp/--udp/--unix pick protocols; none: tcp and udp', () => {
    assert.deepEqual(protocolToggles({}), { tcp: true, udp: true, unix: false });
    assert.deepEqual(protocolToggles({ unix: true }), { tcp: false, udp: false, unix: true });
    assert.deepEqual(collectProtocols({ tcp: true, udp: false, unix: false }), ['tcp', 'udp']);
  });

  it('the plain table (stdout not a TTY) has the same columns, marks and recommendations', () => {
    const text = plainReport(snapshot(webHost()), [{ id: 'x', severity: 'warning', scope: 'port', protocol: 'tcp', port: 80, message: 'Something on 80', evidence: 'n=1', fix: 'do it' }], {
      protocols: { tcp: true, udp: true, unix: false },
    });
    assert.match(text, /PORT PROTO PROCESS/);
    assert.match(text, / !\s+80 tcp\s+nginx\/1234\s+2\/511\s+3/);
    assert.match(text, /evidence: n=1/);
    assert.doesNotMatch(text, /\u001b/);
  });

  it('an escape sequence in a process name is escaped in the plain table too', () => {
    const text = plainReport(snapshot([listener(9, { proc: { ...nginx, name: '\u001b]0;pwned\u0007' } })]), [], { protocols: { tcp: true, udp: true, unix: false } });
    assert.ok(text.includes('\\x1b]0;pwned\\x07/1234'));
    assert.doesNotMatch(text, /\u001b/);
  });
});

describe('ACCEPTQ column', () => {
  it('shows the fullest listener of a port, not a sum that hides a full queue', () => {
    // 127.0.0.1:41001 backlog 4 with 5 unaccepted (full), [::1]:41001 backlog 8 empty: ss -ltn shows 5/4 and 0/8.
    const full = { ...listener(41001, { backlog: 4, queued: 5 }), local: { address: '127.0.0.1', port: 41001 } };
    const empty = { ...listener(41001, { backlog: 8, queued: 0 }), ipVersion: 6 as const, local: { address: '::1', port: 41001 } };
    const both = summarizePorts([empty, full]).find((p) => p.port === 41001)!;
    assert.equal(both.listeners.length, 2);
    assert.equal(listenQueue(both), '5/4');
    // A port with one listener at 3/8 sorts below it by accept-queue fill (the sum, 5/12, sorted below 3/8).
    const other = summarizePorts([listener(41002, { backlog: 8, queued: 3 })])[0];
    const fill = PORT_SORTS.find((s) => s.id === 'queue')!.key;
    const row = (summary: typeof both) => ({ id: String(summary.port), label: String(summary.port), summary, health: 'ok' as const, trend: [] });
    assert.ok((fill(row(both)) as number) > (fill(row(other)) as number));
    // Unknown backlog (procfs, netstat): the most queued listener, backlog shown as ?.
    const unknown = summarizePorts([{ ...full, sendQ: 0 }, { ...empty, recvQ: 2, sendQ: 0 }]).find((p) => p.port === 41001)!;
    unknown.listeners.forEach((l) => ((l as { backlog: number | null }).backlog = null));
    assert.equal(listenQueue(unknown), '5/?');
  });
});

describe('fdinfo', () => {
  it('reads flags, and says why when it cannot', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sockscope-fdinfo-'));
    try {
      mkdirSync(join(root, '42', 'fdinfo'), { recursive: true });
      writeFileSync(join(root, '42', 'fdinfo', '7'), 'pos:\t0\nflags:\t02004002\nmnt_id:\t9\nino:\t12345\n');
      const r = await readFdInfo(42, 7, root);
      assert.equal(r.info?.nonblock, true);
      assert.equal(r.info?.cloexec, true);
      assert.deepEqual(r.info?.flagNames, ['O_RDWR', 'O_NONBLOCK', 'O_CLOEXEC']);
      const gone = await readFdInfo(42, 8, root);
      assert.match(gone.missing ?? '', /no longer has fd 8/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('README', () => {
  it('the key list in the README is the keymap', async () => {
    const { readFileSync } = await import('node:fs');
    const { keymapMarkdown } = await import('../../src/ui/keymap.js');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- keymap:start -->\n([\s\S]*?)\n<!-- keymap:end -->/.exec(readme)?.[1];
    assert.equal(block, keymapMarkdown(DEFAULT_KEYMAP), 'README keys differ from src/ui/keymap.ts: paste keymapMarkdown() between the keymap markers');
  });
});

describe('unix rows', () => {
  it("carry their sockets' uids (not a listener's queued connection's), so a row no visible process holds can say whose it is", () => {
    const unix = (path: string, state: 'LISTEN' | 'ESTABLISHED', uid: number, inode: number) => ({ ...conn(0, '', 0, state, undefined, { uid, inode }), protocol: 'unix' as const, local: { address: path, port: 0 } });
    const rows = summarizeUnix([unix('/run/a.sock', 'LISTEN', 0, 11), unix('/run/a.sock', 'ESTABLISHED', 1000, 12), unix('/run/a.sock', 'ESTABLISHED', 5, 0), unix('/run/b.sock', 'LISTEN', 7, 13)]);
    assert.deepEqual(rows.map((r) => [r.label, r.summary.uids]), [['/run/a.sock', [0, 1000]], ['/run/b.sock', [7]]]);
    assert.equal(rows[1].summary.listeners[0].uid, 7);
  });
});
