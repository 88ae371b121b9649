// A dual-stack [::] listener and an IPv6-only one, opened here on loopback, told apart by analyze (table and
// JSON), `sockscope --json` and the monitor's port view; procfs cannot see IPV6_V6ONLY and says so
// (review-ipv6 #8). Also the port view's peer= filter in the forms ss and logs print (review-ipv6 #14).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket as NetSocket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createSource, type SourceChoice } from '../../src/collect/index.js';
import type { Socket } from '../../src/model/socket.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { buildAnalyzeReport } from '../../src/report/analyze.js';
import { AnalyzeReportSchema } from '../../src/report/schema.js';
import { formatAnalyzeReport } from '../../src/report/print-analyze.js';
import { buildSnapshotReport, SnapshotReportSchema } from '../../src/report/snapshot-report.js';
import { matchesFilter } from '../../src/ui/tables/filter.js';
import { SOCKET_COLUMNS, socketExactTerms, socketSearchTerms } from '../../src/ui/tables/sockets.js';
import { listenerLines } from '../../src/ui/view-helpers.js';

let dual: Server;
let only: Server;
let udpOnly: UdpSocket;
let dualPort = 0;
let onlyPort = 0;
let udpPort = 0;
/** Whether 127.0.0.1 reaches the "dual" listener: the kernel's answer (net.ipv6.bindv6only decides what Node leaves). */
let dualTakesIpv4 = false;
const clients: NetSocket[] = [];

function listen(ipv6Only: boolean): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((c) => c.on('error', () => {}));
    s.once('error', reject);
    s.listen({ host: '::', port: 0, ipv6Only }, () => resolve(s));
  });
}

const portOf = (s: Server) => (s.address() as { port: number }).port;

function dial(host: string, port: number): Promise<NetSocket | undefined> {
  return new Promise((resolve) => {
    const c = connect({ host, port });
    const timer = setTimeout(() => (c.destroy(), resolve(undefined)), 3000);
    c.once('connect', () => (clearTimeout(timer), clients.push(c), resolve(c)));
    c.once('error', () => (clearTimeout(timer), resolve(undefined)));
  });
}

before(async () => {
  dual = await listen(false);
  only = await listen(true);
  dualPort = portOf(dual);
  onlyPort = portOf(only);
  udpOnly = createSocket({ type: 'udp6', ipv6Only: true });
  await new Promise<void>((r) => udpOnly.bind({ address: '::', port: 0 }, () => r()));
  udpPort = udpOnly.address().port;
  // Peers of the dual-stack listener: ::1 twice, and 127.0.0.1 (the kernel shows ::ffff:127.0.0.1).
  assert.ok(await dial('::1', dualPort));
  assert.ok(await dial('::1', dualPort));
  dualTakesIpv4 = (await dial('127.0.0.1', dualPort)) !== undefined;
  assert.equal(await dial('127.0.0.1', onlyPort), undefined, 'the IPV6_V6ONLY listener refuses IPv4');
});

after(async () => {
  for (const c of clients) c.destroy();
  await new Promise((r) => dual?.close(r));
  await new Promise((r) => only?.close(r));
  udpOnly?.close();
});

async function snapshot(source: SourceChoice): Promise<Snapshot> {
  const snap = await createSource(source).collect({ processes: 'listeners' });
  const ports = new Set([dualPort, onlyPort, udpPort]);
  return { ...snap, sockets: snap.sockets.filter((s) => ports.has(s.local.port)) };
}

const listenerOn = (sockets: readonly Socket[], port: number, protocol = 'tcp') =>
  sockets.find((s) => s.local.port === port && s.protocol === protocol && (s.state === 'LISTEN' || (protocol === 'udp' && s.state === 'CLOSE')))!;

test('netlink: analyze --port tells the dual-stack [::] listener from the IPv6-only one, in JSON and in the table', async () => {
  const snap = await snapshot('netlink');
  const r1 = buildAnalyzeReport(snap, { port: dualPort });
  const r2 = buildAnalyzeReport(snap, { port: onlyPort });
  const l1 = r1.listeners[0] as (typeof r1.listeners)[number] & { v6only?: boolean | null };
  const l2 = r2.listeners[0] as (typeof r2.listeners)[number] & { v6only?: boolean | null };
  assert.equal(l1.address, '::');
  assert.equal(l2.address, '::');
  assert.equal(l1.v6only, !dualTakesIpv4);
  assert.equal(l2.v6only, true);
  assert.equal(JSON.parse(JSON.stringify(r2)).listeners[0].v6only, true, 'in the --json document');
  assert.equal(AnalyzeReportSchema.parse(r2).listeners[0].v6only, true, 'and in the library schema');
  assert.match(formatAnalyzeReport(r2), new RegExp(`│ :: \\(IPv6 only\\) +│ ${onlyPort} +│`));
  assert.match(formatAnalyzeReport(r1), new RegExp(`│ :: \\(${dualTakesIpv4 ? 'IPv4\\+IPv6' : 'IPv6 only'}\\) +│ ${dualPort} +│`));
});

test('netlink: `sockscope --json` carries v6only on [::] listeners (TCP and UDP), nothing on connections', async () => {
  const snap = await snapshot('netlink');
  const doc = SnapshotReportSchema.parse(buildSnapshotReport(snap, []));
  const port = (p: number, proto: string) => doc.ports.find((x) => x.port === p && x.protocol === proto)!;
  assert.equal(port(dualPort, 'tcp').listeners[0].v6only, !dualTakesIpv4);
  assert.equal(port(onlyPort, 'tcp').listeners[0].v6only, true);
  assert.equal(port(udpPort, 'udp').listeners[0].v6only, true);
  assert.ok(snap.sockets.filter((s) => s.state === 'ESTABLISHED').every((s) => s.v6only === undefined));
});

