// try --json, config --json and options --json have schemas the library exports (review-api defect 1; product.md:
// every reporting command's --json has one). The real CLI's documents, on loopback, are parsed with them and must
// come back whole: zod drops a key its schema lacks, so a document equal to its parse has no field the schema misses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { z } from 'zod';
import { ConfigReportSchema, OptionListSchema, OptionReportSchema, TryReportSchema } from '../../src/index.js';
import { freePort } from '../helpers/free-port.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

function sockscope(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function validDoc(schema: z.ZodType, args: string[]): Promise<Record<string, unknown>> {
  const r = await sockscope(args);
  assert.ok(r.stdout.trim().startsWith('{'), `${args.join(' ')}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  const parsed = schema.safeParse(doc);
  assert.ok(parsed.success, `${args.join(' ')}: ${JSON.stringify(parsed.error?.issues)}`);
  assert.deepEqual(parsed.data, doc, `${args.join(' ')}: a field the schema does not describe`);
  return doc;
}

let tcp: Server;
let udp: UdpSocket;
let tcpPort = 0;
let udpPort = 0;
before(async () => {
  tcp = createServer((c) => c.destroy());
  await new Promise<void>((res) => tcp.listen(0, '127.0.0.1', res));
  tcpPort = (tcp.address() as { port: number }).port;
  udp = createSocket('udp4');
  await new Promise<void>((res) => udp.bind(0, '127.0.0.1', res));
  udpPort = udp.address().port;
});
after(async () => {
  await new Promise((res) => tcp.close(res));
  await new Promise<void>((res) => udp.close(() => res()));
});

test('try connect/bind/listen/sendto --json on loopback match TryReportSchema', async () => {
  const closed = await freePort();
  const ok = await validDoc(TryReportSchema, ['try', 'connect', `127.0.0.1:${tcpPort}`, '--json']);
  assert.equal((ok.interpretation as { ok: boolean }).ok, true);
  // Refused: the connect facts (route, listeners, existing sockets) are in the document.
  const refused = await validDoc(TryReportSchema, ['try', 'connect', `127.0.0.1:${closed}`, '--json']);
  assert.equal((refused.call as { errno?: string }).errno, 'ECONNREFUSED');
  assert.ok((refused.context as { connectFacts?: unknown }).connectFacts);
  // Held: EADDRINUSE with the holder.
  const held = await validDoc(TryReportSchema, ['try', 'bind', `127.0.0.1:${tcpPort}`, '--json']);
  assert.equal((held.call as { errno?: string }).errno, 'EADDRINUSE');
  assert.ok((held.context as { holders: unknown[] }).holders.length >= 1);
  await validDoc(TryReportSchema, ['try', 'bind', `127.0.0.1:${udpPort}`, '--udp', '--json']);
  await validDoc(TryReportSchema, ['try', 'listen', '127.0.0.1:0', '--backlog', '16', '--json']);
  // sendto to a bound UDP socket (udpSockets with drop counters) and to a closed port (ECONNREFUSED by ICMP).
  const sent = await validDoc(TryReportSchema, ['try', 'sendto', `127.0.0.1:${udpPort}`, '--json']);
  assert.ok(Array.isArray((sent.context as { udpSockets?: unknown[] }).udpSockets));
  await validDoc(TryReportSchema, ['try', 'sendto', `127.0.0.1:${closed}`, '--json']);
});

test('config --json matches ConfigReportSchema', async () => {
  const doc = await validDoc(ConfigReportSchema, ['config', '--json']);
  assert.ok(Array.isArray(doc.thresholds));
});

test('options --json and options NAME --json match OptionListSchema and OptionReportSchema', async () => {
  const list = await validDoc(OptionListSchema, ['options', '--json']);
  assert.ok((list.options as unknown[]).length > 10);
  await validDoc(OptionReportSchema, ['options', 'TCP_NODELAY', '--json']);
  // Another platform's name: the entry with foreignName.
  const foreign = await validDoc(OptionReportSchema, ['options', 'TCP_MAXRT', '--json']);
  assert.ok(foreign.foreignName, 'TCP_MAXRT carries foreignName');
});
