// The port and socket views and the recommendations panel: the by-peer drill, empty tables, the outgoing
// drill's rows, socket details read when the owner becomes known, wrapped explanations, recommendations in full.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Text, renderToString } from 'ink';
import { render } from 'ink-testing-library';
import type { Recommendation } from '../../src/advise/types.js';
import type { Socket } from '../../src/model/socket.js';
import { Recommendations, recommendationHeights, recommendationRows, recommendationsFullHeight } from '../../src/ui/components/Recommendations.js';
import { focusedRecommendation, splitBody } from '../../src/ui/derive.js';
import { wrapText } from '../../src/ui/format.js';
import { useSocketDetails, type DetailsContext } from '../../src/ui/hooks/useSocketDetails.js';
import type { SocketDetails, SocketInspector } from '../../src/ui/inspector.js';
import { initialState, reducer, type Frame, type UiState } from '../../src/ui/state.js';
import { portsTableModel, portTableModel } from '../../src/ui/table-model.js';
import { exactWord, matchesFilter } from '../../src/ui/tables/filter.js';
import { groupByPeer } from '../../src/ui/tables/peers.js';
import { createTheme } from '../../src/ui/theme.js';
import { wrapPanelLines } from '../../src/ui/socket-lines.js';
import { SocketView } from '../../src/ui/views/SocketView.js';
import { buildPortTables } from '../../src/ui/derive.js';
import { conn, FakeSource, listener, nginx, snapshot, waitFor } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
const theme = createTheme(false);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Port 18080 with clients from 127.0.0.1 (two), 127.0.0.10 and 127.0.0.100 (two): the reviewer's layout. */
function clients(): Socket[] {
  return [
    listener(18080, { proc: nginx }),
    conn(18080, '127.0.0.1', 40001, 'ESTABLISHED', nginx),
    conn(18080, '127.0.0.1', 40002, 'ESTABLISHED', nginx),
    conn(18080, '127.0.0.10', 40003, 'ESTABLISHED', nginx),
    conn(18080, '127.0.0.100', 40004, 'ESTABLISHED', nginx),
    conn(18080, '127.0.0.100', 40005, 'CLOSE_WAIT', nginx),
  ];
}

const portFrame: Extract<Frame, { view: 'port' }> = { view: 'port', id: 'tcp:18080', direction: 'local', protocol: 'tcp', port: 18080, label: 'TCP PORT 18080' };

