// The / filter on the ports table: a UDP row does not match `close` on the kernel's internal CLOSE state of
// its unconnected sockets (no column shows it; ss calls it UNCONN): `close` listed every UDP port. It
// matches `unconn` instead; TCP rows still match close (CLOSE_WAIT). Real loopback sockets read by netlink.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import dgram from 'node:dgram';
import net from 'node:net';
import { createSource } from '../../src/collect/index.js';
import { ephemeralRange } from '../../src/model/snapshot.js';
import { buildPortTables } from '../../src/ui/derive.js';
import { matchesFilter } from '../../src/ui/tables/filter.js';
import { portSearchTerms } from '../../src/ui/tables/ports.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';

test('`close` matches a TCP port with CLOSE_WAIT, not a UDP port\'s unconnected sockets; `unconn` matches those', async () => {
  const tcpPort = await freeLowPort();
  const accepted: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (c) => {
    c.on('error', () => {});
    accepted.push(c);
  });
  await new Promise<void>((r) => server.listen(tcpPort, '127.0.0.1', () => r()));
  const client = net.connect(tcpPort, '127.0.0.1');
  client.on('error', () => {});
  const udp = dgram.createSocket('udp4');
  try {
    await new Promise<void>((r) => client.once('connect', () => r()));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    const udpPort = udp.address().port;
    await waitFor('accepted', () => (accepted.length === 1 ? true : undefined), 5000, 10);
    client.end(); // the server side goes CLOSE_WAIT (it never closes)
    const source = createSource('netlink');
    const snap = await waitFor(
      'the CLOSE_WAIT and the UDP socket',
      async () => {
        const s = await source.collect({ protocols: ['tcp', 'udp'], processes: 'none' });
        const cw = s.sockets.some((k) => k.protocol === 'tcp' && k.local.port === tcpPort && k.state === 'CLOSE_WAIT');
        const u = s.sockets.some((k) => k.protocol === 'udp' && k.local.port === udpPort && k.state === 'CLOSE');
        return cw && u ? s : undefined;
      },
      10_000,
      50,
    );
    const { local } = buildPortTables(snap.sockets, new Map(), { map: new Map() }, ephemeralRange(snap));
    const row = (id: string) => {
      const r = local.find((x) => x.id === id);
      assert.ok(r, `${id} in the ports table`);
      return r;
    };
    const tcpRow = row(`tcp:${tcpPort}`);
    const udpRow = row(`udp:${udpPort}`);
    assert.equal(udpRow.summary.states.CLOSE, 1, 'the kernel reports the unconnected UDP socket as CLOSE');
    assert.ok(matchesFilter(portSearchTerms(tcpRow), 'close'), 'close: the TCP port with CLOSE_WAIT');
    assert.ok(!matchesFilter(portSearchTerms(udpRow), 'close'), `close: not the UDP port (${portSearchTerms(udpRow).join(' ')})`);
    // No UDP row at all matches close on this host now (it listed every UDP port).
    const udpClose = local.filter((r) => r.summary.protocol === 'udp' && r.summary.states.ESTABLISHED === 0 && matchesFilter(portSearchTerms(r), 'close'));
    assert.deepEqual(udpClose.map((r) => r.id), []);
    assert.ok(matchesFilter(portSearchTerms(udpRow), 'unconn'), 'unconn: the UDP port, as ss names the state');
    assert.ok(!matchesFilter(portSearchTerms(tcpRow), 'unconn'), 'unconn: not the TCP port');
  } finally {
    udp.close();
    client.destroy();
    for (const a of accepted) a.destroy();
    server.close();
  }
});
