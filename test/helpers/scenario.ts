// Live socket scenario for tests: real sockets on loopback, owned by a child process (a distinct pid).
//
// API
// ---
//   const sc = await openScenario(opts?);   // opts: ScenarioOptions (all optional)
//   try { ... } finally { await sc.close(); }
//
// `openScenario` spawns `node -e <script>` which opens, on 127.0.0.1 / ::1 with ports chosen by the
// kernel (bind 0), and reports them as one JSON line on stdout:
//   sc.listener     TCP LISTEN, backlog opts.listenBacklog (default 7), no connections, owner sc.pid
//   sc.established  TCP server port + one client: both ESTABLISHED; the server never reads, so its
//                   Recv-Q is opts.establishedBytes (default 1000) bytes; Send-Q 0 on both sides
//   sc.closeWait    server side CLOSE_WAIT (never closed) on .port; the client half-closed and keeps
//                   its fd, so it sits in FIN_WAIT2 on .clientPort (peer port .port)
//   sc.timeWait     opts.timeWait (default 2) TIME_WAIT sockets with local port .port: the server
//                   closed first (active closer); no owner (inode 0)
//   sc.acceptQueue  listener with backlog opts.acceptBacklog (default 4) held only by a `sleep`
//                   process (.pid) that never accepts; opts.acceptClients (default 3) clients connected
//                   and waiting: listener Recv-Q = .pending, Send-Q = .backlog; each queued connection
//                   is ESTABLISHED on the server side with no owner (inode 0) and on the client side
//                   (local ports .clientPorts). With acceptClients > acceptBacklog + 1 the queue overflows:
//                   .pending is the kernel's maximum, backlog + 1, TcpExt.ListenOverflows grows and the
//                   extra clients stay in SYN_SENT (test/collect/procfs.test.ts shows it)
//   sc.shared       TCP LISTEN held by two processes (the node child sc.pid and a `sleep`, as after fork)
//   sc.udp          UDP socket bound on 127.0.0.1 (state CLOSE, peer *:*)
//   sc.unix         unix stream listener whose path contains a space, plus one connected pair
//   sc.ipv6         TCP listener on ::1 (backlog 5) and one established pair over ::1; null when the
//                   host has no IPv6 loopback
// Every socket's inode is reported (read by the child from /proc/self/fd). `sc.expected` lists the TCP/UDP
// sockets as every collector should see them (ExpectedSocket), for parity and CLI tests;
// `sc.ports` is the set of local ports of the scenario.
//
// Bounds: the child and its `sleep` helpers exit by themselves after opts.ttlSeconds (default 120), and
// when the parent's pipe closes; close() ends them (SIGTERM, then SIGKILL after 2 s) and removes the
// temporary directory. openScenario fails after opts.timeoutMs (default 15 s) and cleans up.
// TIME_WAIT sockets outlive close() in the kernel for 60 s; they are harmless. The child is killed with
// the parent too: when the test process dies, the pipe closes and the child ends its helpers.
// Node's listen({ backlog }) passes the backlog to listen(2) as is (the kernel caps it at somaxconn).
// Needs: Linux (/proc), `node`, `sleep`; root is not needed.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

export interface ScenarioOptions {
  listenBacklog?: number;
  establishedBytes?: number;
  timeWait?: number;
  acceptBacklog?: number;
  acceptClients?: number;
  /** Lifetime bound for the child and its helpers, seconds. */
  ttlSeconds?: number;
  /** How long openScenario may take before failing, ms. */
  timeoutMs?: number;
  /** Skip the IPv6 part even when ::1 works. */
  noIpv6?: boolean;
}

export interface ExpectedSocket {
  protocol: 'tcp' | 'udp';
  ipVersion: 4 | 6;
  state: string;
  localAddress: string;
  localPort: number;
  peerAddress: string;
  /** 0 for listeners / unconnected UDP. */
  peerPort: number;
  recvQ: number;
  /** undefined when not asserted (LISTEN backlog is compared separately: procfs/netstat cannot see it). */
  sendQ?: number;
  /** LISTEN only: the backlog ss/netlink report as Send-Q. */
  backlog?: number;
  /** Owning pids, sorted; [] for TIME_WAIT. */
  pids: number[];
  /** Socket inode (0 for TIME_WAIT). */
  inode: number;
  /** What the socket is in the scenario (for messages). */
  role: string;
}

