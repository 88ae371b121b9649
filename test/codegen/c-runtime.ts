// C-specific parts of the runtime tests: builds generated C servers with warnings as errors (and the
// libraries an io model needs), starts them through the shared harness (harness.ts), and registers
// the standard battery for one (io model, platform) plus the C-only checks (select past FD_SETSIZE,
// EMFILE without spinning, max connections, idle timeout, pipelined HTTP).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { generateServer, type GenerateResult, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import * as h from './harness.js';

/** Flags every generated C file must compile cleanly with. */
export const STRICT_FLAGS = ['-std=c11', '-Wall', '-Wextra', '-Werror', '-pedantic'];

/** Where libkqueue's <sys/event.h> lives when it is installed (Debian/Fedora package layout, or /usr/local). */
export function findLibkqueue(): { cflags: string[]; libs: string[] } | null {
  const pc = spawnSync('pkg-config', ['--cflags', '--libs', 'libkqueue'], { encoding: 'utf8' });
  if (pc.status === 0 && pc.stdout.trim()) {
    const all = pc.stdout.trim().split(/\s+/);
    return { cflags: all.filter((f) => !f.startsWith('-l')), libs: [...all.filter((f) => f.startsWith('-l')), '-lpthread'] };
  }
  for (const inc of ['/usr/include/kqueue', '/usr/local/include/kqueue']) {
    if (existsSync(`${inc}/sys/event.h`)) return { cflags: [`-I${inc}`], libs: ['-lkqueue', '-lpthread'] };
  }
  return null;
}

/** Message for a missing libkqueue (CI fails with it; a developer machine skips). */
export const LIBKQUEUE_MISSING =
  'libkqueue is not installed (no pkg-config libkqueue, no /usr/include/kqueue/sys/event.h): kqueue variants cannot be ' +
  'linked or run on Linux (c-compile.test.ts still compiles them against a stub <sys/event.h>). Debian 12 does not package libkqueue-dev; install it from a newer suite or from source.';

/** Extra compiler arguments (after the source file) for an io model on Linux. */
export function linkArgs(ioModel: string): string[] {
  if (ioModel === 'io_uring') return ['-luring'];
  if (ioModel === 'kqueue') {
    const k = findLibkqueue();
    if (!k) throw new Error(LIBKQUEUE_MISSING);
    return [...k.cflags, ...k.libs];
  }
  return [];
}

/**
 * Generates a C server for Linux: the generated file, built by `cc` with STRICT_FLAGS (plus -O2) and the
 * libraries its io model needs. `ulimit` raises or lowers the child's descriptor limit.
 */
export function generateC(input: GeneratorInput, opts: CBuildOptions = {}): GenerateResult {
  const r = generateServer({ port: 0, ...input, language: 'c' }, { config: DEFAULT_CONFIG });
  const o = r.options;
  const cc = opts.cc ?? 'cc';
  const main = r.files[0].path;
  const buildCommand = [cc, ...STRICT_FLAGS, ...(opts.flags ?? ['-O2']), '-o', 'server', main, ...linkArgs(o.ioModel)].join(' ');
  const env = opts.env ? `env ${Object.entries(opts.env).map(([k, v]) => `${k}=${v}`).join(' ')} ` : '';
  const user = opts.asUid !== undefined ? `setpriv --reuid=${opts.asUid} --regid=${opts.asUid} --clear-groups ` : '';
  const runCommand = opts.ulimit ? `sh -c 'ulimit -n ${opts.ulimit} && exec ${env}./server'` : `${user}${env}./server`;
  return { ...r, buildCommand, runCommand };
}

export interface CBuildOptions {
  cc?: string;
  /** Compiler flags instead of -O2 (e.g. sanitizers). */
  flags?: string[];
  /** Environment for the server. */
  env?: Record<string, string>;
  /** Descriptor limit for the server (ulimit -n). */
  ulimit?: number;
  /** Run the server as this uid/gid (setpriv), e.g. 65534 (nobody). */
  asUid?: number;
}

/** AddressSanitizer + UndefinedBehaviorSanitizer build: any memory error, UB or leak makes the exit code non-zero. */
export const SANITIZE: CBuildOptions = {
  flags: ['-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=undefined', '-fno-omit-frame-pointer'],
  env: { ASAN_OPTIONS: 'detect_leaks=1:exitcode=23', UBSAN_OPTIONS: 'print_stacktrace=1' },
};

/** Builds and starts a C server; always kills it and removes its directory. */
export async function withCServer<T>(
  input: GeneratorInput,
  host: string,
  fn: (srv: h.RunningServer, r: GenerateResult) => Promise<T>,
  opts: CBuildOptions = {},
): Promise<T> {
  const r = generateC(input, opts);
  const { dir } = h.materialize(r);
  try {
    h.build(r, dir);
    if (opts.asUid !== undefined) chmodSync(dir, 0o755); // let the other user reach ./server
    const srv = await h.startServer(r, dir, host);
    try {
      return await fn(srv, r);
    } finally {
      await srv.kill();
    }
  } finally {
    h.cleanup(dir);
  }
}

