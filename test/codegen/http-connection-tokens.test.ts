// http handler, Python (asyncio, selectors, threads) and Node: the Connection header is a comma-separated
// list of options, case-insensitive, and may come on several lines (RFC 9110 7.6.1, 5.3). "close" among
// them closes the connection after the response; otherwise HTTP/1.1 stays open and HTTP/1.0 only with
// "keep-alive", as the C servers decide. Python compared the whole value with "close" (and its header dict
// kept only the last of two Connection lines), Node the whole value too: `Connection: keep-alive, close`
// left the connection open; C read only the first Connection line and took "close" inside any word. A real
// client on loopback sends each request and sees whether the server closes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { GeneratorInput } from '../../src/codegen/index.js';
import * as h from './harness.js';
import { withServer } from './runtime-suite.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n';
const OK_CLOSE = OK.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n');

/** [what, request, expected reply, closed by the server]. */
const CASES: [string, string, string, boolean][] = [
  ['1.1 keep-alive, close', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n', OK_CLOSE, true],
  ['1.1 Keep-Alive , CLOSE (case, spaces)', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive , CLOSE\r\n\r\n', OK_CLOSE, true],
  ['1.1 close on the first of two Connection lines', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n', OK_CLOSE, true],
  ['1.1 close on the second of two Connection lines', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: x-a\r\nConnection: close\r\n\r\n', OK_CLOSE, true],
  ['1.1 Connection: x-a, keep-alive stays open', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: x-a, keep-alive\r\n\r\n', OK, false],
  ['1.1 without Connection stays open', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', OK, false],
  ['1.0 without Connection closes', 'GET / HTTP/1.0\r\n\r\n', OK_CLOSE, true],
  ['1.0 keep-alive, x-a stays open', 'GET / HTTP/1.0\r\nConnection: keep-alive, x-a\r\n\r\n', OK, false],
  ['1.0 Keep-Alive on a second Connection line stays open', 'GET / HTTP/1.0\r\nConnection: x-a\r\nConnection: Keep-Alive\r\n\r\n', OK, false],
  ['1.0 keep-alive, close closes', 'GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n', OK_CLOSE, true],
];

/** Sends request; resolves with what came back and whether the server closed within waitMs. */
function exchange(port: number, request: string, waitMs: number): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: h.LOOPBACK4 });
    let reply = '';
    const t = setTimeout(() => {
      s.destroy();
      resolve({ reply, closed: false });
    }, waitMs);
    s.on('data', (d) => (reply += d.toString('latin1')));
    s.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    s.once('end', () => {
      clearTimeout(t);
      s.destroy();
      resolve({ reply, closed: true });
    });
    s.write(request);
  });
}

async function failures(port: number): Promise<string[]> {
  const bad: string[] = [];
  await Promise.all(
    CASES.map(async ([what, request, expected, closes]) => {
      const got = await exchange(port, request, 1500).catch((e: Error) => ({ reply: `<${e.message}>`, closed: false }));
      if (got.reply !== expected || got.closed !== closes)
        bad.push(`${what}: expected ${closes ? 'close' : 'open'} ${JSON.stringify(expected)}, got ${got.closed ? 'close' : 'open'} ${JSON.stringify(got.reply)}`);
    }),
  );
  return bad;
}

const base: GeneratorInput = { type: 'tcp', handler: 'http', bindAddress: h.LOOPBACK4, idleTimeoutMs: 0 };

describe('http handler: Connection is a list of options on any number of lines', () => {
  for (const ioModel of ['asyncio', 'selectors', 'threads']) {
    test(`python ${ioModel}: Connection options decide keep-alive as in C`, { timeout: 60_000 }, async () => {
      await withServer({ ...base, language: 'python', ioModel }, h.LOOPBACK4, async (srv) => {
        assert.deepEqual(await failures(srv.port), [], `stderr: ${srv.stderr()}`);
      });
    });
  }
  test('node net: Connection options decide keep-alive as in C', { timeout: 60_000 }, async () => {
    await withServer({ ...base, language: 'node' }, h.LOOPBACK4, async (srv) => {
      assert.deepEqual(await failures(srv.port), [], `stderr: ${srv.stderr()}`);
    });
  });
  // C read only the first Connection line, and "close" anywhere in it (x-close-later closed too).
  for (const ioModel of ['epoll', 'poll']) {
    test(`c ${ioModel}: every Connection line, whole tokens`, { timeout: 90_000 }, async () => {
      await withServer({ ...base, language: 'c', ioModel }, h.LOOPBACK4, async (srv) => {
        const bad = await failures(srv.port);
        const token = await exchange(srv.port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: x-close-later\r\n\r\n', 1500);
        if (token.closed || token.reply !== OK) bad.push(`x-close-later is not "close": got ${token.closed ? 'close' : 'open'} ${JSON.stringify(token.reply)}`);
        assert.deepEqual(bad, [], `stderr: ${srv.stderr()}`);
      });
    });
  }
});