export interface Scenario {
  /** pid of the node child that owns most sockets. */
  pid: number;
  listener: { port: number; backlog: number; inode: number };
  established: { port: number; clientPort: number; bytesQueued: number; serverInode: number; clientInode: number };
  closeWait: { port: number; clientPort: number; serverInode: number; clientInode: number };
  timeWait: { port: number; count: number };
  /** clientPorts: local ports of the clients whose connection completed (in the queue). */
  acceptQueue: { port: number; backlog: number; pending: number; clients: number; clientPorts: number[]; pid: number; inode: number };
  shared: { port: number; pids: number[]; inode: number };
  udp: { port: number; inode: number };
  unix: { path: string; listenerInode: number; serverInode: number; clientInode: number };
  ipv6: { port: number; clientPort: number; listenerInode: number; serverInode: number; clientInode: number } | null;
  /** Temporary directory holding the unix socket. */
  dir: string;
  /** Local TCP/UDP ports used by the scenario. */
  ports: number[];
  /** Every TCP/UDP socket of the scenario as collectors should report it. */
  expected: ExpectedSocket[];
  /** Ends the child and its helpers, removes the directory. Safe to call twice. */
  close(): Promise<void>;
}

// The child: CommonJS run by `node -e`, configuration in argv[1]. Reports one JSON line, then waits.
const CHILD = String.raw`
const net = require('net'), dgram = require('dgram'), cp = require('child_process'), fs = require('fs'), os = require('os'), path = require('path');
const cfg = JSON.parse(process.argv[1]);
const helpers = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockscope-scenario-'));
function cleanup() {
  for (const h of helpers) { try { h.kill('SIGKILL'); } catch {} }
  try { fs.rmSync(dir, { recursive: true, force: true }); } catch {}
}
function quit(code) { cleanup(); process.exit(code); }
setTimeout(() => quit(0), cfg.ttlSeconds * 1000);
process.stdin.on('end', () => quit(0));
process.stdin.on('error', () => quit(0));
process.stdin.resume();
process.on('SIGTERM', () => quit(0));
process.on('uncaughtException', (e) => { process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) }) + '\n'); quit(1); });
const ino = (h) => { const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync('/proc/self/fd/' + h._handle.fd)); return m ? Number(m[1]) : 0; };
const keep = [];
function listen(opts, server) {
  const s = server || net.createServer({ pauseOnConnect: true }, (c) => keep.push(c));
  return new Promise((res, rej) => { s.once('error', rej); s.listen(opts, () => res(s)); });
}
function connect(port, host) {
  return new Promise((res, rej) => { const c = net.connect({ port, host }); c.once('error', rej); c.once('connect', () => { keep.push(c); res(c); }); });
}
function accepted(server) { return new Promise((res) => server.once('connection', res)); }
function sleeper(fd) {
  const h = cp.spawn('sleep', [String(cfg.ttlSeconds)], { stdio: ['ignore', 'ignore', 'ignore', fd] });
  helpers.push(h);
  return new Promise((res, rej) => { h.once('spawn', () => res(h)); h.once('error', rej); });
}
(async () => {
  const out = { pid: process.pid, dir };
  // Listener with a known backlog.
  const l = await listen({ port: 0, host: '127.0.0.1', backlog: cfg.listenBacklog });
  out.listener = { port: l.address().port, backlog: cfg.listenBacklog, inode: ino(l) };
  // Established pair; the server never reads, so the client's bytes stay in its Recv-Q.
  const e = await listen({ port: 0, host: '127.0.0.1', backlog: 16 });
  const eAcc = accepted(e);
  const ec = await connect(e.address().port, '127.0.0.1');
  const es = await eAcc;
  if (cfg.establishedBytes > 0) await new Promise((r) => ec.write(Buffer.alloc(cfg.establishedBytes, 120), r));
  out.established = { port: e.address().port, clientPort: ec.localPort, bytesQueued: cfg.establishedBytes, serverInode: ino(es), clientInode: ino(ec) };
  // CLOSE_WAIT: the client half-closes (FIN) and keeps its fd; the paused server never notices.
  const w = await listen({ port: 0, host: '127.0.0.1', backlog: 16 });
  const wAcc = accepted(w);
  const wc = await connect(w.address().port, '127.0.0.1');
  wc.on('error', () => {});
  const ws = await wAcc;
  out.closeWait = { port: w.address().port, clientPort: wc.localPort, serverInode: ino(ws), clientInode: ino(wc) };
  await new Promise((r) => wc.end(r));
  // TIME_WAIT on the server's port: the server closes first.
  const t = net.createServer((c) => { c.on('error', () => {}); c.end(); });
  await listen({ port: 0, host: '127.0.0.1', backlog: 16 }, t);
  const tPort = t.address().port;
  const closes = [];
  for (let i = 0; i < cfg.timeWait; i++) {
    closes.push(new Promise((res, rej) => {
      const c = net.connect({ port: tPort, host: '127.0.0.1' });
      c.on('error', rej);
      c.on('close', res);
      c.resume();
    }));
  }
  await Promise.all(closes);
  t.close();
  out.timeWait = { port: tPort, count: cfg.timeWait };
  // Accept queue: the listener is handed to a sleep process that never accepts, then closed here.
  const a = net.createServer(() => {});
  await listen({ port: 0, host: '127.0.0.1', backlog: cfg.acceptBacklog }, a);
  const aPort = a.address().port;
  const aIno = ino(a);
  const aHelper = await sleeper(a._handle.fd);
  await new Promise((r) => a.close(r));
  const pendingClients = [];
  for (let i = 0; i < cfg.acceptClients; i++) {
    const c = net.connect({ port: aPort, host: '127.0.0.1' });
    c.on('error', () => {});
    keep.push(c);
    if (i <= cfg.acceptBacklog) pendingClients.push(new Promise((res) => c.once('connect', () => res(c.localPort))));
  }
  const clientPorts = await Promise.all(pendingClients);
  out.acceptQueue = { port: aPort, backlog: cfg.acceptBacklog, pending: Math.min(cfg.acceptClients, cfg.acceptBacklog + 1), clients: cfg.acceptClients, clientPorts, pid: aHelper.pid, inode: aIno };
  // Listener shared by two processes.
  const sh = await listen({ port: 0, host: '127.0.0.1', backlog: 9 });
  const shHelper = await sleeper(sh._handle.fd);
  out.shared = { port: sh.address().port, pids: [process.pid, shHelper.pid].sort((x, y) => x - y), inode: ino(sh) };
  // UDP.
  const u = dgram.createSocket('udp4');
  await new Promise((r) => u.bind(0, '127.0.0.1', r));
  out.udp = { port: u.address().port, inode: ino(u) };
  // Unix stream listener whose path has a space, and one connected pair.
  const upath = path.join(dir, 'my sock.sock');
  const us = await listen({ path: upath });
  const uAcc = accepted(us);
  const uc = await new Promise((res, rej) => { const c = net.connect({ path: upath }); c.once('error', rej); c.once('connect', () => { keep.push(c); res(c); }); });
  const ua = await uAcc;
  out.unix = { path: upath, listenerInode: ino(us), serverInode: ino(ua), clientInode: ino(uc) };
  // IPv6 on ::1.
  out.ipv6 = null;
  if (!cfg.noIpv6) {
    let six = null;
    try { six = await listen({ port: 0, host: '::1', backlog: 5, ipv6Only: true }); } catch {}
    if (six) {
      const sAcc = accepted(six);
      const sc = await connect(six.address().port, '::1');
      const ss = await sAcc;
      out.ipv6 = { port: six.address().port, clientPort: sc.localPort, listenerInode: ino(six), serverInode: ino(ss), clientInode: ino(sc) };
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})().catch((e) => { process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) }) + '\n'); quit(1); });
`;

