// The exporter keeps the rules' history thinned to their window, as the monitor does: with a collection
// every 5 s it used to keep the last 60 snapshots (60 copies of every socket of the host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CollectOptions, SocketSource } from '../../src/collect/source.js';
import { startExporter } from '../../src/export/server.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeSnapshot, incoming, listener } from '../helpers/fake-snapshot.js';

test('exporter: the history holds the rules window (thinned), not every snapshot', { timeout: 30_000 }, async () => {
  let n = 0;
  const start = Date.now();
  // Snapshots 5 s apart in their own clock, collected as fast as the exporter's timer allows.
  const source: SocketSource = {
    name: 'ss',
    async collect(_o?: CollectOptions): Promise<Snapshot> {
      const s = fakeSnapshot({ sockets: [listener('0.0.0.0:8080', 128), ...incoming(20, '10.0.0.1:8080', 'ESTABLISHED')] });
      return { ...s, time: start + 5_000 * n++ };
    },
  };
  const ex = await startExporter({ source, host: '127.0.0.1', port: 0, intervalMs: 1 });
  try {
    await ex.ready;
    const deadline = Date.now() + 20_000;
    while (n < 80 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.ok(n >= 80, `80 collections (${n})`);
    // 60 s window in 6 buckets plus the last 4 (persistSamples 3 + 1): at most 4 + 7.
    assert.ok(ex.historyLength() <= 11, `history of ${ex.historyLength()} snapshots`);
    assert.ok(ex.historyLength() >= 4);
    const res = await fetch(`http://127.0.0.1:${ex.address.port}/metrics`);
    assert.equal(res.status, 200);
  } finally {
    await ex.close();
  }
});