/** CPU time (user + system, ms) the process has used so far, from /proc/PID/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

function connect(port: number, host: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host });
    s.once('connect', () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * Resolves with 'data' when the socket echoes `msg`, 'closed' when the server closes it, or 'timeout'
 * (a failure everywhere: 10 s, not 3, so that a loaded machine is not mistaken for a hung connection).
 */
function probe(s: net.Socket, msg: string, ms = 10_000): Promise<'data' | 'closed' | 'timeout'> {
  return new Promise((resolve) => {
    let got = '';
    const t = setTimeout(() => finish('timeout'), ms);
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.length >= msg.length) finish('data');
    };
    const onClose = () => finish('closed');
    function finish(v: 'data' | 'closed' | 'timeout') {
      clearTimeout(t);
      s.off('data', onData);
      s.off('close', onClose);
      s.off('end', onClose);
      resolve(v);
    }
    s.on('data', onData);
    s.once('close', onClose);
    s.once('end', onClose);
    if (s.destroyed) finish('closed');
    else s.write(msg);
  });
}

/** Kept here too: c-wine.test.ts imports it from this module. */
export const rawExchange = h.rawExchange;

export interface CSuiteOptions {
  /** Extra label text, e.g. the platform. */
  platform?: 'posix' | 'portable';
}

/**
 * The standard runtime battery for one C io model (the same checks as runtime-suite.ts, built with
 * -Werror): tcp echo (200 clients, 8 MiB slow reader, RST, half-close, fds, SIGTERM), http under wrk,
 * udp among 50 clients, IPv6 and dual-stack, reuse-port with two processes.
 */
