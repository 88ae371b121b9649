// debug-connections' --send/--expect exchange with a real loopback server whose replies are UTF-8, split
// UTF-8, latin1 and bytes that are no text: the reply is read as UTF-8 (bad bytes as \xNN) and --expect is
// matched on bytes (it decoded as latin1: "héllo" printed "hÃ©llo" and never matched).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { exchange, probeConnections, tcpConnect } from '../../src/collect/connect-probe.js';
import { escapeControl } from '../../src/model/escape.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

/** A loopback server that answers each connection's first data with `reply` (written as the given pieces, 30 ms apart). */
async function replier(pieces: Buffer[]): Promise<{ port: number; close: () => void }> {
  const conns = new Set<Socket>();
  const srv = createServer((c) => {
    conns.add(c);
    c.on('error', () => {});
    c.once('data', async () => {
      for (const p of pieces) {
        c.write(p);
        await new Promise((r) => setTimeout(r, 30));
      }
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as { port: number }).port,
    close: () => {
      for (const c of conns) c.destroy();
      srv.close();
    },
  };
}

async function talk(port: number, expect: string | undefined, timeoutMs = 1500) {
  const c = await tcpConnect('127.0.0.1', port, 2000);
  assert.ok(c.ok, c.message);
  try {
    return await exchange(c.socket!, 'hi\\n', expect, timeoutMs);
  } finally {
    c.socket!.destroy();
  }
}

test('a UTF-8 reply reads as UTF-8 and --expect matches it, also when a character is split over two writes', async (t) => {
  const whole = await replier([Buffer.from('héllo wörld\n', 'utf8')]);
  t.after(whole.close);
  const a = await talk(whole.port, 'héllo');
  assert.equal(a.received, 'héllo wörld\n');
  assert.equal(a.ok, true);

  const e = Buffer.from('héllo', 'utf8'); // h, C3 A9, llo: cut between C3 and A9
  const split = await replier([e.subarray(0, 2), e.subarray(2)]);
  t.after(split.close);
  const b = await talk(split.port, 'héllo');
  assert.equal(b.ok, true, b.error);
  assert.equal(b.received, 'héllo');
});

test('latin1 and bytes that are not UTF-8 show as \\xNN and do not match the UTF-8 text', async (t) => {
  const latin1 = await replier([Buffer.from([0x68, 0xe9, 0x6c, 0x6c, 0x6f, 0xff, 0x0a])]);
  t.after(latin1.close);
  const r = await talk(latin1.port, 'héllo', 500);
  assert.equal(r.ok, false, 'a latin1 0xE9 is not the é the user typed');
  assert.equal(escapeControl(r.received), 'h\\xe9llo\\xff\\n');
  const plain = await talk(latin1.port, 'llo');
  assert.equal(plain.ok, true, 'ASCII around the bad bytes still matches');
});

test('debug-connections prints a UTF-8 reply as sent and --expect héllo matches (CLI, --json and text)', { timeout: 60_000 }, async (t) => {
  const srv = await replier([Buffer.concat([Buffer.from('héllo ', 'utf8'), Buffer.from([0xff, 0x0a])])]);
  t.after(srv.close);
  // the library path, with the same server
  const p = await probeConnections({ host: '127.0.0.1', port: srv.port, timeoutMs: 2000, send: 'hi\\n', expect: 'héllo' });
  assert.equal(p.addresses[0].exchange?.ok, true);

  const cli = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      // async: the server is in this process and must answer while the CLI runs
      const c = spawn(BIN, ['debug-connections', '--address', `127.0.0.1:${srv.port}`, '--send', 'hi\\n', '--expect', 'héllo', '--timeout', '2s', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d) => (stdout += d));
      c.stderr.on('data', (d) => (stderr += d));
      const kill = setTimeout(() => c.kill('SIGKILL'), 30_000);
      c.on('close', (status) => {
        clearTimeout(kill);
        resolve({ status, stdout, stderr });
      });
    });
  const json = await cli(['--json']);
  assert.equal(json.status, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { addresses: { exchange: { received: string; ok: boolean } }[] };
  assert.equal(doc.addresses[0].exchange.ok, true);
  assert.equal(doc.addresses[0].exchange.received, 'héllo \udcff\n', 'the bad byte kept as U+DCFF (\\udcff in the JSON text)');
  const text = await cli([]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /reply: +héllo \\xff\\n/);
  assert.match(text.stdout, /expect: +matched/);
});
