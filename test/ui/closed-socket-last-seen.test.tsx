// A socket view whose socket closes shows the last values seen while it was live (soak review s15 #1):
// not the copy from when the view was opened, and not an fd re-read after the socket was gone.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Socket } from '../../src/model/socket.js';
import type { SocketDetails, SocketInspector } from '../../src/ui/inspector.js';
import { conn, FakeSource, listener, nginx, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const line = (f: string, key: string) => f.split('\n').find((l) => new RegExp(`^\\s*${key}\\s`).test(l)) ?? '';

describe('a closed socket shows the last values seen', () => {
  it('ESTABLISHED -> CLOSE_WAIT -> gone: the closed view shows CLOSE_WAIT and its Recv-Q, not the copy the view opened with', async () => {
    const lis = listener(80, { proc: nginx });
    const est = conn(80, '10.1.1.1', 5555, 'ESTABLISHED', nginx);
    const closeWait: Socket = { ...est, state: 'CLOSE_WAIT', recvQ: 17, tcpInfo: undefined };
    let phase: 'est' | 'cw' | 'gone' = 'est';
    const src = new FakeSource(() => snapshot(phase === 'gone' ? [lis] : [lis, phase === 'est' ? est : closeWait]));
    h = await mount(src, { columns: 100, rows: 40 });
    await h.press(KEY.enter);
    await h.until((x) => x.includes('SOCKETS'));
    await h.press(KEY.end, KEY.enter);
    let f = await h.until((x) => x.includes('SOCKET tcp') || /^\s*state\s+ESTABLISHED/m.test(x));
    assert.match(line(f, 'state'), /ESTABLISHED/);
    phase = 'cw';
    await h.refresh();
    f = await h.until((x) => /^\s*state\s+CLOSE_WAIT/m.test(x));
    assert.match(line(f, 'Recv-Q'), /\b17\b/);
    phase = 'gone';
    await h.refresh();
    f = await h.until((x) => x.includes('(closed: no longer in the latest snapshot'));
    assert.match(line(f, 'state'), /CLOSE_WAIT/, f);
    assert.match(line(f, 'Recv-Q'), /\b17\b/, f);
  });

  it('a UDP socket whose owner changed while live keeps the fd flags read then after it closes; its fd is not read again', async () => {
    const lis = listener(22, { proc: nginx });
    const udp: Socket = { protocol: 'udp', ipVersion: 4, state: 'ESTABLISHED', local: { address: '127.0.0.1', port: 80 }, peer: { address: '10.0.0.5', port: 53 }, recvQ: 0, sendQ: 0, processes: [nginx], inode: 777001 };
    // The process dup2()s the socket to another fd: the owner key changes, the details are read again (live).
    const moved: Socket = { ...udp, processes: [{ ...nginx, fd: 9 }] };
    let phase: 'first' | 'moved' | 'gone' = 'first';
    const src = new FakeSource(() => snapshot(phase === 'gone' ? [lis] : [lis, phase === 'first' ? udp : moved]));
    const reads: string[] = [];
    const flagsFor = (names: string[]): SocketDetails => ({ fd: { path: '/proc/1234/fdinfo/x', info: { flags: 2, flagNames: names, nonblock: names.includes('O_NONBLOCK'), cloexec: false } }, optionsMissing: 'test: no helper' });
    const inspector: SocketInspector = {
      inspect: async (s) => {
        reads.push(`${s.processes.map((p) => `${p.pid}:${p.fd}`).join(',')}`);
        // 1st read: fd 6; 2nd: fd 9; any later read is of an fd that now holds another socket.
        return flagsFor(reads.length === 1 ? ['O_RDWR', 'FIRSTREAD'] : reads.length === 2 ? ['O_RDWR', 'O_NONBLOCK', 'LASTLIVE'] : ['O_RDWR', 'OTHERSOCKET']);
      },
    };
    h = await mount(src, { columns: 100, rows: 40, inspector });
    await h.press(KEY.end, KEY.enter);
    await h.until((x) => x.includes('UDP PORT 80'));
    await h.press(KEY.end, KEY.enter);
    await h.until((x) => x.includes('FIRSTREAD'));
    phase = 'moved';
    await h.refresh();
    await h.until((x) => x.includes('LASTLIVE'));
    phase = 'gone';
    await h.refresh();
    const f = await h.until((x) => x.includes('(closed: no longer in the latest snapshot'));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(h.frame().includes('LASTLIVE'), h.frame());
    assert.ok(!h.frame().includes('OTHERSOCKET'), h.frame());
    assert.match(line(f, 'process'), /fd 9/);
    assert.deepEqual(reads, ['1234:6', '1234:9']);
  });
});

describe('keeping the last copy costs no extra render', () => {
  // The first version kept it with a state update per refresh: every refresh of the socket view rendered the whole
  // App twice (the second time finding the socket again among all of them: 13-14 ms at 100,000 sockets).
  it('one React commit per refresh in the socket view, and the closed view still shows the last values', async () => {
    const { Profiler, createElement } = await import('react');
    const { render } = await import('ink-testing-library');
    const { App } = await import('../../src/ui/App.js');
    const { DEFAULT_KEYMAP } = await import('../../src/ui/keymap.js');
    const { createTheme } = await import('../../src/ui/theme.js');
    const { manualScheduler } = await import('./fakes.js');
    const lis = listener(80, { proc: nginx });
    const base = conn(80, '10.1.1.1', 5555, 'ESTABLISHED', nginx);
    let n = 0;
    let gone = false;
    const src = new FakeSource(() => snapshot(gone ? [lis] : [lis, { ...base, recvQ: n }]));
    const sched = manualScheduler();
    let commits = 0;
    const app = createElement(App, { source: src, scheduler: sched, theme: createTheme(false), keymap: DEFAULT_KEYMAP.filter((b) => b.command !== 'wizard'), intervalMs: 1000, protocols: { tcp: true, udp: true, unix: false } });
    const inst = render(createElement(Profiler, { id: 'app', onRender: () => void commits++ }, app));
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const settle = async (test: (f: string) => boolean) => {
      for (let k = 0; k < 200 && !test(inst.lastFrame() ?? ''); k++) await sleep(10);
      await sleep(100);
    };
    try {
      Object.defineProperty(inst.stdout, 'columns', { value: 100, configurable: true });
      Object.defineProperty(inst.stdout, 'rows', { value: 40, configurable: true });
      inst.stdout.emit('resize');
      await settle((f) => f.includes(':80'));
      for (const k of [KEY.enter, KEY.end, KEY.enter]) {
        inst.stdin.write(k);
        await sleep(100);
      }
      await settle((f) => /^\s*Recv-Q\s+0\b/m.test(f));
      const perRefresh: number[] = [];
      for (let i = 1; i <= 3; i++) {
        n = i;
        const before = commits;
        for (let k = 0; k < 200 && !sched.fire(); k++) await sleep(5);
        await settle((f) => new RegExp(`^\\s*Recv-Q\\s+${i}\\b`, 'm').test(f));
        perRefresh.push(commits - before);
      }
      assert.deepEqual(perRefresh, [1, 1, 1]);
      gone = true;
      for (let k = 0; k < 200 && !sched.fire(); k++) await sleep(5);
      await settle((f) => f.includes('(closed: no longer in the latest snapshot'));
      assert.match(line(inst.lastFrame() ?? '', 'Recv-Q'), /\b3\b/);
    } finally {
      inst.unmount();
    }
  });
});
