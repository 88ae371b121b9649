// Captures real NETLINK_SOCK_DIAG replies from this kernel into test/fixtures/netlink/*.bin, for the
// parser tests. It opens known sockets on loopback (listener with a pending connection, an established
// pair, CLOSE_WAIT, IPv6, UDP, unix with a space in its path and an abstract one), dumps them with a
// port filter (so the files hold only these sockets), and writes manifest.json describing them.
// Usage: node --import tsx scripts/capture-netlink.ts [outDir]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket as NetSocket } from 'node:net';
import { createSocket } from 'node:dgram';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkEndsDump } from '../src/collect/netlink-dump.js';
import { NetlinkSocket } from '../src/collect/netlink-socket.js';
import { AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, buildInetDiagRequest } from '../src/parse/inet-diag.js';
import { buildUnixDiagRequest } from '../src/parse/unix-diag.js';

const outDir = process.argv[2] ?? 'test/fixtures/netlink';

function listen(server: Server, ...args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    (server.listen as (...a: unknown[]) => void)(...args, () => resolve());
  });
}

function connectTo(opts: { host?: string; port?: number; path?: string }): Promise<NetSocket> {
  return new Promise((resolve, reject) => {
    const c = connect(opts as never, () => resolve(c));
    c.once('error', reject);
  });
}

/** Dumps with synchronous recv and returns every chunk concatenated (chunks hold whole messages). */
async function capture(req: Buffer): Promise<Buffer> {
  const s = await NetlinkSocket.open(5000);
  const buf = Buffer.alloc(256 * 1024);
  const parts: Buffer[] = [];
  try {
    await s.send(req);
    for (;;) {
      const n = s.recvSync(buf);
      parts.push(Buffer.from(buf.subarray(0, n)));
      if (chunkEndsDump(buf, n)) break;
    }
  } finally {
    s.close();
  }
  return Buffer.concat(parts);
}

const opened: { close(): unknown }[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-capture-'));
try {
  // TCP over IPv4: a listener (backlog 7) with one connection not yet accepted, an accepted pair, and a
  // pair where the client closed its side (server socket stays in CLOSE_WAIT: allowHalfOpen).
  const accepted: NetSocket[] = [];
  opened.push({ close: () => accepted.forEach((s) => s.destroy()) });
  const srv = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => accepted.push(c));
  await listen(srv, { host: '127.0.0.1', port: 0, backlog: 7 });
  opened.push(srv);
  const tcpPort = (srv.address() as { port: number }).port;
  const c1 = await connectTo({ host: '127.0.0.1', port: tcpPort });
  c1.write('hello, kernel'); // sits unread in the server's receive queue (paused)
  const c2 = await connectTo({ host: '127.0.0.1', port: tcpPort });
  opened.push({ close: () => c1.destroy() }, { close: () => c2.destroy() });
  await new Promise((r) => setTimeout(r, 50));
  c2.end(); // FIN: server side -> CLOSE_WAIT, client side -> FIN_WAIT2
  await new Promise((r) => setTimeout(r, 100));

  // A second IPv4 listener that never accepts (a python child: Node always accepts), so connections
  // wait in the kernel accept queue: LISTEN Recv-Q = 2, Send-Q = backlog 3.
  const py = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(3)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(30)'], { stdio: ['ignore', 'pipe', 'inherit'] });
  opened.push({ close: () => py.kill() });
  const qPort = await new Promise<number>((resolve, reject) => {
    py.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    py.once('error', reject);
  });
  const queued: NetSocket[] = [];
  for (let i = 0; i < 2; i++) queued.push(await connectTo({ host: '127.0.0.1', port: qPort }));
  opened.push({ close: () => queued.forEach((s) => s.destroy()) });

  // TCP over IPv6 on ::1.
  const srv6 = createServer({ pauseOnConnect: true }, (c) => accepted.push(c));
  await listen(srv6, { host: '::1', port: 0, backlog: 5, ipv6Only: true });
  opened.push(srv6);
  const tcp6Port = (srv6.address() as { port: number }).port;
  const c6 = await connectTo({ host: '::1', port: tcp6Port });
  opened.push({ close: () => c6.destroy() });

  // UDP: a bound IPv4 socket and a connected IPv6 one.
  const u4 = createSocket('udp4');
  await new Promise<void>((r) => u4.bind(0, '127.0.0.1', () => r()));
  const udpPort = u4.address().port;
  const u6 = createSocket({ type: 'udp6', ipv6Only: true });
  await new Promise<void>((r) => u6.bind(0, '::1', () => r()));
  const udp6Port = u6.address().port;
  const u6c = createSocket({ type: 'udp6', ipv6Only: true });
  await new Promise<void>((r) => u6c.connect(udp6Port, '::1', () => r()));
  u6c.send('ping'); // queued unread on u6
  opened.push(u4, u6, u6c);
  await new Promise((r) => setTimeout(r, 50));

  // unix: a listener whose path has a space, a connected client, and an abstract-name listener.
  const unixPath = join(tmp, 'unix sock');
  const us = createServer({ pauseOnConnect: true }, (c) => accepted.push(c));
  await listen(us, { path: unixPath, backlog: 4 });
  opened.push(us);
  const uc = await connectTo({ path: unixPath });
  opened.push({ close: () => uc.destroy() });
  const abstractName = `sockscope-capture-${process.pid}`;
  const ua = createServer();
  await listen(ua, { path: `\0${abstractName}` });
  opened.push(ua);
  await new Promise((r) => setTimeout(r, 50));

  mkdirSync(outDir, { recursive: true });
  const files: Record<string, Buffer> = {
    'tcp4.bin': await capture(buildInetDiagRequest({ family: AF_INET, protocol: IPPROTO_TCP, port: tcpPort, peerPort: tcpPort })),
    'tcp4-details.bin': await capture(buildInetDiagRequest({ family: AF_INET, protocol: IPPROTO_TCP, details: true, port: tcpPort, peerPort: tcpPort })),
    'tcp4-queue.bin': await capture(buildInetDiagRequest({ family: AF_INET, protocol: IPPROTO_TCP, port: qPort })),
    'tcp6-details.bin': await capture(buildInetDiagRequest({ family: AF_INET6, protocol: IPPROTO_TCP, details: true, port: tcp6Port, peerPort: tcp6Port })),
    'udp4.bin': await capture(buildInetDiagRequest({ family: AF_INET, protocol: IPPROTO_UDP, port: udpPort })),
    'udp6.bin': await capture(buildInetDiagRequest({ family: AF_INET6, protocol: IPPROTO_UDP, port: udp6Port, peerPort: udp6Port })),
    // The unix dump cannot be filtered by the kernel; the test looks for the sockets named in the manifest.
    'unix.bin': await capture(buildUnixDiagRequest()),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(outDir, name), data);
  const manifest = {
    capturedOn: { kernel: (await import('node:os')).release(), date: new Date().toISOString().slice(0, 10) },
    uid: process.getuid?.() ?? 0,
    tcpPort,
    qPort,
    tcp6Port,
    udpPort,
    udp6Port,
    unixPath,
    abstractName: `@${abstractName}`,
    unreadBytes: 'hello, kernel'.length,
  };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${Object.keys(files).length} captures to ${outDir}:`, Object.entries(files).map(([n, b]) => `${n} ${b.length}B`).join(', '));
} finally {
  for (const o of opened.reverse()) {
    try {
      o.close();
    } catch {
      // already closed
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
