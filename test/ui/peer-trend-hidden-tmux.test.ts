// The outgoing table's TREND started over at every Tab: the monitor sampled the peer-port rows only while the
// table was shown, so after 10 s on the local ports view Tab showed a single bar (README: TREND is a sparkline
// over the last 10 samples). The per-port counts are now sampled while the table is hidden. Real loopback
// connections to a local server's port (the clients' side is outgoing), the built bin/sockscope in tmux; and
// the hidden-table counts against the outgoing table's own totals on a real netlink snapshot.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSource } from '../../src/collect/index.js';
import { summarizePeerPorts } from '../../src/model/aggregate.js';
import { ephemeralRange } from '../../src/model/snapshot.js';
import { outgoingCandidates } from '../../src/ui/derive.js';
import { peerPortCounts } from '../../src/ui/hooks/useMonitorData.js';
import { peerPortId } from '../../src/ui/identity.js';
import type { Socket } from '../../src/model/socket.js';
import { listener, tcp, udp } from '../helpers/fake-snapshot.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';
import { hasTmux, pane, ROOT, sleep, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

describe('outgoing TREND while the outgoing table is hidden', () => {
  let server: net.Server;
  const clients: net.Socket[] = [];
  let port: number;
  const tmux = tmuxServer('sockscope-peer-trend');
  const { until } = pane(tmux, 'mon');

  before(async () => {
    port = await freeLowPort();
    server = net.createServer((c) => c.on('error', () => {}));
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    for (let i = 0; i < 3; i++) {
      const c = net.connect(port, '127.0.0.1');
      c.on('error', () => {});
      await new Promise<void>((r) => c.once('connect', () => r()));
      clients.push(c);
    }
  });
  after(() => {
    tmux('kill-server');
    for (const c of clients) c.destroy();
    server.close();
  });

  it('peerPortCounts equals the outgoing table totals: TCP and UDP, this host and sockets read from --host hosts', () => {
    const remote = (x: Socket, host: string): Socket => ({ ...x, host });
    const sockets = [
      listener('0.0.0.0:8080', 128),
      tcp('127.0.0.1:8080', '127.0.0.1:40001', 'ESTABLISHED'),
      tcp('127.0.0.1:40001', '127.0.0.1:8080', 'ESTABLISHED'),
      tcp('10.0.0.1:40002', '10.0.0.9:443', 'ESTABLISHED'),
      tcp('10.0.0.1:40003', '10.0.0.9:443', 'TIME_WAIT'),
      udp('10.0.0.1:40004', { peer: { address: '10.0.0.53', port: 53 }, state: 'ESTABLISHED' }),
      udp('10.0.0.1:40005', { peer: { address: '10.0.0.53', port: 443 }, state: 'ESTABLISHED' }),
      remote(tcp('10.0.0.2:40006', '10.0.0.9:443', 'ESTABLISHED'), 'a'),
      remote(listener('0.0.0.0:8080', 128), 'a'),
      remote(tcp('10.0.0.2:8080', '10.0.0.7:40007', 'ESTABLISHED'), 'a'),
    ];
    const counts = peerPortCounts(sockets, [32768, 60999]);
    const table = summarizePeerPorts(sockets, [32768, 60999]);
    assert.deepEqual(counts, new Map(table.map((p) => [peerPortId(p.protocol, p.peerPort, p.host), p.total])));
    assert.deepEqual([counts.get(peerPortId('tcp', 443)), counts.get(peerPortId('udp', 443)), counts.get(peerPortId('tcp', 443, 'a'))], [2, 1, 1]);
  });

  it('peerPortCounts equals the outgoing table totals (netlink snapshot)', async () => {
    const snap = await waitFor('the connections', async () => {
      const s = await createSource('netlink').collect({ protocols: ['tcp', 'udp'], processes: 'none' });
      return s.sockets.filter((k) => k.peer.port === port && k.state === 'ESTABLISHED').length === 3 ? s : undefined;
    });
    const counts = peerPortCounts(snap.sockets, ephemeralRange(snap));
    const table = summarizePeerPorts(outgoingCandidates(snap.sockets), ephemeralRange(snap));
    assert.equal(counts.get(peerPortId('tcp', port)), 3);
    assert.deepEqual(counts, new Map(table.map((p) => [peerPortId(p.protocol, p.peerPort, p.host), p.total])));
    // --port P: P's sockets are not outgoing (outgoingCandidates), as in the table.
    assert.equal(peerPortCounts(snap.sockets, ephemeralRange(snap), clients[0].localPort).get(peerPortId('tcp', port)), 2);
  });

  it('Tab after 8 s on the local ports view shows 8 or more samples at once', { skip: tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false) }, async () => {
    assert.ok(hasTmux);
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '130', '-y', '30', '-e', 'CI=false', '-c', ROOT, 'bin/sockscope', '--interval', '1s');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => / · row \d+\/\d+/.test(s), 'the ports view');
    await sleep(9500);
    tmux('send-keys', '-t', 'mon', 'Tab');
    const rowOf = (s: string) => s.split('\n').find((l) => new RegExp(`^\\s*\\S*\\s+${port} tcp\\s`).test(l));
    const s = await until((x) => x.includes('OUTGOING CONNECTIONS BY PEER PORT') && rowOf(x) !== undefined, 'the outgoing row');
    const bars = (rowOf(s)!.match(/[▁▂▃▄▅▆▇█]/g) ?? []).length;
    assert.ok(bars >= 8, `TREND has ${bars} samples right after Tab:\n${s}`);
  });
});
