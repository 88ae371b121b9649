// `buffers` on a pure receiver whose sender is in another namespace (review s25 #2): the BDP used tcpi_rtt, which on a
// socket that only receives is the handshake's sample (0.024 ms), while its rcv_rtt was 56-68 ms; it said "rcvbuf fits
// the BDP" and "4096 would do". Now such a receiver uses tcpi_rcv_rtt and says so (rtt column "(rcv_rtt)", --json
// rttSource). Real RTT without netem: the ACK path (B -> A) is a 2 Mbit/s tbf kept full by a bounded UDP stream, loaded
// only after the handshake, so the bulk connection A -> B sees tens of ms. Needs root, iproute2 and tc (as CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteNetns, netnsHolder, vethPair } from '../helpers/netns.js';

const A = `sockscope-rrA-${process.pid}`;
const B = `sockscope-rrB-${process.pid}`;
const inB = (...args: string[]) => spawnSync('ip', ['netns', 'exec', B, 'bin/sockscope', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });

// Receiver in B: SO_RCVBUF 16384 before listen(), reads everything for 25 s.
const RECEIVER = `
import threading
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384); l.bind(('10.79.9.2', 5401)); l.listen()
def run():
    c, _ = l.accept(); end = time.time() + 25
    while time.time() < end and c.recv(65536): pass
threading.Thread(target=run, daemon=True).start()`;
// Sender in A: as fast as it can for 25 s.
const SENDER = `
import threading
c = socket.create_connection(('10.79.9.2', 5401))
def run():
    end = time.time() + 25
    while time.time() < end: c.send(b'x' * 65536)
threading.Thread(target=run, daemon=True).start()`;
// B -> A: 300 KB/s of UDP, above the 2 Mbit/s tbf, so the ACKs queue behind it.
const FLOOD = `
import threading
def run():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); end = time.time() + 30; n = 0; t0 = time.time()
    while time.time() < end:
        s.sendto(b'u' * 1000, ('10.79.9.1', 9)); n += 1000
        d = n / 300000 - (time.time() - t0)
        if d > 0: time.sleep(d)
threading.Thread(target=run, daemon=True).start()`;

test('buffers: a receiver whose sender is elsewhere sizes with its rcv_rtt, not the handshake rtt, and says so', { timeout: 90_000 }, async (t) => {
  const children: ChildProcess[] = [];
  t.after(() => {
    for (const c of children) c.kill('SIGKILL');
    deleteNetns(A);
    deleteNetns(B);
  });
  vethPair(A, B, 'vrra', 'vrrb', '10.79.9');
  const tc = spawnSync('ip', ['netns', 'exec', B, 'tc', 'qdisc', 'add', 'dev', 'vrrb', 'root', 'tbf', 'rate', '2mbit', 'burst', '3000', 'latency', '60ms'], { encoding: 'utf8' });
  assert.equal(tc.status, 0, tc.stderr);
  children.push(await netnsHolder(B, RECEIVER));
  children.push(await netnsHolder(A, SENDER));
  await sleep(1000);
  children.push(await netnsHolder(B, FLOOD));
  await sleep(7000);
  const r = inB('buffers', '--port', '5401', '--bandwidth', '200mbit', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.connections.length, 1, r.stdout);
  const c = doc.connections[0];
  assert.equal(c.rttSource, 'rcv-rtt', JSON.stringify(c));
  assert.ok(c.rttMs > 10, `rtt ${c.rttMs} ms is the receiver's estimate, tens of ms here`);
  // 200 Mbit/s x tens of ms: over 250 KB, far above the 32 KiB rcvbuf.
  assert.ok(c.bdpBytes > 250_000, String(c.bdpBytes));
  assert.doesNotMatch(c.verdict, /fits the BDP/);
  assert.ok(doc.notes.some((n: string) => /only receives from a sender elsewhere: .*rcv_rtt/.test(n)), doc.notes.join('\n'));
  const text = inB('buffers', '--port', '5401', '--bandwidth', '200mbit');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /│ [\d.]+ ms \(rcv_rtt\) │/);
});