test('netlink: the monitor port view says which clients a [::] listener takes (PEER cell, and / finds it)', async () => {
  const snap = await snapshot('netlink');
  const peer = SOCKET_COLUMNS.find((c) => c.id === 'peer')!;
  const row = (s: Socket) => ({ id: 'x', socket: s });
  assert.equal(peer.cell(row(listenerOn(snap.sockets, onlyPort))), '[::]:* (IPv6 only)');
  assert.equal(peer.cell(row(listenerOn(snap.sockets, dualPort))), `[::]:* (${dualTakesIpv4 ? 'IPv4+IPv6' : 'IPv6 only'})`);
  assert.ok(matchesFilter(socketSearchTerms(row(listenerOn(snap.sockets, onlyPort))), 'ipv6 only'));
  const conn = snap.sockets.find((s) => s.local.port === dualPort && s.state === 'ESTABLISHED')!;
  assert.doesNotMatch(peer.cell(row(conn)), /IPv/, 'connections are shown as before');
  // The listener line above the table.
  assert.match(listenerLines(snap.sockets.filter((s) => s.local.port === onlyPort), 3)[0], /^listening \[::\]:\d+ \(IPv6 only\)  accept queue/);
  assert.match(listenerLines(snap.sockets.filter((s) => s.local.port === dualPort), 3)[0], new RegExp(`^listening \\[::\\]:\\d+ \\(${dualTakesIpv4 ? 'IPv4\\+IPv6' : 'IPv6 only'}\\)  accept queue`));
});

test('ss (v6only: of ss -e) gives what netlink gives', async () => {
  const snap = await snapshot('ss');
  assert.equal(listenerOn(snap.sockets, dualPort).v6only, !dualTakesIpv4);
  assert.equal(listenerOn(snap.sockets, onlyPort).v6only, true);
  assert.equal(listenerOn(snap.sockets, udpPort, 'udp').v6only, true);
  const r = buildAnalyzeReport(snap, { port: onlyPort });
  assert.match(formatAnalyzeReport(r), /:: \(IPv6 only\)/);
});

test('procfs cannot see IPV6_V6ONLY: null in JSON, "v6only unknown" in the table and the monitor, not a guess', async () => {
  const snap = await snapshot('procfs');
  const r = buildAnalyzeReport(snap, { port: onlyPort });
  assert.equal((r.listeners[0] as { v6only?: boolean | null }).v6only, null);
  assert.match(formatAnalyzeReport(r), /:: \(v6only unknown\)/);
  const doc = SnapshotReportSchema.parse(buildSnapshotReport(snap, []));
  assert.equal(doc.ports.find((x) => x.port === dualPort)!.listeners[0].v6only, null);
  const peer = SOCKET_COLUMNS.find((c) => c.id === 'peer')!;
  assert.equal(peer.cell({ id: 'x', socket: listenerOn(snap.sockets, onlyPort) }), '[::]:* (v6only unknown)');
});

test('an IPv4 listener has no v6only in JSON and its address cell is unchanged', async () => {
  const v4 = createServer();
  await new Promise<void>((r) => v4.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  try {
    const p = portOf(v4);
    const snap = await createSource('netlink').collect({ processes: 'listeners', port: p });
    const r = buildAnalyzeReport(snap, { port: p });
    assert.equal('v6only' in r.listeners[0], false);
    assert.match(formatAnalyzeReport(r), new RegExp(`│ 127\\.0\\.0\\.1 +│ ${p} +│`));
  } finally {
    await new Promise((r) => v4.close(r));
  }
});

test('peer= selects the peers of a [::] listener in the forms ss and logs print: [::1], [::1]:PORT, ::ffff:127.0.0.1', async () => {
  const snap = await snapshot('netlink');
  const conns = snap.sockets.filter((s) => s.local.port === dualPort && s.state === 'ESTABLISHED');
  const v6 = conns.filter((s) => s.peer.address === '::1');
  assert.equal(v6.length, 2);
  const count = (filter: string) => conns.filter((s) => matchesFilter(socketSearchTerms({ id: 'x', socket: s }), filter, socketExactTerms({ id: 'x', socket: s }))).length;
  for (const f of ['peer=::1', 'peer=[::1]', 'PEER=[::1]', 'peer="[::1]"']) assert.equal(count(f), 2, f);
  assert.equal(count(`peer=[::1]:${v6[0].peer.port}`), 1, 'with the port: that socket');
  assert.equal(count('peer=[::1]:1'), 0, 'another port');
  assert.equal(count('peer=[::2]'), 0);
  assert.equal(count('peer=::1:8080'), 0, 'unbracketed: an address (::1:8080), as ss would need brackets for a port');
  if (dualTakesIpv4) {
    const v4 = conns.find((s) => s.peer.address === '127.0.0.1')!;
    assert.ok(v4, 'the v4-mapped peer is held as 127.0.0.1');
    for (const f of ['peer=127.0.0.1', 'peer=::ffff:127.0.0.1', 'peer=::FFFF:127.0.0.1', 'peer=[::ffff:127.0.0.1]', `peer=[::ffff:127.0.0.1]:${v4.peer.port}`, `peer=127.0.0.1:${v4.peer.port}`])
      assert.equal(count(f), 1, f);
    assert.equal(count('peer=127.0.0.10'), 0, 'still exact: not a prefix');
    assert.equal(count('peer=::ffff:127.0.0.10'), 0);
  }
});
