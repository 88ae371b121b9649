// Kernel counters whose value the exporter does not know are absent from /metrics, never 0: before its first
// collection has finished (a restart), and while /proc cannot be read. A 0 followed by the real value is a
// counter reset plus a rise of the whole value to rate() and increase(): every exporter restart looked like
// a burst of 2,749 listen overflows and 3.5 million segments sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSource } from '../../src/collect/index.js';
import type { CollectOptions, SocketSource } from '../../src/collect/source.js';
import { SocketMetrics } from '../../src/export/metrics.js';
import { startExporter } from '../../src/export/server.js';
import { fakeSnapshot } from '../helpers/fake-snapshot.js';
import { startCli } from '../helpers/exporter.js';
import { freeLowPort, freePort, waitFor } from '../helpers/free-port.js';

/** Every sample line of a host counter (sockscope_tcp_*_total, sockscope_udp_*_errors_total{family}), and the collection time/duration gauges. */
function counterLines(text: string): string[] {
  return text.split('\n').filter((l) => /^sockscope_(tcp_[a-z_]+_total|udp_[a-z_]+_errors_total|last_collection_timestamp_seconds|collection_duration_seconds)(\{[^}]*\})? /.test(l));
}

function value(text: string, name: string): number | undefined {
  const l = text.split('\n').find((x) => x.startsWith(`${name} `));
  return l === undefined ? undefined : Number(l.split(' ')[1]);
}

/** TcpExt ListenOverflows as the kernel reports it now. */
function kernelListenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0].split(/\s+/);
  return Number(lines[1].split(/\s+/)[names.indexOf('ListenOverflows')]);
}

async function scrape(port: number): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  return { status: r.status, body: await r.text() };
}

