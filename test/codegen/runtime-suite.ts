// Declares the runtime tests for one generated variant (node:test): used by python.test.ts and
// node.test.ts, and reusable for C (pass the language/ioModel/platform input).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateServer, type GeneratorInput } from '../../src/codegen/index.js';
import * as h from './harness.js';

/** Starts a fresh server for input and always kills it and removes its dir. */
export async function withServer<T>(input: GeneratorInput, host: string, fn: (srv: h.RunningServer) => Promise<T>): Promise<T> {
  const r = generateServer({ port: 0, ...input });
  const { dir } = h.materialize(r);
  try {
    h.build(r, dir);
    const srv = await h.startServer(r, dir, host);
    try {
      return await fn(srv);
    } finally {
      await srv.kill();
    }
  } finally {
    h.cleanup(dir);
  }
}

export interface SuiteOptions {
  /** Skip the reuse-port test with this reason (e.g. the runtime cannot set SO_REUSEPORT). */
  reusePortUnsupported?: string;
  /** Extra TCP option sets (profiles, keepalive...) that must start, echo and stop cleanly. */
  optionSets?: GeneratorInput[];
}

/** Registers the runtime tests for a (language, ioModel) over tcp echo, tcp http and udp echo. */
export function runtimeSuite(label: string, base: GeneratorInput, opts: SuiteOptions = {}): void {
  test(`${label} tcp echo: 200 clients, 8 MiB slow reader, RST, half-close, fds, SIGTERM`, { timeout: 90_000 }, async () => {
    await withServer({ ...base, type: 'tcp', handler: 'echo', bindAddress: h.LOOPBACK4, tcpNodelay: true }, h.LOOPBACK4, async (srv) => {
      await h.tcpEchoBattery(srv);
      const st = await h.sigtermCheck(srv, 2000, 'tcp');
      assert.equal(st.error, undefined, `${st.error}\nstderr: ${srv.stderr()}`);
      assert.equal(st.code, 0, `exit code ${st.code} signal ${st.signal}; stderr: ${srv.stderr()}`);
      assert.ok(st.elapsedMs < 2000, `exit took ${st.elapsedMs} ms`);
      assert.ok(st.rebound, 'port did not bind again at once');
    });
  });

  test(`${label} tcp http answers wrk, HEAD and Content-Length framing, then SIGTERM`, { timeout: 60_000 }, async () => {
    assert.ok(h.haveTool('wrk', ['-v']) || process.env.CI !== 'true', 'wrk is missing');
    await withServer({ ...base, type: 'tcp', handler: 'http', bindAddress: h.LOOPBACK4 }, h.LOOPBACK4, async (srv) => {
      const w = h.runWrk(srv.port);
      assert.ok(w.ok, w.output);
      assert.equal(w.non2xx, 0, w.output);
      assert.ok(!w.socketErrors || !/read [1-9]|write [1-9]/.test(w.socketErrors), w.output);
      assert.deepEqual(await h.httpFraming(srv.port, h.LOOPBACK4), []);
      const st = await h.sigtermCheck(srv, 2000, 'tcp');
      assert.equal(st.code, 0, `${st.error ?? ''} stderr: ${srv.stderr()}`);
      assert.ok(st.rebound);
    });
  });

  test(`${label} tcp http: a request refused before it was read to the end gets its reply and a clean EOF (lingering close), no descriptor kept`, { timeout: 120_000 }, async () => {
    // A 4 KiB read buffer: the server refuses after the first read or few, with most of the request unread.
    await withServer({ ...base, type: 'tcp', handler: 'http', bindAddress: h.LOOPBACK4, bufferSize: 4096 }, h.LOOPBACK4, async (srv) => {
      assert.deepEqual(await h.lingeringClose(srv), []);
    });
  });

  test(`${label} udp echo: replies reach the right sender among 50, 65507-byte and empty datagrams echoed, SIGTERM`, { timeout: 60_000 }, async () => {
    await withServer({ ...base, type: 'udp', handler: 'echo', bindAddress: h.LOOPBACK4 }, h.LOOPBACK4, async (srv) => {
      const f = await h.udpEcho(srv.port, h.LOOPBACK4, 50);
      assert.deepEqual(f, []);
      // The largest IPv4 datagram comes back whole (the read buffer is never smaller than a datagram).
      const big = await h.udpLargeEcho(srv.port, h.LOOPBACK4);
      assert.ok(big.ok, `65507-byte datagram: received ${big.received} bytes`);
      assert.ok(await h.udpEmptyEcho(srv.port, h.LOOPBACK4), 'no reply to a zero-length datagram');
      const st = await h.sigtermCheck(srv, 2000, 'udp');
      assert.equal(st.code, 0, `${st.error ?? ''} stderr: ${srv.stderr()}`);
      assert.ok(st.rebound);
    });
  });

  test(`${label} IPv6 on ::1 (tcp and udp), dual-stack accepts IPv4`, { timeout: 60_000 }, async () => {
    await withServer({ ...base, type: 'tcp', bindAddress: h.LOOPBACK6 }, h.LOOPBACK6, async (srv) => {
      const got = await h.echoOnce(srv.port, h.LOOPBACK6, Buffer.from('over ipv6'));
      assert.equal(got.toString(), 'over ipv6');
    });
    await withServer({ ...base, type: 'udp', bindAddress: h.LOOPBACK6 }, h.LOOPBACK6, async (srv) => {
      assert.deepEqual(await h.udpEcho(srv.port, h.LOOPBACK6, 5), []);
    });
    await withServer({ ...base, type: 'tcp', dualStack: true }, h.LOOPBACK4, async (srv) => {
      assert.equal((await h.echoOnce(srv.port, h.LOOPBACK4, Buffer.from('v4 on v6'))).toString(), 'v4 on v6');
      assert.equal((await h.echoOnce(srv.port, h.LOOPBACK6, Buffer.from('v6'))).toString(), 'v6');
    });
  });

  test(`${label} port already in use (tcp and udp): one line on stderr naming the address, exit 1`, { timeout: 30_000 }, async () => {
    for (const type of ['tcp', 'udp'] as const) {
      const port = await h.freePort();
      const holder = await h.holdPort(type, port, h.LOOPBACK4);
      try {
        const r = generateServer({ ...base, type, port, bindAddress: h.LOOPBACK4 });
        const { dir } = h.materialize(r);
        try {
          h.build(r, dir);
          const run = await h.runToExit(r, dir);
          assert.equal(run.code, 1, `${type}: exit ${run.code}\n${run.stderr}`);
          assert.equal(run.stdout, '', `${type}: nothing on stdout`);
          const lines = run.stderr.trim().split('\n');
          assert.equal(lines.length, 1, `${type}: one line, got:\n${run.stderr}`);
          assert.match(lines[0], new RegExp(`127\\.0\\.0\\.1(:| port )${port}\\b`), `${type}: names the address`);
          assert.match(lines[0], /in use|EADDRINUSE/i);
        } finally {
          h.cleanup(dir);
        }
      } finally {
        await holder.close();
      }
    }
  });

  test(`${label} limits: idle timeout closes a silent connection; max connections refuses the extra one`, { timeout: 30_000 }, async () => {
    // Idle timeout 3 s: the held connections must still be open when the fourth one is handled (a
    // loaded machine can take over a second to get there; with 1.5 s one of them could already be gone).
    await withServer({ ...base, type: 'tcp', bindAddress: h.LOOPBACK4, idleTimeoutMs: 3000, maxConnections: 3 }, h.LOOPBACK4, async (srv) => {
      const held = await h.holdConnections(srv.port, srv.host, 3);
      const closed = held.map((s) => new Promise<number>((resolve) => s.once('close', () => resolve(Date.now()))));
      await h.sleep(100);
      // A fourth connection is accepted by the kernel, then closed by the server without an echo.
      const extra = await h.within(5000, h.echoOnce(srv.port, srv.host, Buffer.from('x'), { halfClose: false }).catch(() => Buffer.alloc(0)), 'extra connection');
      assert.equal(extra.length, 0, 'connection past --max-connections was served');
      const t0 = Date.now();
      const times = await h.within(10_000, Promise.all(closed), 'idle close');
      for (const t of times) assert.ok(t - t0 < 7500, 'idle connection not closed');
      // Below the limit again, and active connections are served.
      assert.equal((await h.echoOnce(srv.port, srv.host, Buffer.from('again'))).toString(), 'again');
    });
  });

  test(`${label} SIGTERM right after "listening on" exits 0 (tcp and udp; handlers are in place before the line)`, { timeout: 90_000 }, async () => {
    for (const type of ['tcp', 'udp'] as const) {
      const r = generateServer({ ...base, type, port: 0, bindAddress: h.LOOPBACK4 });
      const { dir } = h.materialize(r);
      try {
        h.build(r, dir);
        const failures = await h.signalAtListening(r, dir, 15);
        assert.deepEqual(failures, [], `${type}: ${failures.slice(0, 3).join('\n')}`);
      } finally {
        h.cleanup(dir);
      }
    }
  });

  test(`${label} out of descriptors (EMFILE, ulimit -n 64): no spinning, no log flood, serves again after`, { timeout: 60_000 }, async () => {
    const r = generateServer({ ...base, type: 'tcp', handler: 'echo', port: 0, bindAddress: h.LOOPBACK4 });
    const { dir } = h.materialize(r);
    try {
      h.build(r, dir);
      const srv = await h.startServer(r, dir, h.LOOPBACK4, 10_000, { shellPrefix: 'ulimit -n 64;' });
      try {
        const held = await h.within(20_000, h.holdConnections(srv.port, srv.host, 100), 'connect 100 clients');
        try {
          await h.sleep(500);
          const before = h.cpuMs(srv.pid);
          const logged = srv.stderr().length;
          await h.sleep(1000);
          const used = h.cpuMs(srv.pid) - before;
          const grew = srv.stderr().length - logged;
          assert.ok(used < 300, `server used ${used} ms of CPU in 1 s while out of descriptors (spinning)`);
          assert.ok(grew < 16 * 1024, `stderr grew by ${grew} bytes in 1 s while out of descriptors: ${srv.stderr().slice(-400)}`);
          assert.equal(srv.proc.exitCode, null, `server exited: ${srv.stderr().slice(-400)}`);
        } finally {
          for (const s of held) s.destroy();
        }
        await h.sleep(1500);
        const again = await h.within(10_000, h.echoOnce(srv.port, srv.host, Buffer.from('recovered')), 'echo after EMFILE');
        assert.equal(again.toString(), 'recovered');
      } finally {
        await srv.kill();
      }
    } finally {
      h.cleanup(dir);
    }
  });

  for (const extra of opts.optionSets ?? []) {
    test(`${label} runs with ${JSON.stringify(extra)}`, { timeout: 30_000 }, async () => {
      await withServer({ ...base, type: 'tcp', bindAddress: h.LOOPBACK4, ...extra }, h.LOOPBACK4, async (srv) => {
        const failures = await h.within(20_000, h.concurrentEcho(srv.port, srv.host, 20, 200_000), 'echo');
        assert.deepEqual(failures, []);
        const st = await h.sigtermCheck(srv, 2000, 'tcp');
        assert.equal(st.code, 0, `${st.error ?? ''} stderr: ${srv.stderr()}`);
        assert.equal(srv.stderr(), '', 'nothing on stderr');
      });
    });
  }

  test(`${label} reuse-port: two processes both get connections`, { timeout: 60_000, skip: opts.reusePortUnsupported }, async () => {
    const port = await h.freePort();
    const input = { ...base, type: 'tcp' as const, bindAddress: h.LOOPBACK4, reusePort: true, port };
    const ra = generateServer(input);
    const { dir } = h.materialize(ra);
    const servers: h.RunningServer[] = [];
    try {
      servers.push(await h.startServer(ra, dir));
      servers.push(await h.startServer(ra, dir));
      const [a, b] = await h.reusePortSpread(servers[0], servers[1], 40);
      assert.ok(a > 0 && b > 0, `connections per process: ${a} and ${b}`);
    } finally {
      for (const s of servers) await s.kill();
      h.cleanup(dir);
    }
  });
}
