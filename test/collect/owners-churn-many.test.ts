// The "owners not found" note under heavy connection churn, and the cost of telling churn from owners out of
// sight (review s20 of 00e18ba). Before: at most 1,024 unfound sockets were asked about per pass and the rest
// counted as hidden (three loopback churners: 900-5,000 "not found" per run); both rounds of a pass made up
// to 1,024 lookups each; a one-shot re-read its prefetched owner whole whenever an unfound socket stayed open;
// a TCP socket bound but not listening read as gone. Real sockets in a network namespace of the test's own;
// the attribution runs in a PID namespace of its own (unshare -pf --mount-proc) so that the holder the test
// starts outside it is really out of sight.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { lookupVerdict } from '../../src/collect/still-open.js';
import type { Socket } from '../../src/model/socket.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import { ROOT } from '../helpers/tmux.js';

const isRoot = process.getuid?.() === 0;
const canUnshare = isRoot && spawnSync('unshare', ['-pf', '--mount-proc', 'true']).status === 0 && spawnSync('ip', ['-V']).status === 0;
const skip = !canUnshare ? 'needs root, iproute2 and unshare -pf --mount-proc' : false;

/** Outside the attribution's PID namespace: HIDDEN connections on 127.0.0.1:7300 (2 sockets each) with their listener, and a listener on 127.0.0.2:7400 made as nobody: 2 * HIDDEN + 2 sockets. */
const HIDDEN = 350;
const HIDDEN_HOLDER = `
import os, socket, sys
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); srv.bind(('127.0.0.1', 7300)); srv.listen(1024)
keep = []
for i in range(${HIDDEN}):
    c = socket.socket(); c.connect(('127.0.0.1', 7300)); a, _ = srv.accept(); keep += [c, a]
os.setresuid(65534, 65534, 65534)
l = socket.socket(); l.bind(('127.0.0.2', 7400)); l.listen(8)
print('ready', flush=True)
sys.stdin.read()
`;

describe('owners not found: many closed sockets, and what telling them apart costs', { skip }, () => {
  const ns = `sockscope-manychurn-${process.pid}`;
  let hidden: ChildProcess | undefined;
  const fixture = fileURLToPath(new URL('./owners-churn-many.fixture.mts', import.meta.url));
  const run = (...args: string[]) => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'unshare', '-pf', '--mount-proc', process.execPath, '--import', 'tsx', fixture, ...args], { encoding: 'utf8', timeout: 60_000, cwd: ROOT });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, any>;
  };

  before(async () => {
    createNetns(ns);
    hidden = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', HIDDEN_HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error('hidden holder not ready in 20 s')), 20_000);
      hidden!.stdout!.once('data', () => (clearTimeout(timer), res()));
    });
  });
  after(() => {
    hidden?.kill('SIGKILL');
    deleteNetns(ns);
  });

  it('3,000 connections closed between the dump and the attribution: none counted, only the hidden ones (702)', () => {
    const r = run('closed', '3000', '7500');
    assert.ok(r.sockets > 6000, JSON.stringify(r));
    // The first pass asks about all 6,701 (one fresh dump), the hidden 702 are the only ones still open.
    assert.equal(r.pass1.unfound, 2 * HIDDEN + 2, JSON.stringify(r));
    assert.equal(r.pass1.gone, 6000, JSON.stringify(r));
    assert.ok(r.pass1.lookups <= 1024, JSON.stringify(r));
    // The second pass over the same list: every unfound socket is known (the closed ones are not unfound any more: the
    // list is the same, they are asked about again and gone again), the note the same.
    assert.equal(r.pass2.unfound, 2 * HIDDEN + 2, JSON.stringify(r));
    assert.ok(r.pass2.lookups <= 1024, JSON.stringify(r));
  });

  it('the hidden sockets asked twice in a pass (before and after the re-read) make at most 1,024 lookups in all', () => {
    const r = run('hidden');
    assert.equal(r.pass1.unfound, 2 * HIDDEN + 2, JSON.stringify(r));
    assert.equal(r.pass1.asked, 2 * (2 * HIDDEN + 2), JSON.stringify(r));
    // Before: 1,404 lookups (702 each round). Now the second round, beyond the 1,024, is one dump.
    assert.ok((r.pass1.lookups ?? r.pass1.asked) <= 1024, JSON.stringify(r));
    // Learnt: the next pass asks nothing.
    assert.deepEqual([r.pass2.unfound, r.pass2.asked], [2 * HIDDEN + 2, 0], JSON.stringify(r));
  });

  it("a one-shot does not re-read its prefetched owner (4,000 fds) for a hidden listener of another uid on the port", () => {
    const r = run('prefetch', '2000', '7400');
    assert.equal(r.unfound, 1, JSON.stringify(r));
    // Before: 4,000 more readlinks (the owner read whole again).
    assert.ok(r.readlinks < 1000, JSON.stringify(r));
  });

  it('a TCP socket bound but not listening (state CLOSE) is not taken as gone', () => {
    const r = run('bound', '7600');
    assert.deepEqual(r.states, ['CLOSE'], JSON.stringify(r));
    assert.deepEqual(r.verdicts, ['unknown'], JSON.stringify(r));
  });
});

describe('an ENOENT lookup reply is "gone" only for a kind of socket the kernel answers for', () => {
  const udp = { protocol: 'udp', ipVersion: 4, state: 'ESTABLISHED', local: { address: '127.0.0.1', port: 5000 }, peer: { address: '127.0.0.1', port: 5001 }, inode: 4242, processes: [] } as unknown as Socket;
  const unix = { ...udp, protocol: 'unix', state: 'ESTABLISHED' } as Socket;
  // Recorded replies: a kernel without udp_diag or unix_diag answers NLMSG_ERROR -ENOENT to every request of
  // that kind, socket or not (no such kernel here: udp_diag and unix_diag are built in).
  it('ENOENT from a kind not known to answer is unknown; from one that answered, gone', () => {
    for (const s of [udp, unix]) {
      assert.equal(lookupVerdict(s, 'enoent', false), 'unknown');
      assert.equal(lookupVerdict(s, 'enoent', true), 'gone');
      assert.equal(lookupVerdict(s, 4242, true), 'open');
      assert.equal(lookupVerdict(s, 'error', true), 'unknown');
    }
  });
});
