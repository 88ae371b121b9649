// The monitor rendered at 80x24 and 160x50 from fake sources: keys drive navigation, filter, sort, pause, back.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Recommendation } from '../../src/advise/types.js';
import { conn, FakeSource, listener, nginx, snapshot, webHost } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const rowOf = (frame: string, port: number) => frame.split('\n').find((l) => new RegExp(`^\\S*\\s+${port} (tcp|udp)`).test(l.trim().replace(/^(!!|!|i|\.)\s+/, ' ')));
/** The selected row: "row k/n" in the table title is the k-th line under the table header (tests do not scroll). */
function selected(frame: string): string[] {
  const lines = frame.split('\n');
  const t = lines.findIndex((l) => / · row \d+\/\d+/.test(l));
  if (t < 0) return [];
  const k = Number(/ · row (\d+)\//.exec(lines[t])![1]);
  return [lines[t + 1 + k]];
}

describe('ports view', () => {
  it('80x24: header totals, port rows with counts, recommendations, footer, frame shorter than the terminal', async () => {
    const recs: Recommendation[] = [
      { id: 'close-wait-accumulating', severity: 'warning', scope: 'port', protocol: 'tcp', port: 80, message: 'CLOSE_WAIT on port 80: nginx does not close', evidence: '1 socket', fix: 'close on EOF' },
    ];
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 80, rows: 24, recs });
    const f = await h.until((x) => x.includes('RECOMMENDATIONS'));
    const lines = f.split('\n');
    assert.ok(lines.length <= 23, `frame has ${lines.length} lines`);
    for (const l of lines) assert.ok(l.replace(/\u001b\[[0-9;]*m/g, '').length <= 80, `line too wide: ${l}`);
    assert.match(f, /testhost/);
    assert.match(f, /TCP 9 \(est 5 lis 2 syn 0 tw 1 cw 1 fin 0 orph 0\)  UDP 1/);
    const row80 = lines.find((l) => /^\s*!\s+80 tcp/.test(l.replace(/\u001b\[[0-9;]*m/g, '')));
    assert.ok(row80, `no row for port 80 with a warning mark:\n${f}`);
    assert.match(row80!, /nginx\/1234/);
    assert.match(row80!, /2\/511/); // accept queue / backlog
    assert.match(f, /CLOSE_WAIT on port 80/);
    assert.match(f, /q quit/);
    // Narrow: low-value columns dropped.
    assert.doesNotMatch(f, /TREND/);
    assert.doesNotMatch(f, /FIN-W/);
  });

  it('160x50: every column including trend, FIN-W and OTHER', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 160, rows: 50 });
    const f = await h.until((x) => x.includes('TREND'));
    assert.match(f, /FIN-W/);
    assert.match(f, /OTHER/);
    assert.ok(f.split('\n').length <= 49);
  });

  it('the selection follows the port across refreshes while rows come and go', async () => {
    let extra: number[] = [];
    const src = new FakeSource(() => snapshot([...webHost(), ...extra.map((p) => listener(p))]));
    h = await mount(src, { columns: 100, rows: 30 });
    await h.press('j', 'j'); // by port: 53/udp, 80, 5432 -> select 5432
    let sel = selected(h.frame());
    assert.equal(sel.length, 1);
    assert.match(sel[0], /5432/);
    extra = [1, 2, 3, 4];
    await h.refresh();
    const f = await h.until((x) => /\s4 tcp/.test(x));
    sel = selected(f);
    assert.equal(sel.length, 1);
    assert.match(sel[0], /5432/, `selection moved:\n${f}`);
  });

  it('/ filters by process, Enter keeps the filter, Esc clears it', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
    await h.press('/', 'p', 'o', 's', 't');
    let f = await h.until((x) => x.includes('/ post'));
    assert.ok(!rowOf(f, 80), 'port 80 still shown while filtering for postgres');
    assert.ok(rowOf(f, 5432));
    await h.press(KEY.enter);
    f = await h.until((x) => x.includes('filter "post"') && x.includes('q quit'));
    await h.press(KEY.escape);
    f = await h.until((x) => !x.includes('filter "post"'));
    assert.ok(rowOf(f, 80));
  });

  it('s cycles the sort column and S reverses it', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
    assert.match(h.frame(), /sort: port ↑/);
    await h.press('s');
    await h.until((x) => x.includes('sort: sockets ↓'));
    const lines = h.lines();
    const first = lines.findIndex((l) => / 80 tcp/.test(l));
    const second = lines.findIndex((l) => / 5432 tcp/.test(l));
    assert.ok(first < second, 'port 80 (7 sockets) sorts before 5432 (2)');
    await h.press('S');
    await h.until((x) => x.includes('sort: sockets ↑'));
    const l2 = h.lines();
    assert.ok(l2.findIndex((l) => / 80 tcp/.test(l)) > l2.findIndex((l) => / 5432 tcp/.test(l)));
  });

  it('space pauses: the header says PAUSED and no snapshot is taken', async () => {
    const src = new FakeSource(() => snapshot(webHost()));
    h = await mount(src, { columns: 100, rows: 30 });
    await h.press(' ');
    await h.until((x) => x.includes('PAUSED'));
    const calls = src.calls;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(src.calls, calls);
    await h.press(' ');
    await h.until((x) => !x.includes('PAUSED'));
    await h.until(() => src.calls > calls); // resuming polls at once
  });

  it('a collector error keeps the last snapshot, marks it stale, and the next success clears it', async () => {
    const src = new FakeSource(() => snapshot(webHost()));
    h = await mount(src, { columns: 100, rows: 30 });
    src.failWith = 'timed out after 10000 ms';
    await h.refresh();
    const f = await h.until((x) => x.includes('STALE'));
    assert.match(f, /ss: timed out after 10000 ms/);
    assert.ok(rowOf(f, 80), 'last good data stays on screen');
    await h.refresh();
    await h.until((x) => !x.includes('STALE'));
  });

  it('without root the header says that other users\' processes are hidden, from the refresh that finds it', async () => {
    // The first collection skips attribution (complete); the next one runs as another user: the same
    // sockets with no owner, so only the attribution differs and the refresh must still be drawn.
    const hidden = { scope: 'listeners' as const, complete: false, hiddenProcesses: 66, note: '66 processes of other users are hidden: run as root to see them' };
    const src = new FakeSource((call) => {
      const s = snapshot([listener(17001), conn(17001, '127.0.0.1', 45000, 'CLOSE_WAIT')], Date.UTC(2026, 0, 1, 12, 0, call));
      return call <= 14 ? { ...s, attribution: { scope: call === 1 ? 'none' : 'listeners', complete: true, hiddenProcesses: 0 } } : { ...s, attribution: hidden };
    });
    h = await mount(src, { columns: 120, rows: 30 });
    await h.until((x) => x.includes('17001') && src.calls >= 2);
    // Enough equal refreshes for flat trends: from then on a refresh that shows the same is not drawn.
    while (src.calls < 14) await h.refresh();
    assert.doesNotMatch(h.frame(), /hidden/);
    await h.refresh();
    const f = await h.until((x) => /other users' processes hidden \(run as root\)/.test(x), 'the hidden-owners mark');
    assert.match(f.split('\n')[0], /^sockscope · testhost · tcp\+udp · fixture · every 1s · \d\d:\d\d · other users' processes hidden \(run as root\) · 6\.1\.0-test/);
  });

  it('process names with escape sequences are shown escaped', async () => {
    const evil = { pid: 666, name: '\u001b[2Jevil\u0007', fd: 3 };
    h = await mount(new FakeSource(() => snapshot([listener(8080, { proc: evil })])), { columns: 100, rows: 30 });
    const f = await h.until((x) => x.includes('8080'));
    assert.ok(f.includes('\\x1b[2Jevil\\x07/666'), f);
    assert.ok(!f.includes('\u001b[2J'));
  });

  it('Tab switches to outgoing connections by peer port', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
    await h.press(KEY.tab);
    const f = await h.until((x) => x.includes('OUTGOING CONNECTIONS BY PEER PORT'));
    assert.match(f, /5432 tcp\s+app\/3333/);
  });

  it('t hides TCP, u hides UDP (never both off with unix off)', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
    await h.press('t');
    let f = await h.until((x) => !rowOf(x, 80));
    assert.ok(rowOf(f, 53));
    await h.press('u'); // would leave nothing: ignored
    f = h.frame();
    assert.ok(rowOf(f, 53));
  });
});

