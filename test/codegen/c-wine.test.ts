// Windows C variants at run time: the Winsock files (--platform windows, and the Windows side of
// --platform portable) are cross-compiled with MinGW (-Werror) and run under wine (Debian's wine64),
// then exercised by the same clients as on Linux. Ctrl-C arrives as SIGINT, which wine hands to the
// console control handler. Without wine this file FAILS when CI=true and skips on a developer machine.
// The tests share one wine session, started before them and ended after them (wine-session.ts says why): a
// server that started its own session left its stdout/stderr pipes open in wine's processes after it ended.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServer, type GenerateResult, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import * as h from './harness.js';
import { STRICT_FLAGS, rawExchange, sigintCheck } from './c-runtime.js';
import { sessionLog, sessionRunning, startWineSession, stdioHolders, stopWineSession } from './wine-session.js';

const MINGW = 'x86_64-w64-mingw32-gcc';

function findWine(): { wine: string; wineserver: string } | null {
  for (const [wine, wineserver] of [
    ['/usr/lib/wine/wine64', '/usr/lib/wine/wineserver64'],
    ['/usr/lib/wine/wine64', '/usr/lib/wine/wineserver'],
    ['/usr/bin/wine64', '/usr/bin/wineserver'],
    ['/usr/bin/wine', '/usr/bin/wineserver'],
  ]) {
    if (existsSync(wine) && existsSync(wineserver)) return { wine, wineserver };
  }
  return null;
}

const wine = findWine();
const ci = process.env.CI === 'true';
const MISSING = 'wine is not installed (apt-get install --no-install-recommends wine64): the Winsock variants cannot be run';

let prefix = '';
/** This process's child processes running wine not yet ended or whose pipes are still open, by command line. */
function wineChildren(): string[] {
  const handles = (process as unknown as { _getActiveHandles(): { spawnargs?: string[] }[] })._getActiveHandles();
  return handles.map((x) => x.spawnargs?.join(' ') ?? '').filter((cmd) => cmd.includes(wine!.wine));
}

/** Resolves when both of the server's pipes have closed (Node's 'exit' does not wait for that). */
async function pipesClosed(srv: h.RunningServer): Promise<void> {
  await Promise.all([srv.proc.stdout, srv.proc.stderr].map((s) => (s && !s.closed ? once(s, 'close') : undefined)));
}

/** A Windows build of input, run under wine (the harness execs runCommand in the build dir). */
function generateWin(input: GeneratorInput, flags: string[] = []): GenerateResult {
  const r = generateServer({ port: 0, ...input, language: 'c' }, { config: DEFAULT_CONFIG });
  const main = r.files[0].path;
  return {
    ...r,
    buildCommand: [MINGW, ...STRICT_FLAGS, '-O2', ...flags, '-o', 'server.exe', main, '-lws2_32'].join(' '),
    runCommand: `env WINEPREFIX=${prefix} WINEDEBUG=-all ${wine!.wine} ./server.exe`,
  };
}

async function withWinServer(input: GeneratorInput, host: string, fn: (srv: h.RunningServer) => Promise<void>, flags: string[] = []): Promise<void> {
  const r = generateWin(input, flags);
  const { dir } = h.materialize(r);
  try {
    h.build(r, dir);
    assert.ok(sessionRunning(prefix), `the wine session's wineserver is gone; its log:\n${sessionLog(prefix)}`);
    // A start that fails carries the wine session's log (wineserver aborts end every wine process of the prefix).
    const srv = await h.startServer(r, dir, host, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\nwineserver running: ${sessionRunning(prefix)}; the session's log:\n${sessionLog(prefix)}`);
    });
    try {
      // A wine process holding the server's stdout/stderr keeps them open after the server ends.
      const holders = stdioHolders(srv.pid);
      assert.deepEqual(holders, [], `the server's stdout/stderr are held by other processes: ${holders.join(', ')}\nthe session's log:\n${sessionLog(prefix)}`);
      await fn(srv);
    } finally {
      // Ctrl-C first: SIGKILL while the server waits in select()/WSAPoll() made Wine 8.0's wineserver abort about
      // once in 20 http tests ("sock_get_poll_events: Assertion `sock->obj.ops == &sock_ops' failed"), ending the
      // session and leaving its services.exe, winedevice.exe... running with no wineserver to end them.
      if (srv.proc.exitCode === null && srv.proc.signalCode === null) {
        srv.proc.kill('SIGINT');
        await h.within(5000, srv.exited, 'exit after Ctrl-C').catch(() => undefined);
      }
      await srv.kill();
    }
    await h.within(10_000, pipesClosed(srv), "the server's stdout and stderr closing after it ended");
  } finally {
    h.cleanup(dir);
  }
}