describe('by-peer drill', () => {
  it('the grouped list has no listener row; Enter on 127.0.0.1 selects exactly its two sockets', () => {
    const sockets = clients();
    let state: UiState = { ...initialState({ intervalMs: 1000, protocols: { tcp: true, udp: false, unix: false } }), groupByPeer: true };
    const grouped = portTableModel(sockets, portFrame, state);
    assert.deepEqual(grouped.rows.map((r) => (r as { address: string }).address).sort(), ['127.0.0.1', '127.0.0.10', '127.0.0.100']);
    const row = grouped.rows.find((r) => (r as { address: string }).address === '127.0.0.1')!;
    for (const a of grouped.drill!(row as never)) state = reducer(state, a as Parameters<typeof reducer>[1]);
    const list = portTableModel(sockets, portFrame, state);
    assert.equal(list.filter, 'peer=127.0.0.1');
    assert.deepEqual(list.rows.map((r) => (r as { socket: Socket }).socket.peer.port).sort(), [40001, 40002]);
    // The same for an address that is a prefix of nothing but has one (127.0.0.10 vs 127.0.0.100).
    state = reducer(state, { type: 'filterInput', table: 'port:tcp:18080', text: 'peer=127.0.0.10' });
    assert.deepEqual(portTableModel(sockets, portFrame, state).rows.map((r) => (r as { socket: Socket }).socket.peer.port), [40003]);
  });

  it('peer= words: exact, case-insensitive, quoted values with spaces; other words stay substrings', () => {
    assert.equal(matchesFilter(['127.0.0.10:40003'], 'peer=127.0.0.1', { peer: '127.0.0.10' }), false);
    assert.equal(matchesFilter(['127.0.0.1:40001'], 'peer=127.0.0.1', { peer: '127.0.0.1' }), true);
    assert.equal(matchesFilter(['x'], 'PEER=FE80::1', { peer: 'fe80::1' }), true);
    assert.equal(exactWord('peer', '/tmp/a b.sock'), 'peer="/tmp/a b.sock"');
    assert.equal(matchesFilter(['/tmp/a b.sock'], exactWord('peer', '/tmp/a b.sock'), { peer: '/tmp/a b.sock' }), true);
    assert.equal(matchesFilter(['/tmp/a b.sock'], exactWord('peer', '/tmp/a'), { peer: '/tmp/a b.sock' }), false);
    assert.equal(matchesFilter(['127.0.0.10:40003', 'ESTABLISHED'], '127.0.0.1 estab', { peer: '127.0.0.10' }), true);
    // A key= word the row has no exact term for is a substring like any other.
    assert.equal(matchesFilter(['a=b'], 'a=b', { peer: 'x' }), true);
  });

  it('groups by the escaped address with its zone: two link-local peers on two interfaces are two peers', () => {
    const a = conn(18080, 'fe80::1', 40001, 'ESTABLISHED', undefined, { ipVersion: 6, peer: { address: 'fe80::1', port: 40001, scope: 'eth0' } });
    const b = conn(18080, 'fe80::1', 40002, 'ESTABLISHED', undefined, { ipVersion: 6, peer: { address: 'fe80::1', port: 40002, scope: 'e\u001b[31m' } });
    assert.deepEqual(groupByPeer([a, b]).map((g) => g.address).sort(), ['fe80::1%e\\x1b[31m', 'fe80::1%eth0']);
  });

  it('in the monitor: p lists peers without 0.0.0.0; Enter on 127.0.0.1 shows 2 of 6 sockets, no LISTEN row', async () => {
    h = await mount(new FakeSource(() => snapshot(clients())), { columns: 100, rows: 30 });
    await h.press(KEY.enter, 'p');
    let f = await h.until((x) => x.includes('BY PEER ADDRESS'));
    assert.ok(!/^\s*0\.0\.0\.0\s/m.test(f), f);
    await h.press('s'); // by peer address: 127.0.0.1 first
    await h.until((x) => x.includes('sort: peer'));
    await h.press(KEY.enter);
    f = await h.until((x) => x.includes('filter "peer=127.0.0.1"'));
    assert.match(f, /SOCKETS 2 of 6/);
    assert.ok(!f.includes('127.0.0.10'), f);
    assert.ok(!/LISTEN/.test(f.split('\n').filter((l) => !l.startsWith('listening')).join('\n')), f);
  });
});

describe('empty tables', () => {
  it('no rows at all says so; a filter that hides every row says that', () => {
    const s0 = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: false, unix: false }, port: 18080 });
    const none = buildPortTables([], new Map(), { map: new Map() });
    assert.equal(portsTableModel(none, s0).emptyText, 'no sockets on port 18080 now');
    const some = buildPortTables(clients(), new Map(), { map: new Map() });
    const filtered = { ...s0, filters: { ports: 'nosuchthing' } };
    assert.equal(portsTableModel(some, filtered).rows.length, 0);
    assert.equal(portsTableModel(some, filtered).emptyText, 'no ports match the filter');
    assert.equal(portTableModel([], portFrame, s0).emptyText, 'no sockets on this port now');
    const hidden = { ...s0, filters: { 'port:tcp:18080': 'nosuchthing' } };
    assert.equal(portTableModel(clients(), portFrame, hidden).emptyText, 'no sockets match the filter');
  });
});

describe('outgoing drill', () => {
  it('each row shows its local port: four connections to 127.0.0.1:18080 can be told apart', async () => {
    const app = { pid: 3333, name: 'app', fd: 9 };
    const out = [45001, 45002, 45003, 45004].map((p) => ({ ...conn(p, '127.0.0.1', 18080, 'ESTABLISHED', app) }));
    h = await mount(new FakeSource(() => snapshot([listener(22), ...out])), { columns: 80, rows: 24 });
    await h.press(KEY.tab);
    await h.until((x) => x.includes('OUTGOING CONNECTIONS'));
    await h.press(KEY.enter);
    const f = await h.until((x) => x.includes('SOCKETS') && x.includes('LPORT'));
    for (const p of [45001, 45002, 45003, 45004]) assert.match(f, new RegExp(`^\\s*${p} 127\\.0\\.0\\.1:18080`, 'm'));
  });
});

