// The exporter's documented request timeouts (headers 5 s, whole request 10 s) hold for real slow clients on
// loopback. Node checks them only every connectionsCheckingInterval (30 s by default): a client trickling
// headers was closed after 27.9 s and a silent one after 14.5 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { SocketSource } from '../../src/collect/source.js';
import { startExporter } from '../../src/export/server.js';
import { fakeSnapshot, listener } from '../helpers/fake-snapshot.js';

/** Connects, sends `first` then `each` every 500 ms (at most 40 times), and resolves when the server closes: after how long and what it said. */
function slowClient(port: number, first: string, each: string): Promise<{ seconds: number; reply: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let reply = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const s = connect(port, '127.0.0.1', () => {
      if (first) s.write(first);
      if (each) {
        timer = setInterval(() => {
          if (++sent > 40 || s.destroyed) clearInterval(timer);
          else s.write(each);
        }, 500);
      }
    });
    s.setEncoding('utf8');
    s.on('data', (d) => (reply += d));
    s.on('error', () => {}); // a reset after the 408 is a close too
    s.on('close', () => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - t0) / 1000, reply });
    });
    // The bound of the test: the unfixed check ran 30 s after the server started.
    setTimeout(() => {
      s.destroy();
      reject(new Error(`still open after 20 s (reply so far: ${JSON.stringify(reply)})`));
    }, 20_000).unref();
  });
}

test('export: a client that never ends its headers or says nothing is closed 5-6 s after it connected, one that trickles its body at 10-11 s', { timeout: 40_000 }, async (t) => {
  const source: SocketSource = { name: 'ss', collect: async () => fakeSnapshot({ sockets: [listener('0.0.0.0:8080', 128)] }) };
  const exporter = await startExporter({ source, host: '127.0.0.1', port: 0, intervalMs: 1_000 });
  t.after(() => exporter.close());
  await exporter.ready;
  const port = exporter.address.port;
  // A header line or a body byte every 500 ms keeps the connection busy (no idle timeout applies).
  const [trickle, silent, body] = await Promise.all([
    slowClient(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'),
    slowClient(port, '', ''),
    slowClient(port, 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n', 'x'),
  ]);
  t.diagnostic(`closed after: trickling headers ${trickle.seconds.toFixed(2)} s, silent ${silent.seconds.toFixed(2)} s, trickling body ${body.seconds.toFixed(2)} s`);
  for (const [name, r] of [['trickling headers', trickle], ['silent', silent]] as const) {
    assert.ok(r.seconds >= 4.5 && r.seconds <= 7.5, `${name} client closed after ${r.seconds.toFixed(1)} s (headers timeout 5 s, checked every second)`);
    assert.match(r.reply, /^HTTP\/1\.1 408/, `${name}: a 408`);
  }
  // The scrape is answered at once (the handler does not read the body); the connection ends at the request timeout.
  assert.ok(body.seconds >= 9.5 && body.seconds <= 12.5, `trickling body closed after ${body.seconds.toFixed(1)} s (request timeout 10 s)`);
  assert.match(body.reply, /^HTTP\/1\.1 200/);
  // The server still answers a normal scrape.
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(r.status, 200);
});
