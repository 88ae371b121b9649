// The exporter's history keeps no outgoing arrays in its window entries (exportHistory); what it serves
// is unchanged. The real exporter collects real loopback sockets (12 server-side CLOSE_WAIT on a listening
// port, 12 clients in FIN_WAIT2, 8 more ESTABLISHED pairs) through netlink, recording each collection;
// /metrics is then compared with the metrics of the same collections replayed through the monitor's
// history (keepHistory, outgoing arrays kept): the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSource } from '../../src/collect/index.js';
import type { CollectOptions, SocketSource } from '../../src/collect/source.js';
import { evaluateRules, makeContext } from '../../src/advise/engine.js';
import { outgoingTcpOf } from '../../src/advise/facts.js';
import { keepHistory } from '../../src/advise/history.js';
import { startExporter } from '../../src/export/server.js';
import { SocketMetrics } from '../../src/export/metrics.js';
import { historyWindowFor } from '../../src/model/history-window.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { acceptedPairs } from '../helpers/accepted-pairs.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';

const COLLECTIONS = 7;

test('exporter on loopback: /metrics is what the monitor-style history (outgoing arrays kept) gives for the same collections', { timeout: 60_000 }, async () => {
  // A port below the ephemeral range: a young listener there would count under port="other", its finding too.
  const pairs = await acceptedPairs(await freeLowPort(), 20, { allowHalfOpen: true });
  const real = createSource('netlink');
  let ex: Awaited<ReturnType<typeof startExporter>> | undefined;
  try {
    const { port } = pairs;
    for (const c of pairs.clients.slice(0, 12)) c.end();
    await waitFor('12 CLOSE_WAIT on the server port', async () => {
      const s = await real.collect({ protocols: ['tcp'], processes: 'none' });
      return s.sockets.filter((x) => x.local.port === port && x.state === 'CLOSE_WAIT').length === 12 ? true : undefined;
    });
    // Each collection is two calls (tcp, udp); after COLLECTIONS the source stops answering, so the
    // exporter serves the last of the recorded ones.
    const calls: { o: CollectOptions | undefined; snap: Snapshot }[] = [];
    let started = 0;
    const source: SocketSource = {
      name: real.name,
      collect(o?: CollectOptions): Promise<Snapshot> {
        if (started++ >= 2 * COLLECTIONS) return new Promise(() => {});
        return real.collect(o).then((snap) => {
          calls.push({ o, snap });
          return snap;
        });
      },
    };
    ex = await startExporter({ source, host: '127.0.0.1', port: 0, intervalMs: 150 });
    await waitFor(`${COLLECTIONS} collections`, () => (calls.length === 2 * COLLECTIONS ? true : undefined), 30_000, 20);
    // The last collection's rules and metrics update run synchronously after its two calls resolve.
    await new Promise((r) => setTimeout(r, 100));
    const served = await (await fetch(`http://127.0.0.1:${ex.address.port}/metrics`)).text();

    // Replay: the same pairs of calls, merged as the exporter merges them (collectForExport).
    const merged: Snapshot[] = [];
    const pending: Partial<Record<'tcp' | 'udp', Snapshot>>[] = [];
    for (const { o, snap } of calls) {
      const kind = o?.protocols?.[0] === 'udp' ? 'udp' : 'tcp';
      const slot = pending.find((p) => !p[kind]) ?? (pending.push({}), pending[pending.length - 1]!);
      slot[kind] = snap;
    }
    for (const { tcp, udp } of pending) {
      assert.ok(tcp && udp, 'each collection a tcp and a udp call');
      merged.push({ ...tcp, sockets: [...tcp.sockets.filter((s) => s.protocol === 'tcp'), ...udp.sockets.filter((s) => s.protocol === 'udp')], durationMs: Math.max(tcp.durationMs, udp.durationMs), notes: [...new Set([...tcp.notes, ...udp.notes])] });
    }
    assert.equal(merged.length, COLLECTIONS);
    const metrics = new SocketMetrics();
    const w = historyWindowFor({});
    let history: Snapshot[] = [];
    let recs: ReturnType<typeof evaluateRules> = [];
    for (const snap of merged) {
      history = keepHistory(history, snap, w);
      recs = evaluateRules(makeContext({ snapshot: snap, history }));
      metrics.update(snap, recs);
    }
    assert.equal(ex.historyLength(), history.length);
    const entries = history.slice(0, history.length - w.wholeLast!);
    assert.ok(entries.length > 0, 'window entries in the history');
    for (const e of entries) assert.ok(outgoingTcpOf(e), 'the replay keeps the outgoing arrays');
    // The comparison is not vacuous: the CLOSE_WAIT finding on the port, from the history.
    assert.ok(recs.some((r) => r.id === 'close-wait-accumulating' && r.port === port), recs.map((r) => `${r.id}:${r.port}`).join(', '));
    assert.match(served, new RegExp(`sockscope_recommendation\\{id="close-wait-accumulating",severity="\\w+",port="${port}",peer_port=""\\} 1`));
    assert.equal(served, await metrics.text());
  } finally {
    await ex?.close();
    pairs.destroy();
  }
});