/** Renders useSocketDetails for a socket that the test replaces, as refreshes do. */
function probe(inspector: SocketInspector) {
  function Probe({ socket, ctx }: { socket: Socket; ctx?: DetailsContext }) {
    const d = useSocketDetails(inspector, socket, 'the-socket', ctx);
    return <Text>{d === undefined ? 'reading' : `fd:${d.fd ? d.fd.path : d.fdMissing} opt:${d.options ? 'read' : d.optionsMissing}`}</Text>;
  }
  return Probe;
}

describe('socket details', () => {
  const owned = (pid: number): SocketDetails => ({ fd: { path: `/proc/${pid}/fdinfo/5`, info: { flagNames: ['O_RDWR'], nonblock: true, cloexec: false } }, options: { readings: [], missing: [] } });
  function fakeInspector() {
    const calls: Socket[] = [];
    const inspector: SocketInspector = {
      async inspect(s) {
        calls.push(s);
        const o = s.processes[0];
        return o ? owned(o.pid) : { fdMissing: 'no owning process is known', optionsMissing: 'no owning process is known' };
      },
    };
    return { inspector, calls };
  }
  const bare = conn(18080, '127.0.0.1', 40001, 'ESTABLISHED');
  const withOwner = { ...bare, processes: [{ pid: 4242, name: 'python3', fd: 5 }] };

  it('read again when a refresh brings the owner the view opened without', async () => {
    const { inspector, calls } = fakeInspector();
    const Probe = probe(inspector);
    const r = render(<Probe socket={bare} />);
    await waitFor(r.lastFrame, (f) => f.includes('no owning process'));
    r.rerender(<Probe socket={{ ...bare }} />); // a refresh: a new copy, still no owner: no new read
    await sleep(30);
    assert.equal(calls.length, 1);
    r.rerender(<Probe socket={withOwner} />);
    await waitFor(r.lastFrame, (f) => f.includes('fd:/proc/4242/fdinfo/5 opt:read'));
    assert.equal(calls.length, 2);
    r.rerender(<Probe socket={{ ...withOwner }} />);
    await sleep(30);
    assert.equal(calls.length, 2, 'read once per owner, not per refresh');
    // The socket closes: the last copy seen has no owner any more; what was read stays.
    r.rerender(<Probe socket={bare} />);
    await sleep(30);
    assert.match(r.lastFrame()!, /fdinfo\/5/);
    assert.equal(calls.length, 2);
    r.unmount();
  });

  it('a snapshot that did not look for owners says "not yet attributed" (or paused), and reads once one comes', async () => {
    const { inspector, calls } = fakeInspector();
    const Probe = probe(inspector);
    const r = render(<Probe socket={bare} ctx={{ attribution: 'listeners', paused: true }} />);
    await waitFor(r.lastFrame, (f) => f.includes('paused before the owner was looked up'));
    r.rerender(<Probe socket={bare} ctx={{ attribution: 'listeners' }} />);
    await waitFor(r.lastFrame, (f) => f.includes('not yet attributed'));
    assert.equal(calls.length, 0, 'nothing to read without an owner');
    r.rerender(<Probe socket={withOwner} ctx={{ attribution: 'all' }} />);
    await waitFor(r.lastFrame, (f) => f.includes('opt:read'));
    assert.equal(calls.length, 1);
    r.unmount();
  });

  it('a snapshot that looked and found no owner: the inspector says why', async () => {
    const { inspector } = fakeInspector();
    const Probe = probe(inspector);
    const r = render(<Probe socket={bare} ctx={{ attribution: 'all', paused: true }} />);
    await waitFor(r.lastFrame, (f) => f.includes('fd:no owning process is known'));
    r.unmount();
  });
});

