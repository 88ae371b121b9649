// inspect-options --port P on a port several sockets share: locateListener reads the member in trouble and
// says why (LocatedSocket.choice, review-udp #5), but the command printed only "3 other socket(s) also listen
// on it", so a user could not tell which member was read nor which the others are. The text output now
// prints the choice and --json carries it as located.choice. Real sockets on loopback: an SO_REUSEPORT group
// of 4 UDP members, one with an 8 KiB SO_RCVBUF never read, fed from new source ports (bounded: at most
// 8 s of 40 datagrams per 20 ms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { startPythonHolder } from '../helpers/python-holder.js';
import { InspectOptionsReportSchema } from '../../src/api/result-schemas.js';
import { AnalyzeReportSchema } from '../../src/report/schema.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

const HOLDER = [
  'import socket, json, os, sys, threading',
  'socks = []',
  'port = 0',
  'for i in range(4):',
  '    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  '    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)',
  '    if i == 1: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)',
  "    s.bind(('127.0.0.1', port))",
  '    port = s.getsockname()[1]',
  '    socks.append(s)',
  'def drain(s):',
  '    while True: s.recv(65536)',
  'for i, s in enumerate(socks):',
  '    if i != 1: threading.Thread(target=drain, args=(s,), daemon=True).start()',
  "print(json.dumps({'pid': os.getpid(), 'port': port, 'fds': [s.fileno() for s in socks]}), flush=True)",
  'sys.stdin.read()',
].join('\n');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => c.kill('SIGKILL'), 30_000);
    c.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('inspect-options --port on a shared UDP port prints which member it read and why, and --json carries it', { timeout: 90_000 }, async (t) => {
  const h = await startPythonHolder<{ pid: number; port: number; fds: number[] }>(t, HOLDER);
  const payload = Buffer.alloc(500, 0x62);
  let sending = true;
  const deadline = Date.now() + 8000;
  const sender = (async () => {
    while (sending && Date.now() < deadline) {
      // A new source port for each datagram: the group's hash spreads them over the 4 members.
      await Promise.all(
        Array.from({ length: 40 }, async () => {
          const tx = createSocket('udp4');
          await new Promise<void>((res) => tx.send(payload, h.port, '127.0.0.1', () => res()));
          tx.close();
        }),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  t.after(async () => {
    sending = false;
    await sender;
  });
  await new Promise((r) => setTimeout(r, 500));
  const chosen = new RegExp(`^chosen: udp 127\\.0\\.0\\.1:${h.port} inode \\d+ fd ${h.fds[1]} of pid ${h.pid}, the member (whose drop counter rose|with the fullest receive queue)[^;]*; others: `, 'm');
  const [text, json] = await Promise.all([run(['inspect-options', '--port', String(h.port)]), run(['inspect-options', '--port', String(h.port), '--json'])]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^found as: listener on port ${h.port} \\(3 other socket\\(s\\) also listen on it\\)\\n`, 'm'));
  assert.match(text.stdout, chosen, text.stdout);
  for (const i of [0, 2, 3]) assert.match(text.stdout, new RegExp(`^chosen: .*; others: .*fd ${h.fds[i]} of pid ${h.pid}`, 'm'));
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { fd: number; located: { how: string; others: number; choice?: string } };
  assert.equal(doc.fd, h.fds[1], 'the unread member is the one inspected');
  assert.equal(doc.located.others, 3);
  assert.match(doc.located.choice ?? '', chosen);
  // The library's schemas keep what the CLI prints (zod drops keys it does not know).
  assert.equal(InspectOptionsReportSchema.parse(JSON.parse(json.stdout)).located?.choice, doc.located.choice);
  const analyzed = await run(['analyze', '--port', String(h.port), '--json']);
  assert.equal(analyzed.code, 0, analyzed.stderr);
  const raw = JSON.parse(analyzed.stdout) as { listeners: Record<string, unknown>[] };
  const parsed = AnalyzeReportSchema.parse(raw);
  assert.equal(raw.listeners.length, 4);
  for (const l of raw.listeners) for (const k of ['recvQBytes', 'rcvbuf', 'drops']) assert.ok(k in l, `analyze --json listener has ${k}`);
  assert.deepEqual(parsed.listeners, raw.listeners, 'AnalyzeReportSchema keeps the UDP listener fields');
});