export function cRuntimeSuite(label: string, ioModel: string, opts: CSuiteOptions = {}): void {
  const base: GeneratorInput = { language: 'c', ioModel, platform: opts.platform ?? 'posix' };

  test(`${label} tcp echo: 200 clients, 8 MiB slow reader, RST, half-close, fds, SIGTERM`, { timeout: 90_000 }, async () => {
    await withCServer({ ...base, type: 'tcp', handler: 'echo', bindAddress: h.LOOPBACK4, tcpNodelay: true }, h.LOOPBACK4, async (srv) => {
      await h.tcpEchoBattery(srv);
      const st = await h.sigtermCheck(srv, 2000, 'tcp');
      assert.equal(st.error, undefined, `${st.error}\nstderr: ${srv.stderr()}`);
      assert.equal(st.code, 0, `exit code ${st.code} signal ${st.signal}; stderr: ${srv.stderr()}`);
      assert.ok(st.elapsedMs < 2000, `exit took ${st.elapsedMs} ms`);
      assert.ok(st.rebound, 'port did not bind again at once');
    });
  });

  test(`${label} tcp http answers wrk, pipelining and Connection: close, HEAD and Content-Length framing, then SIGTERM`, { timeout: 60_000 }, async () => {
    assert.ok(h.haveTool('wrk', ['-v']) || process.env.CI !== 'true', 'wrk is missing (apt-get install wrk)');
    await withCServer({ ...base, type: 'tcp', handler: 'http', bindAddress: h.LOOPBACK4 }, h.LOOPBACK4, async (srv) => {
      if (h.haveTool('wrk', ['-v'])) {
        const w = h.runWrk(srv.port);
        assert.ok(w.ok, w.output);
        assert.equal(w.non2xx, 0, w.output);
        assert.ok(!w.socketErrors || !/read [1-9]|write [1-9]/.test(w.socketErrors), w.output);
      }
      const two = await rawExchange(srv.port, h.LOOPBACK4, 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.equal(two.match(/HTTP\/1\.1 200 OK/g)?.length, 2, two);
      assert.match(two, /Connection: close\r\n\r\nok\n$/);
      const body = await rawExchange(srv.port, h.LOOPBACK4, 'POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello');
      assert.match(body, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok\n$/);
      const head = await rawExchange(srv.port, h.LOOPBACK4, 'HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n');
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 3\r\n[\s\S]*\r\n\r\n$/, 'HEAD answered with headers only');
      const bad = await rawExchange(srv.port, h.LOOPBACK4, 'NONSENSE\r\n\r\n');
      assert.match(bad, /^HTTP\/1\.1 400 /);
      assert.deepEqual(await h.httpFraming(srv.port, h.LOOPBACK4), []);
      const st = await h.sigtermCheck(srv, 2000, 'tcp');
      assert.equal(st.code, 0, `${st.error ?? ''} stderr: ${srv.stderr()}`);
      assert.ok(st.rebound);
    });
  });

  test(`${label} tcp http: a request refused before it was read to the end gets its reply and a clean EOF (lingering close), no descriptor kept`, { timeout: 120_000 }, async () => {
    // A 4 KiB read buffer: the server refuses after the first read or few, with most of the request unread.
    await withCServer({ ...base, type: 'tcp', handler: 'http', bindAddress: h.LOOPBACK4, bufferSize: 4096 }, h.LOOPBACK4, async (srv) => {
      assert.deepEqual(await h.lingeringClose(srv), []);
    });
  });

  test(`${label} udp echo: replies reach the right sender among 50, 65507-byte and empty datagrams echoed, SIGTERM`, { timeout: 60_000 }, async () => {
    await withCServer({ ...base, type: 'udp', handler: 'echo', bindAddress: h.LOOPBACK4 }, h.LOOPBACK4, async (srv) => {
      assert.deepEqual(await h.udpEcho(srv.port, h.LOOPBACK4, 50), []);
      const big = await h.udpLargeEcho(srv.port, h.LOOPBACK4);
      assert.ok(big.ok, `65507-byte datagram: received ${big.received} bytes`);
      assert.ok(await h.udpEmptyEcho(srv.port, h.LOOPBACK4), 'no reply to a zero-length datagram');
      const st = await h.sigtermCheck(srv, 2000, 'udp');
      assert.equal(st.code, 0, `${st.error ?? ''} stderr: ${srv.stderr()}`);
      assert.ok(st.rebound);
    });
  });

  test(`${label} IPv6 on ::1 (tcp and udp), dual-stack accepts IPv4`, { timeout: 60_000 }, async () => {
    await withCServer({ ...base, type: 'tcp', bindAddress: h.LOOPBACK6 }, h.LOOPBACK6, async (srv) => {
      assert.equal((await h.echoOnce(srv.port, h.LOOPBACK6, Buffer.from('over ipv6'))).toString(), 'over ipv6');
    });
    await withCServer({ ...base, type: 'udp', bindAddress: h.LOOPBACK6 }, h.LOOPBACK6, async (srv) => {
      assert.deepEqual(await h.udpEcho(srv.port, h.LOOPBACK6, 5), []);
    });
    await withCServer({ ...base, type: 'tcp', dualStack: true }, h.LOOPBACK4, async (srv) => {
      assert.equal((await h.echoOnce(srv.port, h.LOOPBACK4, Buffer.from('v4 on v6'))).toString(), 'v4 on v6');
      assert.equal((await h.echoOnce(srv.port, h.LOOPBACK6, Buffer.from('v6'))).toString(), 'v6');
    });
  });

  test(`${label} reuse-port: two processes both get connections`, { timeout: 60_000 }, async () => {
    const port = await h.freePort();
    const r = generateC({ ...base, type: 'tcp', bindAddress: h.LOOPBACK4, reusePort: true, port });
    const { dir } = h.materialize(r);
    const servers: h.RunningServer[] = [];
    try {
      h.build(r, dir);
      servers.push(await h.startServer(r, dir));
      servers.push(await h.startServer(r, dir));
      const [a, b] = await h.reusePortSpread(servers[0], servers[1], 40);
      assert.ok(a > 0 && b > 0, `connections per process: ${a} and ${b}`);
    } finally {
      for (const s of servers) await s.kill();
      h.cleanup(dir);
    }
  });
}

/**
 * select(): with a raised descriptor limit, connections whose descriptor would be >= FD_SETSIZE (1024)
 * are accepted and closed at once; the ones below keep working and the server stays healthy.
 */
export async function selectRefusesPastFdSetsize(platform: 'posix' | 'portable' = 'posix'): Promise<void> {
  await withCServer(
    { language: 'c', ioModel: 'select', platform, type: 'tcp', bindAddress: h.LOOPBACK4 },
    h.LOOPBACK4,
    async (srv) => {
      const baseline = h.fdCount(srv.pid);
      const socks: net.Socket[] = [];
      try {
        for (let k = 0; k < 1100; k++) socks.push(await connect(srv.port, h.LOOPBACK4));
        await h.sleep(300);
        const results = await Promise.all(socks.map((s, k) => probe(s, `c${k};`)));
        const served = results.filter((x) => x === 'data').length;
        const closed = results.filter((x) => x === 'closed').length;
        assert.equal(results.filter((x) => x === 'timeout').length, 0, 'some connections hung instead of being served or closed');
        assert.ok(served >= 1000 && served < 1024, `served ${served} (expected just under FD_SETSIZE)`);
        assert.equal(served + closed, 1100);
        assert.match(srv.stderr(), /FD_SETSIZE/);
      } finally {
        for (const s of socks) s.destroy();
      }
      assert.ok((await h.waitFdCount(srv.pid, baseline, 5000)) <= baseline, 'descriptors leaked');
      assert.equal((await h.echoOnce(srv.port, h.LOOPBACK4, Buffer.from('after'))).toString(), 'after');
    },
    { ulimit: 4096 },
  );
}

