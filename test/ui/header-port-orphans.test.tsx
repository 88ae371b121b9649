// With --port P every count of the header's totals line is P's, the orphans too: "orphan N" was
// /proc/net/sockstat's host-wide TCP orphan count next to the port's own states. Now it counts P's orphans
// the way sockstat counts them (full sockets closed by their process, inode 0, in FIN_WAIT1/CLOSING/
// LAST_ACK or FIN_WAIT2 before it is a timewait socket). Real loopback sockets: the server closes
// connections whose client never reads, so its FIN waits behind unsent data (FIN_WAIT1 orphans), 3 on P
// and 2 on another port.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSource } from '../../src/collect/index.js';
import { counter, type Snapshot } from '../../src/model/snapshot.js';
import { portOrphans, totalsLine } from '../../src/ui/header-lines.js';
import { plainReport } from '../../src/ui/plain.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';
import { FakeSource } from './fakes.js';
import { mount } from './harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const cleanup: Array<() => void> = [];

/** `n` connections to a listener on `port` whose server side is closed with data the client never reads. */
async function orphans(port: number, n: number): Promise<void> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((c) => {
    c.on('error', () => {});
    accepted.push(c);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const clients: net.Socket[] = [];
  cleanup.push(() => {
    for (const c of clients) c.destroy();
    server.close();
  });
  for (let i = 0; i < n; i++) {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    await new Promise<void>((r) => c.once('connect', () => r()));
    c.pause(); // never reads: its receive buffer and then the server's send buffer fill
    clients.push(c);
  }
  await waitFor(`${n} accepted`, () => (accepted.length === n ? true : undefined), 5000, 10);
  const chunk = Buffer.alloc(1 << 20);
  for (const a of accepted) {
    // Until the kernel's buffers are full and Node holds the rest; close() then leaves a FIN_WAIT1 orphan.
    while (a.write(chunk));
    await new Promise((r) => setTimeout(r, 50));
    a.destroy();
  }
}

let p = 0;
let q = 0;
let snap: Snapshot;

before(async () => {
  p = await freeLowPort();
  q = await freeLowPort();
  await orphans(p, 3);
  await orphans(q, 2);
  const source = createSource('netlink');
  snap = await waitFor(
    '3 orphans on P',
    async () => {
      const s = await source.collect({ port: p, protocols: ['tcp', 'udp'], processes: 'listeners' });
      const n = s.sockets.filter((x) => x.local.port === p && x.state === 'FIN_WAIT1' && x.inode === 0).length;
      return n === 3 ? s : undefined;
    },
    10_000,
    50,
  );
});

after(() => {
  for (const c of cleanup) c();
});

describe('--port P: the header counts P\'s orphans, not the host\'s', () => {
  it('portOrphans and totalsLine with the port: 3 (sockstat counts the host\'s, 5 or more here)', () => {
    const host = counter(snap.counters.sockstat, 'TCP', 'orphan');
    assert.ok(host !== undefined && host !== null && host >= 5, `sockstat TCP orphan ${host}: the 5 of this test at least`);
    assert.equal(portOrphans(snap.sockets, p), 3);
    assert.match(totalsLine(snap, { port: p }), /, orphan 3\)/);
    assert.match(totalsLine(snap, { port: p, width: 80 }), / orph 3\)/);
    // Without a port (the whole host) it stays sockstat's.
    assert.match(totalsLine(snap), new RegExp(`, orphan ${host}\\)`));
    // A source without inodes cannot tell an orphan from a held socket: "?".
    const noInodes = snap.sockets.map((x) => ({ ...x, inode: undefined }));
    assert.equal(portOrphans(noInodes, p), null);
    assert.match(totalsLine({ ...snap, sockets: noInodes }, { port: p }), /, orphan \?\)/);
    assert.match(plainReport(snap, [], { protocols: { tcp: true, udp: true, unix: false }, port: p }).split('\n')[1], /, orphan 3\)/);
  });

  it('sockscope --port P | cat: the header says orphan 3', () => {
    const r = spawnSync(process.execPath, [`${ROOT}bin/sockscope`, '--port', String(p)], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(r.status, 0, r.stderr);
    const totals = r.stdout.split('\n')[1];
    assert.match(totals, /fin-wait 3, orphan 3\)/, r.stdout);
  });

  it('the full-screen monitor with --port P: the header says orph 3 at 100 columns', async () => {
    const h = await mount(new FakeSource(() => snap), { columns: 100, rows: 24, port: p });
    try {
      const f = await h.until((x) => / orph \d+\)/.test(x));
      assert.match(f, / fin 3 orph 3\)/, f);
    } finally {
      h.unmount();
    }
  });
});
