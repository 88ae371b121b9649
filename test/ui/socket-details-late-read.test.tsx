// useSocketDetails re-reads a socket's fd flags and options with each refresh while its view is open, without
// cancelling a re-read in flight on a newer snapshot. Such a re-read of socket A that finishes after the view moved
// on (to socket B, or to another visit of A) must not land: it replaced B's read, so B showed "reading…" and was
// read again (review of 992d569, item 1). Driven with a fake inspector whose reads the test resolves by hand.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Socket } from '../../src/model/socket.js';
import { DETAILS_REFRESH_MS } from '../../src/ui/hooks/useSocketDetails.js';
import type { SocketDetails, SocketInspector } from '../../src/ui/inspector.js';
import { conn, FakeSource, listener, nginx, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An inspector whose reads stay pending until the test resolves them; each read is named by the peer port. */
function handInspector() {
  const reads: { peer: number; resolve: (tag: string) => void }[] = [];
  const details = (tag: string): SocketDetails => ({
    fd: { path: '/proc/1234/fdinfo/x', info: { flags: 2, flagNames: ['O_RDWR', tag], nonblock: false, cloexec: false } },
    options: { readings: [{ name: 'SO_RCVBUF', value: 1000 }], missing: [] },
  });
  const inspector: SocketInspector = {
    inspect: (s: Socket) =>
      new Promise<SocketDetails>((res) => {
        reads.push({ peer: s.peer.port, resolve: (tag) => res(details(tag)) });
      }),
  };
  return { inspector, reads, peers: () => reads.map((r) => r.peer) };
}

async function waitReads(reads: unknown[], n: number) {
  for (let i = 0; i < 300 && reads.length < n; i++) await sleep(10);
  assert.equal(reads.length, n, `expected ${n} reads`);
}

/** The port view of port 80 with connections from peer ports 5001 (A) and 5002 (B), listed in that order. */
async function setup() {
  const lis = listener(80, { proc: nginx });
  const a = conn(80, '10.1.1.1', 5001, 'ESTABLISHED', nginx, { processes: [{ ...nginx, fd: 7 }] });
  const b = conn(80, '10.1.1.2', 5002, 'ESTABLISHED', nginx, { processes: [{ ...nginx, fd: 8 }] });
  const src = new FakeSource(() => snapshot([lis, a, b]));
  const ins = handInspector();
  h = await mount(src, { columns: 110, rows: 70, inspector: ins.inspector });
  await h.press(KEY.enter);
  await h.until((x) => x.includes('SOCKETS') && x.includes(':5002'));
  return ins;
}

/** Opens the socket of the port view's row that shows `peer` (the port view lists the listener first). */
async function open(peer: number) {
  await h!.press(KEY.end);
  if (peer === 5001) await h!.press(KEY.up);
  await h!.press(KEY.enter);
  await h!.until((x) => new RegExp(`^\\s*peer\\s+\\S+:${peer}\\b`, 'm').test(x));
}

/** A's first read lands, then, past DETAILS_REFRESH_MS, a refresh starts A's re-read, which the test holds. */
async function aReReadInFlight(ins: ReturnType<typeof handInspector>) {
  await open(5001);
  await waitReads(ins.reads, 1);
  ins.reads[0]!.resolve('A_FIRST');
  await h!.until((x) => x.includes('A_FIRST'));
  await sleep(DETAILS_REFRESH_MS + 100);
  await h!.refresh();
  await waitReads(ins.reads, 2);
  assert.deepEqual(ins.peers(), [5001, 5001]);
}

describe('a re-read in flight lands only for the socket and visit it was read for', () => {
  it('A re-read in flight, the view moves to B: A\'s late result neither replaces B\'s read nor makes B read again', async () => {
    const ins = await setup();
    await aReReadInFlight(ins);
    await h!.press(KEY.escape);
    await h!.until((x) => x.includes('SOCKETS') && !/^\s*peer\s/m.test(x));
    await open(5002);
    await waitReads(ins.reads, 3);
    ins.reads[2]!.resolve('B_READ');
    await h!.until((x) => x.includes('B_READ'));
    // A's re-read finishes now, late.
    ins.reads[1]!.resolve('A_LATE');
    await sleep(200);
    const f = h!.frame();
    assert.ok(f.includes('B_READ'), f);
    assert.ok(!f.includes('A_LATE') && !f.includes('reading…'), f);
    assert.deepEqual(ins.peers(), [5001, 5001, 5002], 'no extra read of B');
  });

  it('A re-read in flight, the view is left and A opened again: the old visit\'s result does not replace the new one\'s', async () => {
    const ins = await setup();
    await aReReadInFlight(ins);
    await h!.press(KEY.escape);
    await h!.until((x) => x.includes('SOCKETS') && !/^\s*peer\s/m.test(x));
    await open(5001);
    await waitReads(ins.reads, 3);
    ins.reads[2]!.resolve('A_SECOND_VISIT');
    await h!.until((x) => x.includes('A_SECOND_VISIT'));
    ins.reads[1]!.resolve('A_OLD_VISIT');
    await sleep(200);
    const f = h!.frame();
    assert.ok(f.includes('A_SECOND_VISIT'), f);
    assert.ok(!f.includes('A_OLD_VISIT') && !f.includes('reading…'), f);
    assert.deepEqual(ins.peers(), [5001, 5001, 5001], 'no extra read');
  });
});
