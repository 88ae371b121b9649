// The App's wiring of the views: socket details follow the live socket and say truly why something is
// missing; the recommendations panel takes the rows a short table leaves empty and the selected port's
// recommendation is shown in full; socket lines are wrapped before the scroll range is counted.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Recommendation } from '../../src/advise/types.js';
import type { SocketInspector } from '../../src/ui/inspector.js';
import { conn, FakeSource, listener, nginx, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
const flat = (f: string) => f.split('\n').map((l) => strip(l).trim()).join(' ');
const python = { pid: 4242, name: 'python3', fd: 5 };

/** Port 18080 as the collector sees it: connections get their owner (and tcp_info) only when the request asks for every owner. */
function source() {
  const src: FakeSource = new FakeSource(() => {
    const all = src.lastOptions?.processes === 'all';
    const s = snapshot([
      { ...listener(18080, { proc: python }), inode: 7000 },
      conn(18080, '127.0.0.1', 40001, 'ESTABLISHED', all ? python : undefined, all ? { inode: 7001 } : { inode: 7001, tcpInfo: undefined }),
    ]);
    return { ...s, source: 'netlink' as const, attribution: { ...s.attribution, scope: src.lastOptions?.processes ?? 'none' } };
  });
  return src;
}

const inspector: SocketInspector = {
  async inspect(s) {
    const o = s.processes[0];
    if (!o) return { fdMissing: 'no owning process is known', optionsMissing: 'no owning process is known' };
    return { fd: { path: `/proc/${o.pid}/fdinfo/${o.fd}`, info: { flagNames: ['O_RDWR', 'O_NONBLOCK'], nonblock: true, cloexec: false } }, options: { readings: [{ name: 'TCP_NODELAY', value: true }], missing: [] } };
  },
};

describe('socket details in the monitor', () => {
  it('opened before the owner was known: fd flags and options are read when a refresh brings it', async () => {
    // The drill's first full collection (every owner) takes 300 ms, as attribution does on a busy host:
    // the socket is opened from the home view's snapshot, which looked up listeners only.
    const src = source();
    const collect = src.collect.bind(src);
    src.collect = async (o) => {
      if (o?.processes === 'all') await new Promise((r) => setTimeout(r, 300));
      return collect(o);
    };
    h = await mount(src, { columns: 100, rows: 60, inspector });
    await h.press(KEY.enter, KEY.down, KEY.enter);
    let f = await h.until((x) => x.includes('SOCKET tcp 127.0.0.1:18080 -> 127.0.0.1:40001'));
    assert.match(flat(f), /FD FLAGS \(\/proc\/PID\/fdinfo\) unknown: not yet attributed/);
    f = await h.until((x) => x.includes('TCP_NODELAY'));
    assert.match(f, /process\s+python3 pid 4242 fd 5/);
    assert.match(f, /O_NONBLOCK\s+yes/);
    assert.ok(!f.includes('no owning process'), f);
  });

  it('paused before the drill: the reasons are "paused before…", not another user\'s process; resuming reads them', async () => {
    h = await mount(source(), { columns: 100, rows: 60, inspector });
    await h.press(' ', KEY.enter, KEY.down, KEY.enter);
    let f = await h.until((x) => x.includes('SOCKET tcp 127.0.0.1:18080 -> 127.0.0.1:40001') && x.includes('SOCKET OPTIONS'));
    const text = flat(f);
    assert.match(text, /process\s+not looked up: paused before the owner was looked up/);
    assert.match(text, /TCP_INFO not collected: paused before tcp_info was collected/);
    assert.match(text, /FD FLAGS \(\/proc\/PID\/fdinfo\) unknown: paused before the owner was looked up/);
    assert.ok(!/another user/.test(text) && !/not available from this collector/.test(text), text);
    await h.press(' ');
    f = await h.until((x) => x.includes('TCP_NODELAY'));
    assert.match(f, /O_NONBLOCK\s+yes/);
  });

  it('at 80 columns wrapped lines count in the scroll range: End shows the last line', async () => {
    h = await mount(source(), { columns: 80, rows: 24, inspector });
    await h.press(' ', KEY.enter, KEY.down, KEY.enter);
    await h.until((x) => x.includes('SOCKET tcp'));
    await h.press(KEY.end);
    const f = await h.until((x) => /· (\d+)\/\1 lines/.test(x));
    assert.match(flat(f), /unknown: paused before the owner was looked up \(the snapshot on screen attributes listeners only\): resume refreshing to read them q quit/); // the last line, above the footer
  });
});

const long: Recommendation = {
  id: 'accept-queue-full',
  severity: 'critical',
  scope: 'port',
  protocol: 'tcp',
  port: 18080,
  message: 'Accept queue full on tcp 127.0.0.1:18080: 3 connections wait for accept() with backlog 2; python3 (pid 4242) does not accept fast enough',
  evidence: 'Recv-Q 3 >= backlog (Send-Q) 2; net.core.somaxconn 4096; TcpExt.ListenOverflows +9 over 4 samples',
  fix: 'Accept faster: accept in a loop until EAGAIN on each readiness event, and run more accepting workers (SO_REUSEPORT: one listener per worker). Raise the listen backlog: listen(fd, 1024). Confirm: ss -ltn sport = :18080',
};

describe('recommendations in the monitor', () => {
  for (const [columns, rows] of [
    [80, 24],
    [120, 40],
  ]) {
    it(`${columns}x${rows}, one port: the recommendation is shown in full, fix included`, async () => {
      h = await mount(source(), { columns, rows, recs: [long, { ...long, id: 'other', severity: 'warning', port: 9, message: 'Another finding', fix: 'Another fix that is long enough to need a second line at eighty columns: '.repeat(2) }] });
      const f = await h.until((x) => x.includes('RECOMMENDATIONS'));
      assert.ok(f.split('\n').length <= rows - 1);
      for (const l of f.split('\n')) assert.ok(strip(l).length <= columns, l);
      const text = flat(f).replace(/ +/g, ' ');
      assert.ok(text.includes(`fix: ${long.fix}`), f);
      assert.ok(text.includes(long.evidence), f);
      assert.ok(!f.includes('…'), f);
    });
  }

  it('a long table keeps its rows; the selected port\'s recommendation is shown in full first', async () => {
    const many = Array.from({ length: 30 }, (_, i) => listener(20000 + i));
    const recs = [long, { ...long, id: 'second', port: 20029, message: 'Second finding about port 20029' }];
    const src = new FakeSource(() => snapshot([listener(18080, { proc: python }), ...many]));
    h = await mount(src, { columns: 80, rows: 24, recs });
    let f = await h.until((x) => x.includes('RECOMMENDATIONS'));
    assert.ok(!flat(f).includes(`fix: ${long.fix}`.slice(0, 60)) || f.includes('…'), f);
    await h.press(KEY.end); // port 20029
    f = await h.until((x) => x.includes('row 31/31'));
    const text = flat(f).replace(/ +/g, ' ');
    assert.match(text, /Second finding about port 20029/);
    assert.match(text, /fix: Accept faster/);
  });
});

describe('the home view scoped to one port (--port)', () => {
  it('asks for every socket\'s owner, so a port without a listener names who holds its sockets', async () => {
    // A CLOSE_WAIT leak after the listener closed is held by no listener: with listeners only, its row said '-'.
    const src: FakeSource = new FakeSource(() => snapshot([conn(18080, '127.0.0.1', 40001, 'CLOSE_WAIT', src.lastOptions?.processes === 'all' ? python : undefined, { inode: 7001 })]));
    h = await mount(src, { columns: 100, rows: 24, inspector, port: 18080 });
    await h.refresh();
    assert.equal(src.lastOptions?.processes, 'all');
    await h.until((f) => /python3\/4242/.test(strip(f)), 'the row names python3/4242');
  });

  it('without --port the home view stays cheap: listeners only', async () => {
    const src = source();
    h = await mount(src, { columns: 100, rows: 24, inspector });
    await h.refresh();
    assert.equal(src.lastOptions?.processes, 'listeners');
  });
});
