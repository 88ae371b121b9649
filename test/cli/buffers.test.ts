// `sockscope buffers` end to end through the built CLI: link sizing, --json, strict units, and live
// connections on loopback (by --port and by --pid/--socket-fd).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

const run = (...args: string[]) => spawnSync('bin/sockscope', args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1', DEFAULT_BUFFER_SIZE: '8192' } });

test('buffers --bandwidth 10gbit --rtt 80ms: BDP, buffers, sysctl lines, code, defaults', () => {
  const r = run('buffers', '--bandwidth', '10gbit', '--rtt', '80ms');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Kernel caps: net\.core\.rmem_max \d+/);
  assert.match(r.stdout, /Bandwidth-delay product: 10gbit \(10 Gbit\/s\) x 80 ms = 100000000 bytes \(95\.4 MiB\)/);
  assert.match(r.stdout, /SO_RCVBUF \/ SO_SNDBUF {2}100007936/);
  assert.match(r.stdout, /net\.ipv4\.tcp_rmem = \d+ \d+ 268435456/);
  assert.match(r.stdout, /setsockopt\(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf\)/);
  assert.match(r.stdout, /sock\.setsockopt\(socket\.SOL_SOCKET, socket\.SO_RCVBUF, 100007936\)/);
  assert.match(r.stdout, /recvBufferSize: 100007936/);
  assert.match(r.stdout, /Generated servers read with a 8192-byte buffer \(bufferSize 8192, from environment DEFAULT_BUFFER_SIZE/);
});

test('buffers --json is one document with the plan, code and defaults', () => {
  const r = run('buffers', '--bandwidth', '1gbit', '--rtt', '10ms', '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.link.bdpBytes, 1_250_000);
  assert.equal(doc.link.bandwidthBytesPerSecond, 125_000_000);
  assert.deepEqual(Object.keys(doc.link.code), ['c', 'python', 'node']);
  assert.equal(doc.defaults.bufferSize, 8192);
  assert.equal(doc.defaults.origin, 'env');
  assert.deepEqual(doc.connections, []);
  assert.equal(doc.selection, null);
});

test('bad units and missing flags exit 2 with one line naming the flag', () => {
  const cases: [string[], RegExp][] = [
    [['--bandwidth', '10', '--rtt', '80ms'], /^sockscope: --bandwidth needs a unit/],
    [['--bandwidth', '10gbps', '--rtt', '80ms'], /^sockscope: --bandwidth: "gbps" is ambiguous/],
    [['--bandwidth', '10gbit', '--rtt', '80'], /^sockscope: --rtt needs a unit/],
    [['--bandwidth', '10gbit', '--rtt', '3 fortnights'], /^sockscope: --rtt/],
    [['--bandwidth', '10gbit'], /^sockscope: --bandwidth needs --rtt/],
    [['--rtt', '5ms'], /^sockscope: --rtt needs --bandwidth/],
    [[], /^sockscope: give --port P/],
    [['--pid', '1'], /^sockscope: --pid needs --socket-fd/],
    [['--pid', 'x', '--socket-fd', '3'], /^sockscope: --pid must be an integer/],
    [['--port', '70000'], /^sockscope: --port must be a port number 1-65535/],
  ];
  for (const [args, re] of cases) {
    const r = run('buffers', ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

// A loopback bulk transfer: the client writes for up to 30 s, the server reads; both in one child.
const BULK = String.raw`
const net = require('net');
setTimeout(() => process.exit(0), 30000);
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
const buf = Buffer.alloc(65536, 120);
const srv = net.createServer((c) => { c.on('data', () => {}); c.on('error', () => {}); });
srv.listen(0, '127.0.0.1', () => {
  const port = srv.address().port;
  const c = net.connect(port, '127.0.0.1', () => {
    const pump = () => { while (c.write(buf)); };
    c.on('drain', pump); pump();
    setTimeout(() => process.stdout.write(JSON.stringify({ port, pid: process.pid, fd: c._handle.fd }) + '\n'), 1000);
  });
  c.on('error', () => {});
});
`;

test('buffers --port and --pid/--socket-fd on a live loopback transfer: rtt, rate, BDP, buffers', async (t) => {
  const child = spawn(process.execPath, ['-e', BULK], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout! }).once('line', res);
    setTimeout(() => rej(new Error('bulk child did not report')), 15_000);
  });
  const info = JSON.parse(line) as { port: number; pid: number; fd: number };
  const r = run('buffers', '--port', String(info.port), '--json');
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.selection, `port ${info.port}`);
  // Other tests may leave TIME_WAIT sockets on a reused port number (other 127.x addresses): ours is the pid's.
  const mine = doc.connections.filter((x: { processes: { pid: number }[] }) => x.processes.some((p) => p.pid === info.pid));
  assert.equal(mine.length, 1, JSON.stringify(doc.connections));
  const c = mine[0];
  assert.equal(c.state, 'ESTABLISHED');
  assert.equal(c.processes[0].pid, info.pid);
  assert.ok(c.rttMs > 0, JSON.stringify(c));
  assert.ok(c.rcvbuf > 0 && c.sndbuf > 0);
  // The server only receives: it borrows the local sender's delivery rate.
  assert.equal(c.basis, 'peer-delivery-rate');
  assert.ok(c.bdpBytes > 0, JSON.stringify(c));
  // A window-limited transfer (loopback often is) measures only what the window allows: no size from it.
  if (c.bdpLowerBound) assert.equal(c.recommendedRcvbuf, null, JSON.stringify(c));
  else assert.ok(c.recommendedRcvbuf >= c.bdpBytes, JSON.stringify(c));
  const human = run('buffers', '--port', String(info.port));
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`sockscope buffers: port ${info.port} on `));
  assert.match(human.stdout, /Connections \(\d+\)/);
  // Or the last rate sample was app-limited (the sender had too little queued when it was taken): no size from it either.
  assert.match(human.stdout, /To fit the largest BDP here|limited by a buffer or window, so its measured rate is what the limit allows|is an app-limited sample, not the connection's rate/);
  const byFd = run('buffers', '--pid', String(info.pid), '--socket-fd', String(info.fd), '--json');
  assert.equal(byFd.status, 0, byFd.stderr);
  const d2 = JSON.parse(byFd.stdout);
  assert.equal(d2.selection, `pid ${info.pid} fd ${info.fd}`);
  assert.equal(d2.connections.length, 1);
  assert.equal(d2.connections[0].peer, `127.0.0.1:${info.port}`);
  assert.equal(d2.connections[0].basis, 'delivery-rate');
  assert.ok(d2.connections[0].deliveryRate > 0);
  const missing = run('buffers', '--pid', String(info.pid), '--socket-fd', '999');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /pid \d+ has no fd 999/);
});
