// sockscope_recommendation's `port` is the local port, as everywhere else in sockscope; a finding about
// outgoing connections puts the destination port in `peer_port`, and those are bounded on a client host.
// Review: `port` took `r.port ?? r.peerPort`, so 3 SYN_SENT to each of 200 ports made 200 series with
// port="<destination port>". Here, in namespaces of the test's own (a veth pair, an nft rule in the far one
// that drops the SYNs), 3 connections to each of 30 ports hang in SYN_SENT; the exporter runs beside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startCli } from '../helpers/exporter.js';
import { waitFor } from '../helpers/free-port.js';
import { deleteNetns, netnsHolder, vethPair } from '../helpers/netns.js';
import { MAX_PEER_PORT_SERIES } from '../../src/export/metrics.js';

const PORTS = Array.from({ length: 30 }, (_, i) => 7000 + i);

test('syn-sent-unanswered to 30 destination ports: port="" and peer_port bounded, the rest under "other"', { timeout: 90_000 }, async (t) => {
  assert.equal(spawnSync('nft', ['--version']).error, undefined, 'nft (Debian package nftables) is required');
  const ns = `sscpp-a-${process.pid}`;
  const far = `sscpp-b-${process.pid}`;
  t.after(() => {
    deleteNetns(ns);
    deleteNetns(far);
  });
  vethPair(ns, far, 'ppa0', 'ppb0', '10.77.0');
  const rules = `table inet sockscope_test {\n  chain input {\n    type filter hook input priority 0\n    tcp dport ${PORTS[0]}-${PORTS.at(-1)} drop\n  }\n}\n`;
  const nft = spawnSync('ip', ['netns', 'exec', far, 'nft', '-f', '-'], { input: rules, encoding: 'utf8' });
  assert.equal(nft.status, 0, `nft: ${nft.stderr}`);
  const holder = await netnsHolder(
    ns,
    `socks = []\nfor port in ${JSON.stringify(PORTS)}:\n  for i in range(3):\n    s = socket.socket(); s.setblocking(False)\n    try: s.connect(('10.77.0.2', port))\n    except BlockingIOError: pass\n    socks.append(s)`,
  );
  t.after(() => holder.kill('SIGKILL'));

  const { child: exporter } = await startCli(['export', '--listen', '127.0.0.1:9464', '--interval', '200ms'], { file: 'ip', pre: ['netns', 'exec', ns, process.execPath] });
  t.after(() => exporter.kill('SIGKILL'));
  const scrape = () => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'curl', '-sf', 'http://127.0.0.1:9464/metrics'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `curl: ${r.stderr}`);
    return r.stdout;
  };
  const series = (text: string) => text.split('\n').filter((l) => l.startsWith('sockscope_recommendation{id="syn-sent-unanswered"'));
  // Every destination found (30 findings), whichever series they are counted in.
  const text = await waitFor(
    'syn-sent-unanswered for the 30 destinations',
    () => {
      const s = scrape();
      return series(s).reduce((a, l) => a + Number(l.split(' ').pop()), 0) === PORTS.length ? s : undefined;
    },
    30_000,
    200,
  );
  const lines = series(text);
  for (const l of lines) assert.match(l, /^sockscope_recommendation\{id="syn-sent-unanswered",severity="warning",port="",peer_port="(\d+|other)"\} \d+$/, l);
  const byPeer = new Map(lines.map((l) => [/peer_port="([^"]+)"/.exec(l)![1]!, Number(l.split(' ').pop())]));
  // The lowest destination ports by number (one finding each), then the rest summed.
  assert.deepEqual([...byPeer.keys()].filter((k) => k !== 'other').map(Number).sort((a, b) => a - b), PORTS.slice(0, MAX_PEER_PORT_SERIES), text);
  assert.equal(byPeer.get('other'), PORTS.length - MAX_PEER_PORT_SERIES);
  // No destination port in `port`, the local port's label, anywhere.
  assert.doesNotMatch(text, /^sockscope_recommendation\{[^}]*,port="7\d\d\d"/m);
  assert.doesNotMatch(text, /^sockscope_sockets\{[^}]*port="7\d\d\d"/m);
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
});
