// The exported schemas of the task operations' results (errno, options, generate-server, buffers) and of the task
// failure document, checked against what the CLI and `sockscope task` really print. A schema strips fields it does
// not know, so "parses, and the parse equals the document" also catches a field the schema lacks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sockscope');
const DIST = join(ROOT, 'dist/index.js');
type Lib = typeof import('../../src/index.js');
let L: Lib;
let server: Server;
let port: number;
const clients: Socket[] = [];
const dir = mkdtempSync(join(tmpdir(), 'sockscope-result-schemas-'));

before(async () => {
  assert.ok(existsSync(DIST), 'build first: dist/index.js');
  L = (await import(DIST)) as Lib;
  server = createServer((c) => c.on('data', () => {}));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', 8, res));
  port = (server.address() as { port: number }).port;
  for (let i = 0; i < 2; i++) {
    const c = connect(port, '127.0.0.1');
    await new Promise<void>((res) => c.once('connect', () => res()));
    c.write('x'.repeat(1000));
    clients.push(c);
  }
});

after(() => {
  for (const c of clients) c.destroy();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], input?: string): { status: number | null; doc: unknown } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  assert.ok(r.stdout, `${args.join(' ')}: no output (${r.status}): ${r.stderr}`);
  return { status: r.status, doc: JSON.parse(r.stdout) };
}

/** A task through the CLI; every document it prints must fit TaskDocumentSchema whole. */
function task(t: object): { status: number | null; doc: { ok: boolean; result?: unknown } } {
  const r = cli(['task', '-'], JSON.stringify(t)) as { status: number | null; doc: { ok: boolean; result?: unknown } };
  holds(L.TaskDocumentSchema, r.doc, `task ${JSON.stringify(t).slice(0, 60)}`);
  return r;
}

/** Validates and checks nothing was stripped (a field the schema does not describe). */
function holds(schema: z.ZodType, doc: unknown, what: string): void {
  const r = schema.safeParse(doc);
  assert.ok(r.success, `${what}: ${r.success ? '' : JSON.stringify(r.error.issues.slice(0, 3))}`);
  assert.deepEqual(r.data, doc, `${what}: a field the schema does not describe`);
}

test('errno: the CLI document, the task result and explainErrno() fit ErrnoLookupSchema, for every kind of query', () => {
  for (const [code, platform] of [['ECONNRESET'], ['104'], ['54', 'macos'], ['ENOTSUP', 'macos'], ['EAI_AGAIN'], ['-3008'], ['-3'], ['ConnectionResetError'], ['connection refused'], ['WSAEWOULDBLOCK'], ['ERESTARTSYS'], ['10054', 'windows']]) {
    const args = ['errno', code, '--json', ...(platform ? ['--platform', platform] : [])];
    const c = cli(args);
    assert.equal(c.status, 0, args.join(' '));
    holds(L.ErrnoLookupSchema, c.doc, args.join(' '));
    holds(L.ErrnoLookupSchema, L.explainErrno({ code, ...(platform ? { platform: platform as 'macos' } : {}) }), `explainErrno ${code}`);
  }
  const t = task({ operation: 'errno', code: 'EPIPE' });
  assert.equal(t.status, 0);
  holds(L.ErrnoLookupSchema, t.doc.result, 'task errno');
});

test('options: every entry of the reference, and the CLI document, fit SocketOptionInfoSchema', () => {
  for (const name of L.SOCKET_OPTION_NAMES) holds(L.SocketOptionInfoSchema, L.describeOption(name), name);
  for (const name of ['SO_LINGER', 'TCP_INFO', 'IP_TOS']) {
    const c = cli(['options', name, '--json']);
    assert.equal(c.status, 0);
    holds(L.SocketOptionInfoSchema, c.doc, `options ${name} --json`);
  }
  holds(L.SocketOptionInfoSchema, task({ operation: 'options', name: 'nodelay' }).doc.result, 'task options');
});

test('generate-server: the CLI document and both generate tasks (with written) fit GenerateServerReportSchema', () => {
  for (const args of [['--type', 'tcp', '--language', 'c', '--io-model', 'epoll'], ['--type', 'udp', '--language', 'python'], ['--type', 'tcp', '--language', 'python', '--handler', 'http', '--keepalive', '60,10,5', '--profile', 'latency'], ['--type', 'tcp', '--language', 'c', '--sndbuf', '262144', '--max-connections', '64'], ['--type', 'tcp', '--language', 'c', '--platform', 'windows']]) {
    const c = cli(['generate-server', ...args, '--json']);
    assert.equal(c.status, 0, args.join(' '));
    holds(L.GenerateServerReportSchema, c.doc, args.join(' '));
  }
  const flat = task({ operation: 'generate-server', type: 'tcp', language: 'python', output: join(dir, 'flat.py') });
  assert.equal(flat.status, 0);
  holds(L.GenerateServerReportSchema, flat.doc.result, 'task generate-server');
  assert.deepEqual((flat.doc.result as { written: string[] }).written, [join(dir, 'flat.py')]);
  const auto = task({ operation: 'generate', type: 'udp-server', config: { port: 9000 } });
  holds(L.GenerateServerReportSchema, auto.doc.result, 'task generate');
});

