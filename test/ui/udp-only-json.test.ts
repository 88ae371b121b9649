// `sockscope --udp --json` said "totals.tcp: not counted" with every TCP state at 0, while its recommendations
// held TCP findings and the plain table (`sockscope --udp | cat`) printed "TCP N (...)" and the same
// findings. TCP and UDP are collected whatever --tcp/--udp (collectProtocols); the toggles pick which
// sockets the tables list. Now --json counts the collected TCP sockets in totals, as the plain table's and the
// monitor's header do, and its note says they are counted but not listed. Real loopback sockets: 11
// CLOSE_WAIT on a listening TCP port (a TCP finding) and a bound UDP socket.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { createSource } from '../../src/collect/index.js';
import { acceptedPairs, type AcceptedPairs } from '../helpers/accepted-pairs.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const N = 11;
let pairs: AcceptedPairs;
let udp: dgram.Socket;
let port = 0;

before(async () => {
  pairs = await acceptedPairs(await freeLowPort(), N, { allowHalfOpen: true });
  port = pairs.port;
  for (const c of pairs.clients) c.end(); // the server never closes its side: CLOSE_WAIT
  udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  const source = createSource('netlink');
  await waitFor(
    `${N} CLOSE_WAIT on ${port}`,
    async () => ((await source.collect({ port, protocols: ['tcp'] })).sockets.filter((s) => s.state === 'CLOSE_WAIT').length === N ? true : undefined),
    10_000,
    50,
  );
});

after(() => {
  pairs?.destroy();
  udp?.close();
});

const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [`${ROOT}bin/sockscope`, ...args], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

describe('sockscope --udp: --json and the plain table agree on TCP', () => {
  it('--json counts the collected TCP sockets, lists only UDP, and says so; the TCP finding is there as in the plain table', () => {
    const doc = JSON.parse(run('--udp', '--json')) as {
      totals: { tcp: Record<string, number>; udp: number };
      ports: Array<{ protocol: string; port: number }>;
      outgoing: Array<{ protocol: string }>;
      recommendations: Array<{ id: string; protocol?: string; port?: number }>;
      notes: string[];
    };
    assert.ok(doc.totals.tcp.CLOSE_WAIT >= N, `totals.tcp counted: ${JSON.stringify(doc.totals.tcp)}`);
    assert.ok(doc.totals.tcp.LISTEN >= 1, JSON.stringify(doc.totals.tcp));
    assert.ok(doc.totals.udp >= 1);
    assert.ok(doc.ports.every((p) => p.protocol === 'udp') && doc.outgoing.every((p) => p.protocol === 'udp'), 'only UDP listed');
    assert.ok(!doc.notes.some((n) => n.startsWith('totals.tcp: not counted')), JSON.stringify(doc.notes));
    assert.ok(doc.notes.some((n) => n.startsWith('totals.tcp: counted, but tcp sockets are not listed in ports and outgoing (--tcp lists them)')), JSON.stringify(doc.notes));
    assert.ok(doc.recommendations.some((r) => r.id === 'close-wait-accumulating' && r.protocol === 'tcp' && r.port === port), JSON.stringify(doc.recommendations.map((r) => r.id)));

    const text = run('--udp');
    const tcpTotal = /^TCP (\d+) \(/m.exec(text);
    assert.ok(tcpTotal && Number(tcpTotal[1]) >= N + 1, text);
    assert.match(text, new RegExp(`CLOSE_WAIT on tcp port ${port}.*\\[tcp ${port}\\]`), text);
    assert.ok(!text.split('\n').some((l) => /^\S*\s+\d+ tcp /.test(l)), `no TCP rows:\n${text}`);
  });
});