test('SocketMetrics: host counters are absent until a snapshot gives them, and again when a snapshot cannot read them', async () => {
  const m = new SocketMetrics();
  assert.deepEqual(counterLines(await m.text()), [], 'nothing collected yet: no counter and no collection time');
  assert.match(await m.text(), /# TYPE sockscope_tcp_listen_overflows_total counter/, 'the metric is still declared');

  const known = fakeSnapshot({ sockets: [] });
  known.counters = {
    netstat: { TcpExt: { ListenOverflows: 2749, ListenDrops: 2750, TCPTimeouts: 7 } },
    snmp: { Tcp: { RetransSegs: 11, OutSegs: 3_500_000 }, Udp: { InErrors: 5, RcvbufErrors: 4, SndbufErrors: 0, InCsumErrors: 0, MemErrors: 0 } },
    sockstat: null,
  };
  m.update(known, []);
  const text = await m.text();
  assert.equal(value(text, 'sockscope_tcp_listen_overflows_total'), 2749);
  assert.equal(value(text, 'sockscope_tcp_out_segments_total'), 3_500_000);
  assert.equal(value(text, 'sockscope_udp_in_errors_total{family="ipv4"}'), 5);
  assert.equal(value(text, 'sockscope_udp_in_errors_total{family="ipv6"}'), undefined, 'no Udp6 section: no ipv6 series');

  // /proc/net/netstat unreadable now (null table), snmp without Tcp: no sample, neither 0 nor the older 2749.
  m.update({ ...known, counters: { netstat: null, snmp: { Udp: { InErrors: 6 } }, sockstat: null } }, []);
  const after = await m.text();
  for (const name of ['sockscope_tcp_listen_overflows_total', 'sockscope_tcp_listen_drops_total', 'sockscope_tcp_timeouts_total', 'sockscope_tcp_out_segments_total', 'sockscope_tcp_retransmitted_segments_total']) {
    assert.equal(value(after, name), undefined, `${name} while its table is unknown:\n${counterLines(after).join('\n')}`);
  }
  assert.equal(value(after, 'sockscope_udp_in_errors_total{family="ipv4"}'), 6);
  assert.equal(value(after, 'sockscope_udp_receive_buffer_errors_total{family="ipv4"}'), undefined);

  // A source with no counters at all (every table null).
  const none = new SocketMetrics();
  none.update({ ...known, counters: { netstat: null, snmp: null, sockstat: null } }, []);
  const noneText = await none.text();
  assert.deepEqual(
    counterLines(noneText).filter((l) => !/^sockscope_(last_collection|collection_duration)/.test(l)),
    [],
  );
  assert.ok(value(noneText, 'sockscope_last_collection_timestamp_seconds')! > 0);
});

test('startExporter: a scrape before the first collection has finished shows no host counter; after it, the kernel values', { timeout: 30_000 }, async (t) => {
  // The real netlink source, its first collection held back 1.5 s (the one test-only part: a collection of
  // 100,000 sockets takes that long); the OS reads themselves are the real ones.
  const real = createSource('netlink');
  const gate = new Promise((r) => setTimeout(r, 1500));
  const source: SocketSource = {
    name: real.name,
    async collect(o?: CollectOptions) {
      await gate;
      return real.collect(o);
    },
  };
  const before = kernelListenOverflows();
  const exporter = await startExporter({ source, host: '127.0.0.1', port: 0, intervalMs: 60_000 });
  t.after(() => exporter.close());
  const early = await scrape(exporter.address.port);
  assert.equal(early.status, 200);
  assert.deepEqual(counterLines(early.body), [], 'host counters served before the first collection');
  assert.equal(value(early.body, 'sockscope_collections_total'), 0);
  await exporter.ready;
  const late = (await scrape(exporter.address.port)).body;
  const overflows = value(late, 'sockscope_tcp_listen_overflows_total');
  assert.ok(overflows !== undefined && overflows >= before && overflows <= kernelListenOverflows(), `listen overflows ${overflows}, kernel ${before}..${kernelListenOverflows()}`);
  assert.ok(value(late, 'sockscope_tcp_out_segments_total')! > 0);
  assert.ok(value(late, 'sockscope_udp_in_errors_total{family="ipv4"}') !== undefined);
});

test('sockscope export: a scrape while its first collection runs (a slow ss) shows no host counter at 0', { timeout: 60_000 }, async (t) => {
  const ss = spawnSync('sh', ['-c', 'command -v ss'], { encoding: 'utf8' }).stdout.trim();
  assert.ok(ss, 'ss (iproute2) is needed');
  // The real ss, started 1.5 s late: a first collection as slow as a busy host's.
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-slow-ss-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ss'), `#!/bin/sh\nsleep 1.5\nexec ${ss} "$@"\n`);
  chmodSync(join(dir, 'ss'), 0o755);
  const port = await freePort();
  const { child } = await startCli(['export', '--source', 'ss', '--listen', `127.0.0.1:${port}`, '--interval', '10s'], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  t.after(() => child.kill('SIGKILL'));
  const seen: string[] = [];
  const t0 = Date.now();
  let scrapes = 0;
  while (Date.now() - t0 < 1000) {
    const r = await scrape(port);
    assert.equal(r.status, 200);
    scrapes++;
    seen.push(...counterLines(r.body));
    await new Promise((res) => setTimeout(res, 20));
  }
  assert.ok(scrapes > 5);
  assert.deepEqual(seen, [], 'host counters while the first collection ran');
  const body = await waitFor('the first collection', async () => {
    const r = await scrape(port);
    return value(r.body, 'sockscope_collections_total')! >= 1 ? r.body : undefined;
  });
  assert.ok(value(body, 'sockscope_tcp_listen_overflows_total')! >= 0);
  assert.ok(value(body, 'sockscope_tcp_out_segments_total')! > 0, counterLines(body).join('\n'));
});

test('sockscope export: with /proc unreadable the host counters are absent, not 0', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root for a mount namespace');
  // A mount namespace with an empty tmpfs over /proc: /proc/net/netstat and snmp cannot be read; the netlink
  // dumps still work, so collections succeed. A port below the ephemeral range gets its own series at once.
  const port = await freeLowPort();
  const { child } = await startCli(
    ['export', '--source', 'netlink', '--listen', `127.0.0.1:${port}`, '--interval', '200ms'],
    { file: 'unshare', pre: ['-m', 'sh', '-c', 'mount --make-rprivate / && mount -t tmpfs none /proc && exec "$0" "$@"', process.execPath] },
  );
  t.after(() => child.kill('SIGKILL'));
  const body = await waitFor('two collections', async () => {
    const r = await scrape(port);
    return value(r.body, 'sockscope_collections_total')! >= 2 ? r.body : undefined;
  });
  assert.equal(value(body, 'sockscope_collection_errors_total'), 0);
  assert.match(body, new RegExp(`^sockscope_listen_sockets\\{protocol="tcp",port="${port}",address="127.0.0.1"\\} 1$`, 'm'), 'the collection itself worked');
  assert.deepEqual(
    counterLines(body).filter((l) => !/^sockscope_(last_collection|collection_duration)/.test(l)),
    [],
  );
});