/**
 * Out of descriptors (EMFILE): the server sheds connections instead of spinning on a listener that
 * stays readable, and serves again once descriptors are free.
 */
export async function emfileDoesNotSpin(ioModel: string): Promise<void> {
  await withCServer(
    { language: 'c', ioModel, type: 'tcp', bindAddress: h.LOOPBACK4 },
    h.LOOPBACK4,
    async (srv) => {
      const socks: net.Socket[] = [];
      try {
        for (let k = 0; k < 40; k++) socks.push(await connect(srv.port, h.LOOPBACK4));
        await h.sleep(300);
        const before = cpuMs(srv.pid);
        await h.sleep(1000);
        const used = cpuMs(srv.pid) - before;
        assert.ok(used < 300, `server used ${used} ms of CPU in 1 s while out of descriptors (spinning)`);
        assert.equal(srv.proc.exitCode, null, `server exited: ${srv.stderr()}`);
        assert.match(srv.stderr(), /accept: Too many open files: dropping a connection/, 'the server never ran out of descriptors');
      } finally {
        for (const s of socks) s.destroy();
      }
      await h.sleep(300);
      assert.equal((await h.echoOnce(srv.port, h.LOOPBACK4, Buffer.from('recovered'))).toString(), 'recovered');
    },
    { ulimit: 20 },
  );
}

/** maxConnections: the connection past the limit is closed at once, the others are served. */
export async function maxConnectionsRefuses(ioModel: string): Promise<void> {
  await withCServer({ language: 'c', ioModel, type: 'tcp', bindAddress: h.LOOPBACK4, maxConnections: 3 }, h.LOOPBACK4, async (srv) => {
    const held: net.Socket[] = [];
    try {
      for (let k = 0; k < 3; k++) held.push(await connect(srv.port, h.LOOPBACK4));
      for (const [k, s] of held.entries()) assert.equal(await probe(s, `held${k}`), 'data');
      const extra = await connect(srv.port, h.LOOPBACK4);
      assert.equal(await probe(extra, 'x'), 'closed');
      extra.destroy();
    } finally {
      for (const s of held) s.destroy();
    }
    await h.sleep(200);
    assert.equal((await h.echoOnce(srv.port, h.LOOPBACK4, Buffer.from('room again'))).toString(), 'room again');
  });
}

/** idleTimeoutMs: an idle connection is closed by the server, an active one is not. */
export async function idleTimeoutCloses(ioModel: string): Promise<void> {
  await withCServer({ language: 'c', ioModel, type: 'tcp', bindAddress: h.LOOPBACK4, idleTimeoutMs: 400 }, h.LOOPBACK4, async (srv) => {
    // t0 before connect(): the server's idle clock starts at accept(), which comes after this, so
    // ms >= 300 holds however late this process gets to run after the connection is made.
    const t0 = Date.now();
    const idle = await connect(srv.port, h.LOOPBACK4);
    const closed = new Promise<number>((resolve) => {
      if (idle.destroyed) resolve(Date.now() - t0);
      else idle.once('close', () => resolve(Date.now() - t0));
    });
    const ms = await h.within(5000, closed, 'idle connection closed by the server');
    assert.ok(ms >= 300, `closed after ${ms} ms, before the idle timeout`);
  });
}

/**
 * SIGINT with one client connected (Ctrl-C: on Windows under wine this reaches the console control
 * handler): exit 0 within `ms`, and the port binds again at once.
 */
export async function sigintCheck(srv: h.RunningServer, ms = 2000): Promise<{ code: number | null; elapsedMs: number; rebound: boolean; error?: string }> {
  const client = await connect(srv.port, srv.host);
  client.write('hello');
  await h.sleep(50);
  const t0 = Date.now();
  srv.proc.kill('SIGINT');
  try {
    const res = await h.within(ms, srv.exited, 'exit after SIGINT');
    const elapsedMs = Date.now() - t0;
    client.destroy();
    return { code: res.code, elapsedMs, rebound: await h.canBind(srv.port, srv.host) };
  } catch (e) {
    client.destroy();
    await srv.kill();
    return { code: null, elapsedMs: Date.now() - t0, rebound: false, error: (e as Error).message };
  }
}

/** Send-Q (tx_queue) of the IPv4 TCP socket 127.0.0.1:localPort -> peerPort in /proc/net/tcp; 0 when absent. */
function serverSendQ(localPort: number, peerPort: number): number {
  const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(`:${hex(localPort)}`) && f[2]?.endsWith(`:${hex(peerPort)}`)) return parseInt(f[4].split(':')[0], 16);
  }
  return 0;
}