describe('drill down', () => {
  it('Enter opens the port, Enter opens a socket, Esc and Backspace go back', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 80, rows: 24 });
    await h.press('j'); // 53/udp is first by port number
    assert.match(selected(h.frame())[0], /\s80 tcp/);
    await h.press(KEY.enter);
    let f = await h.until((x) => x.includes('TCP PORT 80: SOCKETS'));
    assert.match(f, /listening 0\.0\.0\.0:80\s+accept queue 2\/511/);
    assert.match(f, /10\.0\.0\.1:40000\s+ESTABLISHED/);
    assert.match(f, /CLOSE_WAIT/);
    // The sockets sort by state: LISTEN first, then ESTABLISHED...
    await h.press(KEY.down, KEY.enter);
    f = await h.until((x) => x.includes('SOCKET tcp'));
    assert.match(f, /Who acts: both applications/);
    assert.match(f, /TCP_INFO/);
    await h.press(KEY.escape);
    await h.until((x) => x.includes('TCP PORT 80: SOCKETS'));
    await h.press(KEY.backspace);
    await h.until((x) => x.includes('LOCAL PORTS'));
  });

  it('the socket view explains CLOSE_WAIT and says this process must act; fd flags come from the inspector', async () => {
    const inspector = {
      inspect: async () => ({ fd: { path: '/proc/1234/fdinfo/6', info: { flags: 0o2004002, flagNames: ['O_RDWR', 'O_NONBLOCK', 'O_CLOEXEC'], nonblock: true, cloexec: true } }, optionsMissing: 'test: no helper' }),
    };
    h = await mount(new FakeSource(() => snapshot([listener(80, { proc: nginx }), conn(80, '10.1.1.1', 5555, 'CLOSE_WAIT', nginx)])), { columns: 100, rows: 40, inspector });
    await h.press(KEY.enter);
    await h.until((x) => x.includes('SOCKETS'));
    await h.press(KEY.end, KEY.enter);
    const f = await h.until((x) => x.includes('O_NONBLOCK') && x.includes('SOCKET tcp'));
    assert.match(f, /THIS process: it must close\(\) the socket/);
    assert.match(f, /O_NONBLOCK\s+yes/);
    assert.match(f, /test: no helper/);
  });

  it('p groups the port by peer address; Enter on a peer lists exactly its sockets', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 100, rows: 30 });
    await h.press('j', KEY.enter, 'p');
    let f = await h.until((x) => x.includes('BY PEER ADDRESS'));
    assert.match(f, /10\.0\.0\.9\s+2/);
    await h.press('s'); // sort by peer address
    await h.until((x) => x.includes('sort: peer'));
    const idx = h.lines().filter((l) => /^\s*10\.0\.0\./.test(l));
    assert.equal(idx.length, 4);
    await h.press(KEY.end, KEY.enter);
    f = await h.until((x) => x.includes('filter "peer=10.0.0.9"'));
    assert.match(f, /SOCKETS 2 of 6/);
  });

  it('a socket that closes stays on screen marked closed', async () => {
    let closed = false;
    const src = new FakeSource(() => snapshot(closed ? [listener(80, { proc: nginx })] : [listener(80, { proc: nginx }), conn(80, '10.1.1.1', 5555)]));
    h = await mount(src, { columns: 100, rows: 40 });
    await h.press(KEY.enter);
    await h.until((x) => x.includes('SOCKETS'));
    await h.press(KEY.end, KEY.enter);
    await h.until((x) => x.includes('SOCKET tcp'));
    closed = true;
    await h.refresh();
    await h.until((x) => x.includes('(closed: no longer in the latest snapshot'));
  });
});

describe('help', () => {
  it('? shows every keymap binding; ? or Esc closes it', async () => {
    h = await mount(new FakeSource(() => snapshot(webHost())), { columns: 120, rows: 50 });
    await h.press('?');
    const f = await h.until((x) => x.includes('HELP'));
    assert.match(f, /q Ctrl-C\s+Quit/);
    assert.match(f, /Space\s+Pause or resume/);
    await h.press('?');
    await h.until((x) => x.includes('LOCAL PORTS'));
    await h.press('?', KEY.escape);
    await h.until((x) => x.includes('LOCAL PORTS'));
  });
});
