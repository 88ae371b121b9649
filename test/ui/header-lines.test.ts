// The monitor's header lines: the wording that fits the width, unix sockets that were not collected, the
// hidden-owners note at 80 columns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Socket } from '../../src/model/socket.js';
import { identityLine, PAUSED_CELLS, ratesLine, totalsLine } from '../../src/ui/header-lines.js';
import { plainReport } from '../../src/ui/plain.js';
import { conn, listener, snapshot, webHost } from './fakes.js';

const TOGGLES = { tcp: true, udp: true, unix: false };

function unixSocket(path: string): Socket {
  return { protocol: 'unix', ipVersion: 4, state: 'LISTEN', local: { address: path, port: 0 }, peer: { address: '*', port: 0 }, recvQ: 0, sendQ: 0, processes: [], inode: 77 };
}

/** The reviewer's host: 9 ESTABLISHED, 1 LISTEN, 6 TIME_WAIT and one UDP socket. */
function reviewHost(): Socket[] {
  const s: Socket[] = [listener(8080), listener(53, { protocol: 'udp' })];
  for (let i = 0; i < 9; i++) s.push(conn(8080, '127.0.0.1', 40000 + i));
  for (let i = 0; i < 6; i++) s.push(conn(8080, '127.0.0.1', 41000 + i, 'TIME_WAIT'));
  return s;
}

/** 4-digit counts: 12 listeners, 1234 ESTABLISHED, 5678 TIME_WAIT, 1234 CLOSE_WAIT, 23 FIN_WAIT2, 1234 UDP sockets. */
function busyHost(): Socket[] {
  const s: Socket[] = [];
  for (let i = 0; i < 12; i++) s.push(listener(8000 + i));
  for (let i = 0; i < 1234; i++) s.push(conn(8080, '10.0.0.1', 10000 + i));
  for (let i = 0; i < 5678; i++) s.push(conn(8080, '10.0.0.2', 10000 + i, 'TIME_WAIT'));
  for (let i = 0; i < 1234; i++) s.push(conn(8080, '10.0.0.3', 10000 + i, 'CLOSE_WAIT'));
  for (let i = 0; i < 23; i++) s.push(conn(8080, '10.0.0.4', 10000 + i, 'FIN_WAIT2'));
  for (let i = 0; i < 1234; i++) s.push(listener(20000 + i, { protocol: 'udp' }));
  return s;
}

