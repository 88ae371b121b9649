// review-churn #6: every short-lived TCP listener on an ephemeral port (listen() on port 0) made ~16 new
// series (11 sockscope_sockets states, 5 listen_*): 40 listeners of 3 s each gave 705 port-labelled series in
// 23 s of scrapes. A TCP listener in ip_local_port_range now counts under port="other" until it has been
// seen for EPHEMERAL_LISTENER_MIN_AGE_MS; one that stays gets its series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createSource } from '../../src/collect/index.js';
import { EPHEMERAL_LISTENER_MIN_AGE_MS, SocketMetrics } from '../../src/export/metrics.js';
import { startExporter } from '../../src/export/server.js';
import { fakeSnapshot, listener, tcp } from '../helpers/fake-snapshot.js';

const listen0 = () =>
  new Promise<Server>((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => res(s));
  });
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const portOf = (s: Server) => (s.address() as { port: number }).port;
/** The port label values of the series in a scrape. */
const portLabels = (text: string) => new Set([...text.matchAll(/^sockscope_[a-z_]+\{[^}]*\bport="([^"]+)"/gm)].map((m) => m[1]));

test('exporter: 40 short-lived listeners on port 0 make no series of their own (real sockets, scraped)', { timeout: 60_000 }, async (t) => {
  const ex = await startExporter({ source: createSource('auto'), host: '127.0.0.1', port: 0, intervalMs: 150 });
  t.after(() => ex.close());
  await ex.ready;
  const url = `http://127.0.0.1:${ex.address.port}/metrics`;
  const ports = new Set<number>();
  const labels = new Set<string>();
  let otherListen = 0;
  let stop = false;
  const scraper = (async () => {
    for (let i = 0; i < 200 && !stop; i++) {
      const text = await (await fetch(url)).text();
      for (const p of portLabels(text)) labels.add(p);
      const m = /^sockscope_sockets\{protocol="tcp",port="other",state="LISTEN"\} (\d+)/m.exec(text);
      if (m) otherListen = Math.max(otherListen, Number(m[1]));
      await sleep(100);
    }
  })();
  // 40 listeners, one every 100 ms, each closed after 500 ms (over three collections): at most 6 at once.
  const live: Server[] = [];
  for (let i = 0; i < 40; i++) {
    const s = await listen0();
    ports.add(portOf(s));
    live.push(s);
    if (live.length > 5) await close(live.shift()!);
    await sleep(100);
  }
  for (const s of live) await close(s);
  await sleep(400);
  stop = true;
  await scraper;
  // listen() on port 0 takes a port in ip_local_port_range.
  const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  assert.ok([...ports].every((p) => p >= lo && p <= hi), `${[...ports].join(',')} in ${lo}-${hi}`);
  const leaked = [...ports].filter((p) => labels.has(String(p)));
  assert.deepEqual(leaked, [], `ports of short-lived listeners labelled in scrapes: ${leaked.join(', ')}`);
  // They were seen: counted under port="other".
  assert.ok(otherListen >= 1, 'the listeners were counted under port="other"');
});

test('a listener on an ephemeral port gets its series once it has stayed (real listener, real collector)', { timeout: 30_000 }, async (t) => {
  const srv = await listen0();
  t.after(() => close(srv));
  const port = String(portOf(srv));
  const m = new SocketMetrics({ ephemeralListenerMinAgeMs: 1_000 });
  const source = createSource('auto');
  const scrape = async () => {
    m.update(await source.collect({ protocols: ['tcp'], port: portOf(srv), processes: 'listeners' }), []);
    return m.text();
  };
  const young = await scrape();
  assert.ok(!portLabels(young).has(port), young);
  assert.match(young, /^sockscope_sockets\{protocol="tcp",port="other",state="LISTEN"\} 1$/m);
  await sleep(1_200);
  const old = await scrape();
  assert.match(old, new RegExp(`^sockscope_sockets\\{protocol="tcp",port="${port}",state="LISTEN"\\} 1$`, 'm'));
  assert.match(old, new RegExp(`^sockscope_listen_sockets\\{protocol="tcp",port="${port}",address="127\\.0\\.0\\.1"\\} 1$`, 'm'));
  assert.ok(!/port="other",state="LISTEN"/.test(old), old);
});

test('ephemeral-range TCP listeners: folded with their connections until the minimum age; fixed ports at once; age forgotten when gone', async () => {
  assert.equal(EPHEMERAL_LISTENER_MIN_AGE_MS, 120_000);
  const m = new SocketMetrics();
  const sysctls = { 'net.ipv4.ip_local_port_range': '32768\t60999' };
  const at = (sec: number, sockets: ReturnType<typeof tcp>[]) => fakeSnapshot({ time: 1_700_000_000_000 + sec * 1000, sysctls, sockets });
  const grpc = [listener('0.0.0.0:50051', 128), tcp('10.0.0.1:50051', '10.0.0.9:41000', 'ESTABLISHED'), listener('0.0.0.0:8080', 511)];
  m.update(at(0, grpc), []);
  let text = await m.text();
  assert.ok(!portLabels(text).has('50051'), text);
  assert.ok(portLabels(text).has('8080'), 'a port outside the range has its series at once');
  assert.match(text, /sockscope_sockets\{protocol="tcp",port="other",state="ESTABLISHED"\} 1/);
  m.update(at(119, grpc), []);
  assert.ok(!portLabels(await m.text()).has('50051'));
  m.update(at(120, grpc), []);
  text = await m.text();
  assert.match(text, /sockscope_sockets\{protocol="tcp",port="50051",state="ESTABLISHED"\} 1/);
  assert.match(text, /sockscope_listen_backlog\{protocol="tcp",port="50051",address="0\.0\.0\.0"\} 128/);
  // Gone for one collection: a listener there later starts again from 0.
  m.update(at(121, [listener('0.0.0.0:8080', 511)]), []);
  m.update(at(122, grpc), []);
  assert.ok(!portLabels(await m.text()).has('50051'));
});