/**
 * Graceful shutdown with output that cannot drain: a client sends 8 MiB and never reads, so the echo
 * backs up; SIGTERM must still end the process with 0 once the flush deadline (1500 ms) has passed.
 */
export async function shutdownDeadlineWithStuckOutput(ioModel: string): Promise<void> {
  await withCServer({ language: 'c', ioModel, type: 'tcp', bindAddress: h.LOOPBACK4 }, h.LOOPBACK4, async (srv) => {
    const s = await connect(srv.port, h.LOOPBACK4);
    s.pause(); // never read: the server's output to us cannot drain
    s.write(Buffer.alloc(8 * 1024 * 1024, 7));
    // Stuck once the server has sent more than our receive window takes (its Send-Q holds unacked
    // bytes); waited for rather than assumed after a fixed delay, then a little more for its send buffer.
    const stuckBy = Date.now() + 10_000;
    while (serverSendQ(srv.port, s.localPort!) === 0 && Date.now() < stuckBy) await h.sleep(20);
    await h.sleep(500);
    const t0 = Date.now();
    srv.proc.kill('SIGTERM');
    const res = await h.within(3000, srv.exited, 'exit after SIGTERM with stuck output');
    const ms = Date.now() - t0;
    s.destroy();
    assert.equal(res.code, 0, `exit ${res.code} ${res.signal}; stderr: ${srv.stderr()}`);
    assert.ok(ms >= 1000 && ms < 2900, `exited after ${ms} ms (flush deadline is 1500 ms)`);
    assert.ok(await h.canBind(srv.port, h.LOOPBACK4), 'port did not bind again at once');
  });
}

/**
 * Socket options really reach the kernel: with --profile throughput and --keepalive, the accepted
 * socket shows the doubled 1 MiB buffers (set on the listener before listen(), inherited) and a
 * keepalive timer in `ss`; the echo battery passes with comments off and the latency options on.
 */