describe('socket view wrapping', () => {
  it('at 80 columns "Who acts" and the "unknown:" reasons wrap; the last line is still reachable', async () => {
    const why = "no owning process is known (another user's process without root, or a socket not attributed)";
    const inspector: SocketInspector = { inspect: async () => ({ fdMissing: why, optionsMissing: why }) };
    // Attribution looked at every socket (as in the drill-down views) and found no owner: the inspector says why.
    const looked = () => ({ ...snapshot([listener(80, { proc: nginx }), conn(80, '10.1.1.1', 5555, 'CLOSE_WAIT', undefined, { inode: 9001 })]), attribution: { scope: 'all' as const, complete: false, hiddenProcesses: 1 } });
    h = await mount(new FakeSource(looked), { columns: 80, rows: 24, inspector });
    await h.press(KEY.enter);
    await h.until((x) => x.includes('SOCKETS'));
    await h.press(KEY.end, KEY.enter);
    let f = await h.until((x) => x.includes('Who acts'));
    for (const l of h.lines()) assert.ok(strip(l).length <= 80, l);
    const text = (x: string) => x.split('\n').map((l) => strip(l).trim()).join(' ');
    assert.ok(text(f).includes('Who acts: THIS process: it must close() the socket (a leak if these accumulate)'), f);
    await h.press(KEY.end);
    f = await h.until((x) => x.includes('SOCKET OPTIONS') && !x.includes('reading'));
    assert.ok(text(f).includes(`unknown: ${why}`), f);
  });

  it('the lines are wrapped once, by the App: SocketView draws them as given, so the scroll range is what is drawn', () => {
    const given = Array.from({ length: 30 }, (_, i) => ({ text: i % 5 === 0 ? `  ${'word '.repeat(30)}end${i}` : `  line ${i}` }));
    const lines = wrapPanelLines(given, 40);
    assert.ok(lines.length > 30);
    for (const l of lines) assert.ok(l.text.length <= 40, l.text);
    assert.equal(lines.map((l) => l.text.trim()).join(' '), given.map((l) => l.text.trim()).join(' ')); // every word, in order
    // The App scrolls over the wrapped lines (maxScroll of their count): the bottom shows the last line.
    const draw = (scroll: number) => strip(renderToString(<SocketView lines={lines} scroll={scroll} height={10} width={40} theme={theme} />, { columns: 40 })).split('\n');
    const bottom = draw(lines.length - 10);
    assert.match(bottom[0], new RegExp(`${lines.length}/${lines.length} lines`));
    assert.deepEqual(bottom.slice(1).map((l) => l.trimEnd()), lines.slice(-10).map((l) => l.text));
    assert.deepEqual(draw(0).slice(1).map((l) => l.trimEnd()), lines.slice(0, 10).map((l) => l.text));
    // A line too wide for the view is cut, not wrapped a second time (that would move every line below it).
    const cut = strip(renderToString(<SocketView lines={given} scroll={20} height={10} width={40} theme={theme} />, { columns: 40 })).split('\n');
    assert.match(cut[0], /30\/30 lines/);
    assert.match(cut[6], /^ {2}word word .*…$/);
    assert.equal(cut[10].trimEnd(), '  line 29');
  });

  it('a "key   value" line keeps its key column and continues under the value', () => {
    const value = 'unknown (not attributed: another user\'s process without root, or a kernel socket)';
    const out = wrapPanelLines([{ text: `  ${'process'.padEnd(22)} ${value}` }], 80).map((l) => l.text);
    assert.equal(out.length, 2);
    assert.match(out[0], /^ {2}process {16}unknown \(not attributed/);
    assert.equal(out[1].search(/\S/), 25);
    assert.equal(out.join(' ').replace(/ +/g, ' ').trim(), `process ${value}`); // every word, in order
  });

  it('wrapText keeps words whole, cuts a word longer than a line, indents continuations', () => {
    assert.deepEqual(wrapText('aa bb cc', 6, '> ', '  '), ['> aa', '  bb', '  cc']);
    assert.deepEqual(wrapText('abcdefghij', 6, '', ''), ['abcdef', 'ghij']);
  });
});

const rec = (over: Partial<Recommendation> = {}): Recommendation => ({
  id: 'accept-queue-full',
  severity: 'critical',
  scope: 'port',
  protocol: 'tcp',
  port: 18080,
  message: 'The accept queue of port 18080 is full: new connections are dropped or wait for a SYN retransmit',
  evidence: 'Recv-Q 5 >= backlog 4 on 127.0.0.1:18080; TcpExt.ListenOverflows +12/s over the last 5 s',
  fix: 'accept() faster (more workers, a non-blocking accept loop) and raise the backlog: listen(fd, 4096) and sysctl -w net.core.somaxconn=4096',
  ...over,
});

describe('recommendations panel', () => {
  it('with room, message, evidence and fix are shown in full, wrapped to the width', () => {
    const r = rec();
    const need = recommendationsFullHeight([r], 80);
    const rows = recommendationRows([r], need, 80);
    assert.equal(rows.length, need);
    const text = rows.map((x) => x.text.trim()).join(' ');
    assert.ok(text.includes('fix: accept() faster (more workers, a non-blocking accept loop) and raise the backlog: listen(fd, 4096) and sysctl -w net.core.somaxconn=4096'), text);
    assert.ok(text.includes(r.evidence), text);
    assert.ok(!text.includes('…'), text);
    const out = strip(renderToString(<Recommendations recs={[r]} lines={need} width={80} theme={theme} />, { columns: 80 }));
    for (const l of out.split('\n')) assert.ok(l.length <= 80, l);
    assert.match(out, /net\.core\.somaxconn=4096/);
    assert.match(out, /^RECOMMENDATIONS \(1\)$/m);
  });

  it('three lines for one: message, evidence and the fix each get a line (the fix is never the part cut away)', () => {
    const rows = recommendationRows([rec()], 3, 80);
    assert.deepEqual(rows.map((r) => r.kind), ['message', 'evidence', 'fix']);
    assert.match(rows[2].text, /^ {3}fix: accept\(\) faster/);
    assert.match(strip(renderToString(<Recommendations recs={[rec()]} lines={3} width={80} theme={theme} />, { columns: 80 })), /shortened: sockscope analyze shows them in full/);
  });

  it('lines are shared worst first; the focused one is in full first', () => {
    const recs = [rec(), rec({ id: 'b', severity: 'warning', port: 80 }), rec({ id: 'c', severity: 'info', port: 53 })];
    assert.deepEqual(recommendationHeights(recs, 2, 80), [1, 1, 0]);
    assert.deepEqual(recommendationHeights(recs, 6, 80), [2, 2, 2]);
    const full = recommendationsFullHeight([recs[1]], 80);
    const hs = recommendationHeights(recs, full + 2, 80, 1);
    assert.deepEqual(hs, [1, full, 1]);
    assert.equal(focusedRecommendation(recs, 'tcp:80'), 1);
    assert.equal(focusedRecommendation(recs, 'tcp:9999'), undefined);
  });

  it('a render wraps each recommendation once: the App measures it, the panel shares out and draws the same wrapped parts', () => {
    // wrapText reads the fix once per wrap: count the reads.
    let reads = 0;
    const counted = (r: Recommendation) => {
      const fix = r.fix;
      return Object.defineProperty(r, 'fix', { enumerable: true, get: () => (reads++, fix) });
    };
    const r = counted(rec());
    const need = recommendationsFullHeight([r], 80); // App.tsx, for splitBody
    const out = strip(renderToString(<Recommendations recs={[r]} lines={need} width={80} theme={theme} />, { columns: 80 }));
    assert.match(out, /fix: accept\(\) faster/);
    assert.match(out, /net\.core\.somaxconn=4096/);
    assert.equal(reads, 1);
    // Another width wraps again, once; shortened (a line short) the title still compares with the full height.
    recommendationsFullHeight([r], 60);
    assert.match(strip(renderToString(<Recommendations recs={[r]} lines={need} width={60} theme={theme} />, { columns: 60 })), /shortened/);
    assert.equal(reads, 2);
    // The App measures only up to the most the panel can get: the findings past it are not wrapped.
    reads = 0;
    const many = Array.from({ length: 400 }, (_, i) => counted(rec({ port: 1000 + i })));
    const upTo = recommendationsFullHeight(many, 80, 28);
    assert.ok(upTo >= 28 && upTo < 28 + need, String(upTo));
    assert.ok(reads <= Math.ceil(28 / 3) + 1, String(reads));
    assert.equal(recommendationsFullHeight(many.slice(0, 3), 80, 1000), 3 * need);
  });

  it('the rows a short table leaves empty go to the recommendations, as many as they need', () => {
    // 80x24 ports view with one port: 17 rows for the table and the panel; the panel's share is 2.
    assert.deepEqual(splitBody({ available: 17, rows: 1, share: 2, wanted: 7 }), { tableHeight: 10, recLines: 7 });
    assert.deepEqual(splitBody({ available: 17, rows: 1, share: 2, wanted: 40 }), { tableHeight: 1, recLines: 16 });
    // A long table keeps its rows; the panel keeps its share.
    assert.deepEqual(splitBody({ available: 17, rows: 300, share: 4, wanted: 40 }), { tableHeight: 13, recLines: 4 });
    // Nothing to recommend: one line for "Nothing to recommend".
    assert.deepEqual(splitBody({ available: 17, rows: 300, share: 1, wanted: 0 }), { tableHeight: 16, recLines: 1 });
  });
});
