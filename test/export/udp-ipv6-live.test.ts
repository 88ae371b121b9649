// review-udp #3 end to end: the exporter, run in a network namespace of the test's own, shows an IPv6 UDP
// socket's drops in sockscope_udp_receive_buffer_errors_total{family="ipv6"}, in the per-port series and in
// a udp-socket-drops recommendation (the IPv4-only series stayed flat at its old value). Bounded: 6 rounds
// of 200 datagrams, 0.5 s apart; the exporter is killed at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const NS = `sockscope-udpexp-${process.pid}`;

/**
 * One scrape from inside the namespace, with Node's http (no curl: not every machine has it): the page, or why
 * there is none (the exporter not listening yet, an HTTP status, ip netns failing), said in the test's failure.
 */
function scrape(): { text: string; why?: string } {
  const get = `require('http').get('http://127.0.0.1:19464/metrics', { timeout: 5000 }, (res) => {
    let body = '';
    res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => {
      if (res.statusCode !== 200) { process.stderr.write('HTTP ' + res.statusCode); process.exit(1); }
      process.stdout.write(body);
    });
  }).on('timeout', function () { this.destroy(new Error('no answer in 5 s')); }).on('error', (e) => { process.stderr.write(e.message); process.exit(1); });`;
  const r = spawnSync('ip', ['netns', 'exec', NS, process.execPath, '-e', get], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return { text: '', why: `ip netns exec ${NS} node: ${r.error.message}` };
  if (r.status !== 0) return { text: '', why: `scrape exit ${r.status ?? r.signal}: ${r.stderr.trim() || '(no message)'}` };
  return { text: r.stdout };
}

test('exporter in a namespace: IPv6 UDP drops reach the family="ipv6" counter, the per-port series and a recommendation', { timeout: 120_000 }, async (t) => {
  createNetns(NS);
  const procs: ChildProcess[] = [];
  t.after(() => {
    for (const p of procs) p.kill('SIGKILL');
    deleteNetns(NS);
  });
  procs.push(
    await netnsHolder(
      NS,
      [
        'a = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)',
        'a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
        "a.bind(('::1', 6006))",
        'import threading',
        'def feed():',
        '    tx = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)',
        '    for r in range(6):',
        "        for i in range(200): tx.sendto(b'x' * 500, ('::1', 6006))",
        '        time.sleep(0.5)',
        'threading.Thread(target=lambda: (time.sleep(1.5), feed()), daemon=True).start()',
      ].join('\n'),
    ),
  );
  const exporter = spawn('ip', ['netns', 'exec', NS, 'bin/sockscope', 'export', '--listen', '127.0.0.1:19464', '--interval', '500ms'], { stdio: ['ignore', 'ignore', 'inherit'] });
  procs.push(exporter);
  let text = '';
  let why: string | undefined;
  const deadline = Date.now() + 30_000;
  // Until the feed is over and the rules have seen the rise (at most 30 s).
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    ({ text, why } = scrape());
    const v6 = Number(/^sockscope_udp_receive_buffer_errors_total\{family="ipv6"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    if (v6 >= 1000 && /sockscope_recommendation\{id="udp-socket-drops"/.test(text)) break;
  }
  const v6 = Number(/^sockscope_udp_receive_buffer_errors_total\{family="ipv6"\} (\d+)$/m.exec(text)?.[1] ?? -1);
  const v4 = Number(/^sockscope_udp_receive_buffer_errors_total\{family="ipv4"\} (\d+)$/m.exec(text)?.[1] ?? -1);
  assert.equal(why, undefined, `the last scrape failed: ${why}`);
  assert.ok(v6 >= 1000, `ipv6 rcvbuf errors ${v6}\n${text.split('\n').filter((l) => l.includes('udp')).join('\n')}`);
  assert.equal(v4, 0);
  const drops = Number(/^sockscope_udp_socket_drops_total\{port="6006",address="::1"\} (\d+)$/m.exec(text)?.[1] ?? -1);
  assert.ok(drops >= 1000, `per-port drops ${drops}`);
  assert.match(text, /^sockscope_udp_receive_buffer_fill_max\{port="6006",address="::1"\} 0\.\d+$/m);
  assert.match(text, /^sockscope_recommendation\{id="udp-socket-drops",severity="warning",port="6006",peer_port=""\} 1$/m);
  assert.match(text, /^sockscope_recommendation\{id="udp-receive-errors",severity="warning",port="",peer_port=""\} 1$/m);
});