export async function optionsReachTheKernel(ioModel: string): Promise<void> {
  await withCServer(
    { language: 'c', ioModel, type: 'tcp', bindAddress: h.LOOPBACK4, profile: 'throughput', keepalive: { idle: 30, interval: 5, count: 3 }, comments: false },
    h.LOOPBACK4,
    async (srv) => {
      const s = await connect(srv.port, h.LOOPBACK4);
      assert.equal(await probe(s, 'opt'), 'data');
      const ss = spawnSync('ss', ['-tnmoH', 'state', 'established', `( sport = :${srv.port} )`], { encoding: 'utf8' });
      s.destroy();
      assert.equal(ss.status, 0, ss.stderr);
      assert.match(ss.stdout, /timer:\(keepalive,/, `no keepalive timer on the accepted socket:\n${ss.stdout}`);
      assert.match(ss.stdout, /rb2097152/, `SO_RCVBUF 1 MiB (shown doubled) missing:\n${ss.stdout}`);
      assert.match(ss.stdout, /tb2097152/, `SO_SNDBUF 1 MiB (shown doubled) missing:\n${ss.stdout}`);
    },
  );
  await withCServer(
    { language: 'c', ioModel, type: 'tcp', bindAddress: h.LOOPBACK4, profile: 'latency', keepalive: { idle: 60, interval: 10, count: 5 }, maxConnections: 1000, idleTimeoutMs: 10_000, comments: false },
    h.LOOPBACK4,
    async (srv) => {
      await h.tcpEchoBattery(srv);
    },
  );
}

/**
 * The echo battery (and an http exchange) against an ASan/UBSan build, then SIGTERM: exit 0 means no
 * memory error, no undefined behaviour and no leak on the shutdown path.
 */
export async function sanitizedBattery(ioModel: string, type: 'tcp' | 'udp' = 'tcp', handler: 'echo' | 'http' = 'echo'): Promise<void> {
  await withCServer(
    { language: 'c', ioModel, type, handler, bindAddress: h.LOOPBACK4, idleTimeoutMs: type === 'tcp' ? 60_000 : undefined },
    h.LOOPBACK4,
    async (srv) => {
      if (type === 'udp') assert.deepEqual(await h.udpEcho(srv.port, h.LOOPBACK4, 50), []);
      else if (handler === 'http') {
        const two = await rawExchange(srv.port, h.LOOPBACK4, 'GET / HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.0\r\n\r\n');
        assert.equal(two.match(/200 OK/g)?.length, 3, two);
        assert.match(await rawExchange(srv.port, h.LOOPBACK4, `GET /${'x'.repeat(9000)}`), /^HTTP\/1\.1 431 /);
        if (h.haveTool('wrk', ['-v'])) assert.ok(h.runWrk(srv.port).ok);
      } else await h.tcpEchoBattery(srv, { clients: 100 });
      const st = await h.sigtermCheck(srv, 5000, type);
      assert.equal(st.code, 0, `exit ${st.code} ${st.signal ?? ''} ${st.error ?? ''}\n${srv.stderr()}`);
      assert.doesNotMatch(srv.stderr(), /Sanitizer|runtime error/, srv.stderr());
    },
    { ...SANITIZE, env: { ...SANITIZE.env, ASAN_OPTIONS: 'detect_leaks=0:exitcode=23' } },
  );
}

/** The server needs no privilege: run as nobody, it serves the battery and exits 0 on SIGTERM. */
export async function unprivileged(ioModel: string): Promise<void> {
  await withCServer(
    { language: 'c', ioModel, type: 'tcp', bindAddress: h.LOOPBACK4 },
    h.LOOPBACK4,
    async (srv) => {
      const status = readFileSync(`/proc/${srv.pid}/status`, 'utf8');
      assert.match(status, /^Uid:\s+65534\s/m, 'server is not running as nobody');
      await h.tcpEchoBattery(srv, { clients: 50 });
      const st = await h.sigtermCheck(srv, 2000, 'tcp');
      assert.equal(st.code, 0, `${st.error ?? ''} ${srv.stderr()}`);
    },
    { asUid: 65534 },
  );
}

/**
 * UDP truncation: built with a 512-byte datagram buffer, a 2000-byte datagram is detected (MSG_TRUNC)
 * and dropped with a message, while a small one is still echoed.
 */
export async function oversizeDatagramDetected(ioModel: string): Promise<void> {
  await withCServer(
    { language: 'c', ioModel, type: 'udp', bindAddress: h.LOOPBACK4 },
    h.LOOPBACK4,
    async (srv) => {
      const sock = dgram.createSocket('udp4');
      try {
        await new Promise<void>((r) => sock.bind(0, h.LOOPBACK4, () => r()));
        const replies: Buffer[] = [];
        sock.on('message', (m) => replies.push(m));
        sock.send(Buffer.alloc(2000, 1), srv.port, h.LOOPBACK4);
        // Waits for the server's message (not a fixed 300 ms: a loaded machine may run it later).
        const dropped = Date.now() + 10_000;
        while (!/dropped a datagram/.test(srv.stderr()) && Date.now() < dropped) await h.sleep(20);
        assert.match(srv.stderr(), /dropped a datagram/, `no truncation message; stderr: ${srv.stderr()}`);
        assert.equal(replies.length, 0, 'a truncated datagram was echoed');
        // The server handles datagrams in order: an echo of the truncated one would arrive before this reply.
        sock.send(Buffer.from('small'), srv.port, h.LOOPBACK4);
        const deadline = Date.now() + 10_000;
        while (replies.length === 0 && Date.now() < deadline) await h.sleep(20);
        assert.deepEqual(replies.map(String), ['small'], 'only the small datagram is echoed');
      } finally {
        sock.close();
      }
    },
    { flags: ['-O2', '-DDATAGRAM_BUFFER_SIZE=512'] },
  );
}

/**
 * io_uring on a kernel without it (or without an operation it needs): strace makes io_uring_setup or
 * io_uring_register (the probe) fail, as on Linux < 5.1 (ENOSYS), with kernel.io_uring_disabled or a
 * seccomp policy (EPERM), or before 5.6 (the probe answers EINVAL). The server says so on one stderr
 * line and serves the same way on its epoll loop. `inject` is strace's `SYSCALL:error=ERRNO`.
 */
export async function withUringFallback<T>(
  input: GeneratorInput,
  inject: string,
  fn: (srv: h.RunningServer) => Promise<T>,
  opts: CBuildOptions = {},
): Promise<T> {
  const r = generateC({ ...input, language: 'c', ioModel: 'io_uring' }, opts);
  const syscall = inject.split(':')[0];
  // --seccomp-bpf: only the injected call stops in strace, so the server runs at full speed.
  const traced = { ...r, runCommand: `strace -f --seccomp-bpf -o /dev/null -e trace=${syscall} -e inject=${inject} ${r.runCommand}` };
  const { dir } = h.materialize(traced);
  try {
    h.build(traced, dir);
    const srv = await h.startServer(traced, dir, input.bindAddress ?? h.LOOPBACK4);
    try {
      // The server is strace's child: pid (fd counts) and signals go to it; strace exits with its status.
      const children = readFileSync(`/proc/${srv.pid}/task/${srv.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      assert.equal(children.length, 1, `strace children: ${children.join(' ')}`);
      const pid = Number(children[0]);
      const proc = {
        kill: (signal?: NodeJS.Signals) => {
          process.kill(pid, signal);
          return true;
        },
        get exitCode() {
          return srv.proc.exitCode;
        },
        get signalCode() {
          return srv.proc.signalCode;
        },
      } as unknown as typeof srv.proc;
      const lines = () => srv.stderr().split('\n').filter((l) => /falling back to epoll/.test(l));
      const deadline = Date.now() + 10_000;
      while (lines().length === 0 && Date.now() < deadline) await h.sleep(20);
      assert.equal(lines().length, 1, `one fallback line expected; stderr: ${srv.stderr()}`);
      return await fn({ ...srv, pid, proc });
    } finally {
      await srv.kill();
    }
  } finally {
    h.cleanup(dir);
  }
}

/** Two pipelined HTTP requests in one write, the second with Connection: close: two 200s, then EOF. */
async function pipelinedHttp(port: number): Promise<void> {
  const req = 'GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';
  const got = await h.within(
    5000,
    new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, h.LOOPBACK4, () => sock.end(req));
      let data = '';
      sock.setEncoding('utf8');
      sock.on('data', (d: string) => (data += d));
      sock.on('error', reject);
      sock.on('close', () => resolve(data));
    }),
    'pipelined http',
  );
  assert.equal(got.match(/HTTP\/1\.1 200 OK/g)?.length, 2, got);
}

/** SIGTERM to a server: exit 0 within 2 s, port bindable at once. */
async function sigtermOk(srv: h.RunningServer, type: 'tcp' | 'udp'): Promise<void> {
  const st = await h.sigtermCheck(srv, 2000, type);
  assert.equal(st.error, undefined, `${st.error}\nstderr: ${srv.stderr()}`);
  assert.equal(st.code, 0, `exit code ${st.code} signal ${st.signal}; stderr: ${srv.stderr()}`);
  assert.ok(st.rebound, 'port did not bind again at once');
}

/** The epoll fallback of the io_uring server passes the tcp echo, http (wrk) and udp checks and SIGTERM. */
export async function ioUringFallbackBattery(): Promise<void> {
  const enosys = 'io_uring_setup:error=ENOSYS';
  await withUringFallback({ type: 'tcp', handler: 'echo', bindAddress: h.LOOPBACK4 }, enosys, async (srv) => {
    assert.match(srv.stderr(), /io_uring_queue_init: Function not implemented: .*falling back to epoll/);
    await h.tcpEchoBattery(srv);
    await sigtermOk(srv, 'tcp');
  });
  await withUringFallback({ type: 'tcp', handler: 'http', bindAddress: h.LOOPBACK4 }, enosys, async (srv) => {
    assert.ok(h.haveTool('wrk', ['-v']) || process.env.CI !== 'true', 'wrk is missing');
    if (h.haveTool('wrk', ['-v'])) {
      const w = h.runWrk(srv.port);
      assert.ok(w.ok, w.output);
      assert.equal(w.non2xx, 0, w.output);
      assert.ok(!w.socketErrors || !/read [1-9]|write [1-9]/.test(w.socketErrors), w.output);
    }
    await pipelinedHttp(srv.port);
    assert.deepEqual(await h.httpFraming(srv.port, h.LOOPBACK4), []);
    await sigtermOk(srv, 'tcp');
  });
  await withUringFallback({ type: 'udp', bindAddress: h.LOOPBACK4 }, enosys, async (srv) => {
    assert.deepEqual(await h.udpEcho(srv.port, h.LOOPBACK4, 50), []);
    const big = await h.udpLargeEcho(srv.port, h.LOOPBACK4);
    assert.ok(big.ok, `65507-byte datagram: received ${big.received} bytes`);
    await sigtermOk(srv, 'udp');
  });
}

/** EPERM (io_uring_disabled, seccomp) and a failed probe (Linux < 5.6) fall back too; EMFILE does not. */
export async function ioUringFallbackReasons(): Promise<void> {
  await withUringFallback({ type: 'tcp', bindAddress: h.LOOPBACK4 }, 'io_uring_setup:error=EPERM', async (srv) => {
    assert.match(srv.stderr(), /io_uring_queue_init: Operation not permitted: .*io_uring_disabled or seccomp.*falling back to epoll/);
    assert.equal((await h.echoOnce(srv.port, srv.host, Buffer.from('eperm'))).toString(), 'eperm');
    await sigtermOk(srv, 'tcp');
  });
  // A 512-byte datagram buffer: an oversize datagram is reported and dropped by the fallback too.
  await withUringFallback(
    { type: 'udp', bindAddress: h.LOOPBACK4 },
    'io_uring_register:error=EINVAL',
    async (srv) => {
      assert.match(srv.stderr(), /io_uring_register_probe: Invalid argument: .*falling back to epoll/);
      assert.deepEqual(await h.udpEcho(srv.port, h.LOOPBACK4, 5), []);
      const sock = dgram.createSocket('udp4');
      try {
        const replies: Buffer[] = [];
        sock.on('message', (m) => replies.push(m));
        sock.send(Buffer.alloc(2000, 1), srv.port, h.LOOPBACK4);
        const deadline = Date.now() + 10_000;
        while (!/dropped a datagram longer than 512 bytes/.test(srv.stderr()) && Date.now() < deadline) await h.sleep(20);
        assert.match(srv.stderr(), /dropped a datagram longer than 512 bytes/);
        assert.equal(replies.length, 0, 'a truncated datagram was echoed');
      } finally {
        sock.close();
      }
      await sigtermOk(srv, 'udp');
    },
    { flags: ['-O2', '-DDATAGRAM_BUFFER_SIZE=512'] },
  );
  // ASan/UBSan: the fallback (tcp http) serves and exits with no memory error (LeakSanitizer cannot
  // run under ptrace, so leaks are not checked here).
  await withUringFallback(
    { type: 'tcp', handler: 'http', bindAddress: h.LOOPBACK4 },
    'io_uring_setup:error=ENOSYS',
    async (srv) => {
      await pipelinedHttp(srv.port);
      await sigtermOk(srv, 'tcp');
    },
    { ...SANITIZE, env: { ...SANITIZE.env, ASAN_OPTIONS: 'detect_leaks=0:exitcode=23' } },
  );
  // Any other setup error (EMFILE here; ENOMEM falls back, c-uring-setup-errors) is fatal: exit 1
  // before the server says it listens.
  const r = generateC({ language: 'c', ioModel: 'io_uring', type: 'tcp', bindAddress: h.LOOPBACK4 });
  const { dir } = h.materialize(r);
  try {
    h.build(r, dir);
    const run = spawnSync('strace', ['-f', '-o', '/dev/null', '-e', 'inject=io_uring_setup:error=EMFILE', './server'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(run.status, 1, `exit ${run.status}; ${run.stderr}`);
    assert.equal(run.stdout, '', 'it said it was listening');
    assert.match(run.stderr, /io_uring_queue_init: Too many open files/);
    assert.doesNotMatch(run.stderr, /falling back|--io-model epoll/);
  } finally {
    h.cleanup(dir);
  }
}

/** io_uring with single-shot accept (the path for kernels before 5.19): the battery and SIGTERM still pass. */
export async function ioUringSingleShotAccept(): Promise<void> {
  await withCServer(
    { language: 'c', ioModel: 'io_uring', type: 'tcp', bindAddress: h.LOOPBACK4 },
    h.LOOPBACK4,
    async (srv) => {
      await h.tcpEchoBattery(srv);
      const st = await h.sigtermCheck(srv, 2000, 'tcp');
      assert.equal(st.code, 0, `${st.error ?? ''} ${srv.stderr()}`);
      assert.ok(st.rebound);
    },
    { flags: ['-O2', '-DMULTISHOT_ACCEPT=0'] },
  );
}

/**
 * SIGINT the moment the server says it is listening (quickstop): exit 0 with nothing on stderr but
 * "stopped", tcp and udp. The io_uring tcp server printed "accept: Bad file descriptor" every time: its
 * accept request was still unsubmitted when shutdown closed the listener.
 */
export async function quickStopIsQuiet(ioModel: string, runs = 10): Promise<void> {
  for (const type of ['tcp', 'udp'] as const) {
    const r = generateC({ language: 'c', ioModel, type, bindAddress: h.LOOPBACK4 });
    const { dir } = h.materialize(r);
    try {
      h.build(r, dir);
      const failures = await h.signalAtListening(r, dir, runs, 'SIGINT', 5000, 'stopped\n');
      assert.deepEqual(failures, [], `${type}: ${failures.slice(0, 3).join('\n')}`);
    } finally {
      h.cleanup(dir);
    }
  }
}

/** select with the default options (a pool of 3 here): idle clients are closed and cannot lock others out. */
export async function selectIdleLockout(platform: 'posix' | 'portable'): Promise<void> {
  const r = generateC({ language: 'c', ioModel: 'select', platform, type: 'tcp', bindAddress: h.LOOPBACK4, maxConnections: 3 });
  assert.equal(r.options.idleTimeoutMs, 60_000, 'default idle timeout for select');
  assert.deepEqual(await h.idleLockout(r, 3), []);
}

/** Runs a child to completion and returns its output (for compile checks). */
export function runAsync(cmd: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('error', (e) => {
      clearTimeout(t);
      resolve({ code: -1, output: `${output}${e.message}` });
    });
    p.once('close', (code) => {
      clearTimeout(t);
      resolve({ code, output });
    });
  });
}

/** Runs jobs with at most `limit` running at once (the machine has 2 cores). */
export async function pool<T>(jobs: (() => Promise<T>)[], limit = 2): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, jobs.length) }, async () => {
      while (next < jobs.length) {
        const k = next++;
        results[k] = await jobs[k]();
      }
    }),
  );
  return results;
}