if (!wine && !ci) {
  test('c windows variants under wine', { skip: MISSING }, () => {});
} else {
  describe('c windows variants under wine', () => {
    before(() => {
      assert.ok(wine, MISSING);
      assert.ok(h.haveTool(MINGW), `${MINGW} is missing (apt-get install mingw-w64)`);
      prefix = mkdtempSync(join(tmpdir(), 'sockscope-wine-'));
      const session = startWineSession(wine, prefix);
      assert.ok(session.ok, `the wine session did not start: ${session.detail}`);
    });
    after(async () => {
      // Ends the session also when a test failed before the last one did.
      if (wine && prefix) await stopWineSession(wine, prefix);
      if (prefix) h.cleanup(prefix);
    });

    for (const platform of ['windows', 'portable'] as const) {
      for (const ioModel of ['select', 'poll']) {
        const label = `c ${platform} ${ioModel === 'poll' ? 'WSAPoll' : 'select'} (wine)`;
        const base: GeneratorInput = { ioModel, platform };

        test(`${label} tcp echo: 200 clients, 8 MiB slow reader, RST, half-close; Ctrl-C exits 0`, { timeout: 120_000 }, async () => {
          await withWinServer({ ...base, type: 'tcp', bindAddress: h.LOOPBACK4, tcpNodelay: true }, h.LOOPBACK4, async (srv) => {
            await h.tcpEchoBattery(srv);
            const st = await sigintCheck(srv, 3000);
            assert.equal(st.error, undefined, `${st.error}\nstderr: ${srv.stderr()}`);
            assert.equal(st.code, 0, `exit code ${st.code}; stderr: ${srv.stderr()}`);
            assert.ok(st.rebound, 'port did not bind again at once');
            assert.match(srv.stderr(), /stopped/);
          });
        });

        test(`${label} http answers wrk and pipelined requests`, { timeout: 60_000 }, async () => {
          await withWinServer({ ...base, type: 'tcp', handler: 'http', bindAddress: h.LOOPBACK4 }, h.LOOPBACK4, async (srv) => {
            if (h.haveTool('wrk', ['-v'])) {
              const w = h.runWrk(srv.port);
              assert.ok(w.ok, w.output);
              assert.equal(w.non2xx, 0, w.output);
            } else assert.ok(!ci, 'wrk is missing');
            const two = await rawExchange(srv.port, h.LOOPBACK4, 'GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n');
            assert.equal(two.match(/HTTP\/1\.1 200 OK/g)?.length, 2, two);
          });
        });

        test(`${label} udp echo among 50 clients and a 65507-byte datagram, IPv6 on ::1`, { timeout: 60_000 }, async () => {
          await withWinServer({ ...base, type: 'udp', bindAddress: h.LOOPBACK4 }, h.LOOPBACK4, async (srv) => {
            assert.deepEqual(await h.udpEcho(srv.port, h.LOOPBACK4, 50), []);
            const big = await h.udpLargeEcho(srv.port, h.LOOPBACK4);
            assert.ok(big.ok, `65507-byte datagram: received ${big.received} bytes`);
          });
          await withWinServer({ ...base, type: 'tcp', bindAddress: h.LOOPBACK6 }, h.LOOPBACK6, async (srv) => {
            assert.equal((await h.echoOnce(srv.port, h.LOOPBACK6, Buffer.from('winsock v6'))).toString(), 'winsock v6');
          });
        });

        test(`${label} udp datagram longer than the buffer: WSAEMSGSIZE detected and dropped`, { timeout: 60_000 }, async () => {
          await withWinServer(
            { ...base, type: 'udp', bindAddress: h.LOOPBACK4 },
            h.LOOPBACK4,
            async (srv) => {
              const sock = dgram.createSocket('udp4');
              try {
                await new Promise<void>((r) => sock.bind(0, h.LOOPBACK4, () => r()));
                const replies: Buffer[] = [];
                sock.on('message', (m) => replies.push(m));
                sock.send(Buffer.alloc(2000, 1), srv.port, h.LOOPBACK4);
                // Deadlines for a loaded machine (wine is slow to schedule); both waits end as soon as the event comes.
                const until = Date.now() + 10_000;
                while (!/dropped a datagram/.test(srv.stderr()) && Date.now() < until) await h.sleep(50);
                assert.match(srv.stderr(), /dropped a datagram/);
                sock.send(Buffer.from('small'), srv.port, h.LOOPBACK4);
                const replied = Date.now() + 10_000;
                while (replies.length === 0 && Date.now() < replied) await h.sleep(20);
                assert.deepEqual(replies.map(String), ['small']);
              } finally {
                sock.close();
              }
            },
            ['-DDATAGRAM_BUFFER_SIZE=512'],
          );
        });

        test(`${label} port in use on 127.0.0.1 (tcp and udp): one line "cannot bind 127.0.0.1 port N: ...", exit 1`, { timeout: 120_000 }, async () => {
          for (const type of ['tcp', 'udp'] as const) {
            const port = await h.freePort();
            const holder = await h.holdPort(type, port, h.LOOPBACK4);
            try {
              const r = generateWin({ ...base, type, port, bindAddress: h.LOOPBACK4 });
              const { dir } = h.materialize(r);
              try {
                h.build(r, dir);
                const run = await h.runToExit(r, dir, 30_000);
                assert.equal(run.code, 1, `${type}: exit ${run.code}\nstderr: ${run.stderr}`);
                const lines = run.stderr.trim().split(/\r?\n/);
                assert.equal(lines.length, 1, `${type}: one line, got:\n${run.stderr}`);
                assert.match(lines[0], new RegExp(`^cannot bind 127\\.0\\.0\\.1 port ${port}: \\S`), type);
              } finally {
                h.cleanup(dir);
              }
            } finally {
              await holder.close();
            }
          }
        });
      }
    }

    test('the wine session ends with the tests: no process of its WINEPREFIX is left, no pipe of a server open', async () => {
      assert.ok(sessionRunning(prefix), `the wine session's wineserver was gone after the tests; its log:\n${sessionLog(prefix)}`);
      const left = await stopWineSession(wine!, prefix);
      assert.deepEqual(left, [], `still running after wineserver -k and -w (now killed): ${left.join(', ')}`);
      // A child's handle is closed on the loop's next turn after its 'exit' (a wait with a bound).
      const until = Date.now() + 5000;
      while (wineChildren().length > 0 && Date.now() < until) await h.sleep(20);
      assert.deepEqual(wineChildren(), [], `open handles: ${process.getActiveResourcesInfo().join(', ')}`);
    });
  });
}