/** Opens the scenario (see the comment at the top of this file). */
export async function openScenario(opts: ScenarioOptions = {}): Promise<Scenario> {
  const cfg = {
    listenBacklog: opts.listenBacklog ?? 7,
    establishedBytes: opts.establishedBytes ?? 1000,
    timeWait: opts.timeWait ?? 2,
    acceptBacklog: opts.acceptBacklog ?? 4,
    acceptClients: opts.acceptClients ?? 3,
    ttlSeconds: opts.ttlSeconds ?? 120,
    noIpv6: opts.noIpv6 ?? false,
  };
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const child = spawn(process.execPath, ['-e', CHILD, JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  let raw: Record<string, unknown>;
  try {
    raw = await firstLine(child, timeoutMs);
  } catch (e) {
    await stopChild(child, []);
    throw new Error(`scenario child failed: ${(e as Error).message}${stderr ? `\n${stderr}` : ''}`);
  }
  if (typeof raw.error === 'string') {
    await stopChild(child, []);
    throw new Error(`scenario child failed: ${raw.error}`);
  }
  const r = raw as unknown as Omit<Scenario, 'close' | 'expected' | 'ports'>;
  const helperPids = [r.acceptQueue.pid, ...r.shared.pids.filter((p) => p !== r.pid)];
  let closed = false;
  const sc: Scenario = {
    ...r,
    ports: [],
    expected: [],
    async close() {
      if (closed) return;
      closed = true;
      await stopChild(child, helperPids);
      rmSync(r.dir, { recursive: true, force: true });
    },
  };
  sc.expected = expectedSockets(sc);
  sc.ports = [...new Set(sc.expected.map((s) => s.localPort))].sort((a, b) => a - b);
  try {
    await waitForKernelStates(sc, Math.max(1000, timeoutMs / 3));
  } catch (e) {
    await sc.close();
    throw e;
  }
  return sc;
}

/** The TCP/UDP sockets of a scenario as every collector should report them. */
export function expectedSockets(sc: Omit<Scenario, 'expected' | 'ports' | 'close'>): ExpectedSocket[] {
  const v4 = '127.0.0.1';
  const me = [sc.pid];
  const out: ExpectedSocket[] = [];
  const tcp = (x: Partial<ExpectedSocket> & Pick<ExpectedSocket, 'state' | 'localPort' | 'role'>): void => {
    out.push({ protocol: 'tcp', ipVersion: 4, localAddress: v4, peerAddress: x.peerPort ? v4 : '0.0.0.0', peerPort: 0, recvQ: 0, pids: me, inode: 0, ...x });
  };
  tcp({ role: 'listener', state: 'LISTEN', localPort: sc.listener.port, backlog: sc.listener.backlog, inode: sc.listener.inode });
  const e = sc.established;
  tcp({ role: 'established listener', state: 'LISTEN', localPort: e.port, backlog: 16 });
  tcp({ role: 'established server side', state: 'ESTABLISHED', localPort: e.port, peerPort: e.clientPort, recvQ: e.bytesQueued, sendQ: 0, inode: e.serverInode });
  tcp({ role: 'established client side', state: 'ESTABLISHED', localPort: e.clientPort, peerPort: e.port, recvQ: 0, sendQ: 0, inode: e.clientInode });
  const w = sc.closeWait;
  tcp({ role: 'close-wait listener', state: 'LISTEN', localPort: w.port, backlog: 16 });
  // The peer's FIN counts as one byte in Recv-Q (rcv_nxt - copied_seq).
  tcp({ role: 'CLOSE_WAIT server side', state: 'CLOSE_WAIT', localPort: w.port, peerPort: w.clientPort, recvQ: 1, sendQ: 0, inode: w.serverInode });
  tcp({ role: 'FIN_WAIT2 client side', state: 'FIN_WAIT2', localPort: w.clientPort, peerPort: w.port, recvQ: 0, sendQ: 0, inode: w.clientInode });
  const a = sc.acceptQueue;
  tcp({ role: 'accept-queue listener', state: 'LISTEN', localPort: a.port, backlog: a.backlog, recvQ: a.pending, pids: [a.pid], inode: a.inode });
  for (const cp of a.clientPorts) {
    tcp({ role: 'queued connection, server side (not accepted)', state: 'ESTABLISHED', localPort: a.port, peerPort: cp, recvQ: 0, sendQ: 0, pids: [] });
    tcp({ role: 'queued connection, client side', state: 'ESTABLISHED', localPort: cp, peerPort: a.port, recvQ: 0, sendQ: 0 });
  }
  tcp({ role: 'shared listener', state: 'LISTEN', localPort: sc.shared.port, backlog: 9, pids: sc.shared.pids, inode: sc.shared.inode });
  out.push({ protocol: 'udp', ipVersion: 4, role: 'udp', state: 'CLOSE', localAddress: v4, localPort: sc.udp.port, peerAddress: '0.0.0.0', peerPort: 0, recvQ: 0, sendQ: 0, pids: me, inode: sc.udp.inode });
  if (sc.ipv6) {
    const s = sc.ipv6;
    const six = { protocol: 'tcp' as const, ipVersion: 6 as const, localAddress: '::1', pids: me };
    out.push({ ...six, role: 'ipv6 listener', state: 'LISTEN', localPort: s.port, peerAddress: '::', peerPort: 0, recvQ: 0, backlog: 5, inode: s.listenerInode });
    out.push({ ...six, role: 'ipv6 server side', state: 'ESTABLISHED', localPort: s.port, peerAddress: '::1', peerPort: s.clientPort, recvQ: 0, sendQ: 0, inode: s.serverInode });
    out.push({ ...six, role: 'ipv6 client side', state: 'ESTABLISHED', localPort: s.clientPort, peerAddress: '::1', peerPort: s.port, recvQ: 0, sendQ: 0, inode: s.clientInode });
  }
  // TIME_WAIT sockets: local port is the server's, peers are the (unknown) client ports; no owner.
  for (let i = 0; i < sc.timeWait.count; i++) {
    out.push({ protocol: 'tcp', ipVersion: 4, role: 'TIME_WAIT (server closed first)', state: 'TIME_WAIT', localAddress: v4, localPort: sc.timeWait.port, peerAddress: v4, peerPort: -1, recvQ: 0, sendQ: 0, pids: [], inode: 0 });
  }
  return out;
}

/** Waits until /proc/net/tcp shows the CLOSE_WAIT, FIN_WAIT2 and TIME_WAIT sockets (the FINs travel asynchronously). */
async function waitForKernelStates(sc: Scenario, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const hexPort = (p: number): string => p.toString(16).toUpperCase().padStart(4, '0');
  for (;;) {
    let text = '';
    try {
      text = readFileSync('/proc/net/tcp', 'utf8');
    } catch {
      return; // not Linux-like: nothing to wait for
    }
    const lines = text.split('\n');
    const has = (localPort: number, st: string): number =>
      lines.filter((l) => {
        const f = l.trim().split(/\s+/);
        return f[1]?.endsWith(`:${hexPort(localPort)}`) && f[3] === st;
      }).length;
    const ok =
      has(sc.closeWait.port, '08') >= 1 &&
      has(sc.closeWait.clientPort, '05') >= 1 &&
      has(sc.timeWait.port, '06') >= sc.timeWait.count &&
      has(sc.acceptQueue.port, '0A') >= 1;
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`scenario: kernel states not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(new Error(`no report within ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer): void => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        done(undefined, JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      } catch (e) {
        done(e as Error);
      }
    };
    const onExit = (code: number | null, sig: string | null): void => done(new Error(`child exited (${code ?? sig}) before reporting`));
    function done(err?: Error, v?: Record<string, unknown>): void {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(v!);
    }
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess, helperPids: number[]): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
  try {
    child.stdin?.end();
  } catch {
    /* already closed */
  }
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let forced = false;
  const timer = setTimeout(() => {
    forced = true;
    child.kill('SIGKILL');
  }, 2000);
  await exited;
  clearTimeout(timer);
  // The child kills its sleep helpers itself; only when it had to be SIGKILLed are they still ours to end.
  if (forced || child.signalCode === 'SIGKILL') {
    for (const pid of helperPids) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep') process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
}