test('buffers: link mode and live loopback connections fit BuffersReportSchema', async () => {
  holds(L.BuffersReportSchema, await L.sizeBuffers({ bandwidth: '10gbit', rtt: '80ms' }), 'link');
  const byPort = await L.sizeBuffers({ port, bandwidth: '1gbit' });
  assert.ok(byPort.connections.length >= 2, 'the two accepted connections');
  holds(L.BuffersReportSchema, byPort, 'port + bandwidth');
  const c = cli(['buffers', '--peer-port', String(port), '--json']);
  assert.equal(c.status, 0);
  holds(L.BuffersReportSchema, c.doc, 'buffers --peer-port --json');
  holds(L.BuffersReportSchema, task({ operation: 'buffers', port }).doc.result, 'task buffers');
});

test('inspect-options: the listener and a connection of this process (getsockopt), by port, inode and the CLI, fit InspectOptionsReportSchema', async () => {
  const srv = (await L.inspectOptions({ port })) as unknown;
  holds(L.InspectOptionsReportSchema, srv, 'listener by port');
  const snap = await L.snapshot({ peerPort: port, processes: 'all', details: true });
  const conn = snap.sockets.find((s) => s.state === 'ESTABLISHED' && s.peer.port === port && s.processes.length > 0)!;
  assert.ok(conn, 'a client connection of this process');
  for (const s of snap.sockets) holds(L.SocketSchema, s, `socket ${s.local.port}->${s.peer.port}`);
  const byFd = (await L.inspectOptions({ pid: process.pid, socketFd: conn.processes[0].fd })) as { tcpInfo?: unknown; kernelView?: unknown };
  assert.ok(byFd.tcpInfo && byFd.kernelView, 'getsockopt tcp_info and the kernel view');
  holds(L.InspectOptionsReportSchema, byFd, 'connection by pid/fd');
  holds(L.TcpInfoStructSchema, byFd.tcpInfo, 'tcp_info');
  holds(L.InspectOptionsReportSchema, await L.inspectOptions({ inode: conn.inode!, options: ['SO_RCVBUF', 'SO_LINGER', 'TCP_INFO', 'SO_RCVTIMEO'] }), 'by inode');
  const c = cli(['inspect-options', '--port', String(port), '--source', 'procfs', '--json']);
  assert.equal(c.status, 0);
  holds(L.InspectOptionsReportSchema, c.doc, 'inspect-options --port --source procfs --json');
  holds(L.InspectOptionsReportSchema, task({ operation: 'inspect-options', port, source: 'ss' }).doc.result, 'task inspect-options');
});

test('debug-connections: a listener, a refused port, a datagram, a failed TLS handshake fit ProbeResultSchema', async () => {
  const free = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  const ok = await L.debugConnection({ address: `127.0.0.1:${port}`, send: 'hello', timeoutMs: 1000 });
  holds(L.ProbeResultSchema, ok, 'a listener');
  const refused = await L.debugConnection({ address: `127.0.0.1:${free}`, timeoutMs: 1000 });
  assert.equal(refused.verdict.ok, false);
  holds(L.ProbeResultSchema, refused, 'refused');
  holds(L.ProbeResultSchema, await L.debugConnection({ address: `127.0.0.1:${free}`, udp: true, timeoutMs: 1000 }), 'udp, refused');
  holds(L.ProbeResultSchema, await L.debugConnection({ address: `localhost:${port}`, tls: true, timeoutMs: 1000 }), 'tls to a plain listener');
  const c = cli(['debug-connections', '--address', `[::1]:${free}`, '--source', 'procfs', '--json']);
  holds(L.ProbeResultSchema, c.doc, 'CLI, IPv6, procfs');
  holds(L.ProbeResultSchema, task({ operation: 'debug-connections', address: `127.0.0.1:${port}`, timeoutMs: 1000 }).doc.result, 'task');
  holds(L.TASK_RESULT_SCHEMAS['debug-connections'], ok, 'TASK_RESULT_SCHEMAS');
});

test('task failures fit TaskFailureSchema (bad input, unknown errno, runtime failure, unreadable input); analyze tasks fit TaskDocumentSchema', () => {
  const docs = [
    task({ operation: 'errno' }),
    task({ operation: 'errno', code: 'ENOTANERRNO' }),
    task({ operation: 'inspect-options', port: 1 }),
    task({ operation: 'generate-server', type: 'udp', backlog: 5 }),
    task({ operation: 'nope' }),
  ];
  writeFileSync(join(dir, 'broken.json'), '{');
  docs.push(cli(['task', join(dir, 'broken.json')]) as never);
  for (const d of docs) {
    assert.notEqual(d.status, 0);
    holds(L.TaskFailureSchema, d.doc, JSON.stringify(d.doc).slice(0, 80));
  }
  assert.equal(L.TaskFailureSchema.safeParse({ ok: true, operation: 'errno', result: {} }).success, false);
  // Every operation's success is a TaskDocumentSchema document too (task() checks it); the two not run above:
  for (const operation of ['analyze', 'analyze-states']) assert.equal(task({ operation, port }).status, 0);
  assert.equal(L.TaskDocumentSchema.safeParse({ ok: true, operation: 'errno', result: {} }).success, false, 'a result of the wrong shape');
});
