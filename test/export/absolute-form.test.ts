// A request in absolute-form (`GET http://HOST:PORT/metrics HTTP/1.1`, as a client sends through a proxy and as
// RFC 9112 3.2.2 says a server must accept) got 404: the path was compared with the whole request-target
// (review s17 export #3). Raw requests over a loopback socket to the real exporter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createSource } from '../../src/collect/index.js';
import { startExporter } from '../../src/export/server.js';

/** Sends `head` (request line and headers, CRLF-separated) and returns the whole response. */
function raw(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d) => (out += d));
    s.on('error', reject);
    s.on('end', () => resolve(out));
    s.write(`${head}\r\nConnection: close\r\n\r\n`);
  });
}

test('absolute-form and origin-form request targets reach the same pages', { timeout: 30_000 }, async (t) => {
  const ex = await startExporter({ source: createSource('auto'), host: '127.0.0.1', port: 0, intervalMs: 60_000 });
  t.after(() => ex.close());
  await ex.ready;
  const p = ex.address.port;
  const host = `Host: 127.0.0.1:${p}`;
  for (const target of [`http://127.0.0.1:${p}/metrics`, `http://localhost:${p}/metrics?x=1`, `HTTP://127.0.0.1:${p}/metrics`, '/metrics', '/metrics?x=1']) {
    const r = await raw(p, `GET ${target} HTTP/1.1\r\n${host}`);
    assert.match(r, /^HTTP\/1\.1 200 /, `${target}: ${r.slice(0, 200)}`);
    assert.match(r, /^sockscope_collections_total 1$/m, target);
  }
  for (const target of [`http://127.0.0.1:${p}/`, `http://127.0.0.1:${p}`, '/']) {
    const r = await raw(p, `GET ${target} HTTP/1.1\r\n${host}`);
    assert.match(r, /^HTTP\/1\.1 200 /, `${target}: ${r.slice(0, 200)}`);
    assert.match(r, /<a href="\/metrics">/, target);
  }
  // Other paths stay 404, in either form; "//metrics" is an origin-form path, not a host named "metrics".
  for (const target of [`http://127.0.0.1:${p}/nope`, '/nope', '//metrics', `http://127.0.0.1:${p}//metrics`]) {
    const r = await raw(p, `GET ${target} HTTP/1.1\r\n${host}`);
    assert.match(r, /^HTTP\/1\.1 404 /, `${target}: ${r.slice(0, 200)}`);
  }
});
