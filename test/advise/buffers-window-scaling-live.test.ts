// Window scaling not negotiated, on a real loopback connection: a network namespace made for the test with
// net.ipv4.tcp_window_scaling = 0, a python3 sender and fast reader moving 1.5 s of data (rwnd-limited
// about half its busy time under a 64 KiB window: 53% measured), then `sockscope buffers --json` in the
// namespace from netlink and from ss. Before TcpInfo.windowScaling the two disagreed: netlink reported
// scales 0 (the SO_RCVBUF wscale-0 wording), ss printed no wscale at all (another verdict).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const NS = `ssc-wscale-${process.pid}`;
const PORT = 5201;
let holder: ChildProcess | undefined;

after(() => {
  holder?.kill();
  deleteNetns(NS);
});

test('tcp_window_scaling=0: netlink and ss both say window scaling is not in use (not negotiated)', async () => {
  createNetns(NS);
  const sysctl = spawnSync('ip', ['netns', 'exec', NS, 'sysctl', '-w', 'net.ipv4.tcp_window_scaling=0'], { encoding: 'utf8' });
  assert.equal(sysctl.status, 0, sysctl.stderr);
  holder = await netnsHolder(
    NS,
    `import threading
ls = socket.socket(); ls.bind(('127.0.0.1', ${PORT})); ls.listen(1)
c = socket.create_connection(('127.0.0.1', ${PORT})); a, _ = ls.accept()
def rd():
    while a.recv(1 << 20): pass
threading.Thread(target=rd, daemon=True).start()
buf = b'x' * 65536; end = time.time() + 1.5
while time.time() < end: c.sendall(buf)`,
  );
  const verdicts: Record<string, string> = {};
  for (const source of ['netlink', 'ss']) {
    const r = spawnSync('ip', ['netns', 'exec', NS, BIN, 'buffers', '--port', String(PORT), '--source', source, '--json'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.status, 0, `${source}: ${r.stderr}`);
    const conns = (JSON.parse(r.stdout) as { connections: { local: string; verdict: string }[] }).connections;
    const rx = conns.find((c) => c.local === `127.0.0.1:${PORT}`);
    assert.ok(rx, `${source}: the receiving connection in ${JSON.stringify(conns.map((c) => c.local))}`);
    verdicts[source] = rx.verdict;
  }
  for (const [source, v] of Object.entries(verdicts)) {
    assert.match(v, /rwnd-limited \d+% of busy time; window scaling is not in use on this connection \(not negotiated: /, `${source}: ${v}`);
    assert.doesNotMatch(v, /advertises window scale 0|SO_RCVBUF/, source);
  }
  // The same cause and fix from both sources (the rate and rtt may move between the two reads).
  const tail = (v: string) => v.replace(/^.*?; window scaling/, 'window scaling').replace(/; at rtt [^:]*:/, ':');
  assert.equal(tail(verdicts.netlink!), tail(verdicts.ss!));
});
