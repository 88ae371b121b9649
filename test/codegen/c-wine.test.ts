// Windows C variants at run time: the Winsock files (--platform windows, and the Windows side of
// --platform portable) are cross-compiled with MinGW (-Werror) and run under wine (Debian's wine64),
// then exercised by the same clients as on Linux. Ctrl-C arrives as SIGINT, which wine hands to the
// console control handler. Without wine this file FAILS when CI=true and skips on a developer machine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServer, type GenerateResult, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import * as h from './harness.js';
import { STRICT_FLAGS, rawExchange, sigintCheck } from './c-runtime.js';

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
const wineEnv = () => ({ ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all' });

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
    // wine's own client/server link can drop while a previous test's wineserver exits ("wine client
    // error: ... Connection reset by peer", before server.exe runs): that is wine, not the server; retry once.
    const srv = await h.startServer(r, dir, host, 30_000).catch((e: Error) => {
      if (!/wine client error/.test(e.message)) throw e;
      return h.startServer(r, dir, host, 30_000);
    });
    try {
      await fn(srv);
    } finally {
      await srv.kill();
    }
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
      const boot = spawnSync(wine.wine, ['wineboot', '-i'], { env: wineEnv(), encoding: 'utf8', timeout: 180_000 });
      assert.equal(boot.status, 0, `wineboot failed: ${boot.stderr}`);
    });
    after(() => {
      if (wine && prefix) spawnSync(wine.wineserver, ['-k'], { env: wineEnv(), timeout: 30_000 });
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
  });
}