describe('header totals', () => {
  it('take the long wording only when it fits: at exactly 100 columns it ran one cell over ("UDP 1  un…")', () => {
    const snap = snapshot(reviewHost());
    const long = totalsLine(snap);
    assert.equal(long, 'TCP 16 (estab 9, listen 1, syn-recv 0, time-wait 6, close-wait 0, fin-wait 0, orphan 0)  UDP 1  unix 0');
    assert.equal(long.length, 102);
    const at100 = totalsLine(snap, { width: 100 });
    assert.equal(at100, 'TCP 16 (est 9 lis 1 syn 0 tw 6 cw 0 fin 0 orph 0)  UDP 1  unix 0');
    assert.equal(totalsLine(snap, { width: 102 }), long);
    for (const w of [60, 80, 100, 120, 160]) assert.ok(totalsLine(snap, { width: w }).length <= Math.max(w, 64), `width ${w}`);
  });

  it('SYN_SENT and the closing states are shown when present, so the parts add up to the TCP count', () => {
    // Measured (review): 141 SYN_SENT to a blackholed backend read "TCP 164 (estab 4, listen 1, syn-recv 0,
    // time-wait 18, ...)": counted in the total, shown nowhere.
    const s = reviewHost();
    for (let i = 0; i < 3; i++) s.push(conn(41500 + i, '10.99.0.3', 80, 'SYN_SENT'));
    s.push(conn(8080, '127.0.0.1', 42000, 'LAST_ACK'), conn(8080, '127.0.0.1', 42001, 'CLOSING'));
    const snap = snapshot(s);
    const long = totalsLine(snap, { width: 200 });
    assert.equal(long, 'TCP 21 (estab 9, listen 1, syn-recv 0, syn-sent 3, time-wait 6, close-wait 0, fin-wait 0, closing 2, orphan 0)  UDP 1  unix 0');
    const sum = [...long.matchAll(/(?:estab|listen|syn-recv|syn-sent|time-wait|close-wait|fin-wait|closing) (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    assert.equal(sum, 21);
    assert.equal(totalsLine(snap, { width: 90 }), 'TCP 21 (est 9 lis 1 syn 0 sent 3 tw 6 cw 0 fin 0 clo 2 orph 0)  UDP 1  unix 0');
  });

  it('CLOSE sockets (bound, never listened on or connected) read "closed N", not "closing": the parts still add up', () => {
    const s = reviewHost();
    s.push(conn(8080, '127.0.0.1', 42000, 'LAST_ACK'));
    for (let i = 0; i < 2; i++) s.push(conn(43000 + i, '*', 0, 'CLOSE'));
    const snap = snapshot(s);
    const long = totalsLine(snap, { width: 200 });
    assert.equal(long, 'TCP 19 (estab 9, listen 1, syn-recv 0, time-wait 6, close-wait 0, fin-wait 0, closing 1, closed 2, orphan 0)  UDP 1  unix 0');
    const sum = [...long.matchAll(/(?:estab|listen|syn-recv|syn-sent|time-wait|close-wait|fin-wait|closing|closed) (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    assert.equal(sum, 19);
    assert.equal(totalsLine(snap, { width: 90 }), 'TCP 19 (est 9 lis 1 syn 0 tw 6 cw 0 fin 0 clo 1 cld 2 orph 0)  UDP 1  unix 0');
    // Only CLOSE: no "closing" at all.
    const closedOnly = totalsLine(snapshot([...reviewHost(), conn(43000, '*', 0, 'CLOSE')]), { width: 200 });
    assert.match(closedOnly, /, closed 1, orphan 0\)/);
    assert.doesNotMatch(closedOnly, /closing/);
  });

  it('unix sockets not collected read "not collected" (narrow: "-"), not 0; collected, their count', () => {
    const snap = snapshot(reviewHost());
    assert.match(totalsLine(snap, { unixCollected: false }), /  UDP 1  unix not collected$/);
    assert.match(totalsLine(snap, { width: 80, unixCollected: false }), /^TCP 16 \(est 9 .*\)  UDP 1  unix not collected$/);
    assert.match(totalsLine(snap, { width: 70, unixCollected: false }), /  UDP 1  unix -$/);
    const withUnix = snapshot([...reviewHost(), unixSocket('/run/a.sock'), unixSocket('/run/b.sock')]);
    assert.match(totalsLine(withUnix, { unixCollected: true }), /  unix 2$/);
    // The plain table (sockscope | cat) says it the same way.
    assert.match(plainReport(snap, [], { protocols: TOGGLES }), /UDP 1  unix not collected\n/);
    assert.match(plainReport(withUnix, [], { protocols: { ...TOGGLES, unix: true } }), /UDP 1  unix 2\n/);
  });

  it('narrow, with 4-digit counts: parts of the breakdown go whole, the totals and close-wait stay (80 columns cut "unix", 50 cut "cw 1…")', () => {
    const snap = snapshot(busyHost());
    const numbers = (l: string) => [...l.matchAll(/\d+/g)].map((m) => m[0]);
    const full = totalsLine(snap, { unixCollected: false });
    for (const [width, expected] of [
      [80, 'TCP 8181 (est 1234 lis 12 syn 0 tw 5678 cw 1234 fin 23 orph 0)  UDP 1234  unix -'],
      [70, 'TCP 8181 (est 1234 lis 12 tw 5678 cw 1234 fin 23 …)  UDP 1234  unix -'],
      [50, 'TCP 8181 (tw 5678 cw 1234 …)  UDP 1234  unix -'],
      [40, 'TCP 8181 (cw 1234 …)  UDP 1234  unix -'],
    ] as const) {
      const l = totalsLine(snap, { width, unixCollected: false });
      assert.equal(l, expected, `width ${width}`);
      assert.ok(l.length <= width, `${l.length} > ${width}: ${l}`);
      // Every number shown is one of the full line's, whole.
      for (const n of numbers(l)) assert.ok(numbers(full).includes(n), `${n} in ${full}`);
    }
    // Collected unix sockets keep their count.
    assert.match(totalsLine(snap, { width: 50, unixCollected: true }), /^TCP 8181 \(tw 5678 cw 1234 …\)  UDP 1234  unix 0$/);
  });

  it('the monitor\'s header at 80 and 50 columns: the totals line is whole', async () => {
    const { FakeSource } = await import('./fakes.js');
    const { mount } = await import('./harness.js');
    for (const columns of [80, 50]) {
      const h = await mount(new FakeSource(() => snapshot(busyHost())), { columns, rows: 24 });
      try {
        const line = h.lines().find((l) => l.startsWith('TCP '))!;
        assert.equal(line.trimEnd(), totalsLine(snapshot(busyHost()), { width: columns, unixCollected: false }), `${columns} columns`);
        assert.match(line, /cw 1234 .*UDP 1234  unix -\s*$/, `${columns} columns: ${line}`);
      } finally {
        h.unmount();
      }
    }
  });

  it('rates: the long wording when it fits', () => {
    const h = [snapshot(reviewHost())];
    assert.match(ratesLine(h), /^listen overflows/);
    assert.match(ratesLine(h, 100), /^listen overflows/);
    assert.match(ratesLine(h, 70), /^overflows /);
  });
});

describe('header identity', () => {
  const hidden = () => {
    const s = snapshot(webHost());
    s.hostname = 'vm';
    s.kernel = '6.18.44-fc-v669';
    s.attribution = { scope: 'listeners', complete: false, hiddenProcesses: 3 };
    return s;
  };

  it('unprivileged at 80 columns: the hidden-owners note is read in full (it was cut to "other users\' processes …")', () => {
    const s = hidden();
    const line = identityLine(s, 1000, TOGGLES, 8080, true, 80);
    const kept = line.slice(0, line.lastIndexOf(' · '));
    assert.ok(kept.length <= 77, kept);
    assert.match(kept, /others' processes hidden \(root\)$/);
    assert.match(kept, /^vm · tcp\+udp port 8080 · every 1s · \d\d:\d\d · /);
    // Paused: the badge takes its cells and the clock goes too.
    const paused = identityLine(s, 1000, TOGGLES, 8080, true, 80 - PAUSED_CELLS);
    assert.match(paused.slice(0, paused.lastIndexOf(' · ')), /^vm · tcp\+udp port 8080 · every 1s · others' processes hidden \(root\)$/);
    // Wide: everything, long wording.
    assert.equal(identityLine(s, 1000, TOGGLES, 8080, true, 160), identityLine(s, 1000, TOGGLES, 8080, true));
    assert.match(identityLine(s, 1000, TOGGLES, 8080, true, 160), /^sockscope · vm · tcp\+udp port 8080 · fixture · every 1s · \d\d:\d\d · other users' processes hidden \(run as root\) · 6\.18\.44-fc-v669$/);
  });

  it('as root at 80 columns nothing is dropped but the kernel\'s room', () => {
    const s = snapshot(webHost());
    s.hostname = 'vm';
    assert.match(identityLine(s, 1000, TOGGLES, undefined, true, 80), /^sockscope · vm · tcp\+udp · fixture · every 1s · \d\d:\d\d · 6\.1\.0-test$/);
  });
});
