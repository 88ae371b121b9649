// The library API in-process (from src/index.ts, as the bundle exports it): every function validates its input with
// its exported schema (InvalidInputError naming the field), and returns the CLI's --json document on real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  analyze,
  analyzeStates,
  snapshot,
  AnalyzeReportSchema,
  StatesReportSchema,
  AnalyzeInputSchema,
  explainErrno,
  ErrnoInputSchema,
  describeOption,
  DescribeOptionInputSchema,
  generateServer,
  generateServerFiles,
  GenerateServerInputSchema,
  GenerateFilesInputSchema,
  GenerateAutomationInputSchema,
  inspectOptions,
  InspectOptionsInputSchema,
  debugConnection,
  DebugConnectionInputSchema,
  sizeBuffers,
  SizeBuffersInputSchema,
  InvalidInputError,
  UnknownErrnoError,
  UnknownOptionError,
} from '../../src/index.js';
import { freePort } from '../helpers/free-port.js';

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((c) => c.end());
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', 7, res));
  return { server, port: (server.address() as { port: number }).port };
}

function rejectsInput(p: Promise<unknown> | (() => unknown), path: string, message?: RegExp): Promise<void> {
  const check = (e: unknown) => {
    assert.ok(e instanceof InvalidInputError, `expected InvalidInputError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert.ok(e.issues.some((i) => i.path === path), `issue at "${path}" in ${JSON.stringify(e.issues)}`);
    if (message) assert.match(e.message, message);
    return true;
  };
  if (typeof p === 'function') {
    assert.throws(p, check);
    return Promise.resolve();
  }
  return assert.rejects(p, check);
}

test('analyze / analyzeStates / snapshot on a real loopback listener of this process', { timeout: 60_000 }, async (t) => {
  const { server, port } = await listen();
  t.after(() => server.close());
  const rep = AnalyzeReportSchema.parse(await analyze({ port }));
  assert.equal(rep.port, port);
  assert.equal(rep.states.LISTEN, 1);
  const l = rep.listeners.find((x) => x.port === port)!;
  assert.equal(l.process?.pid, process.pid);
  assert.equal(l.backlog, 7);
  const st = StatesReportSchema.parse(await analyzeStates({ port, source: 'procfs' }));
  assert.equal(st.states.LISTEN, 1);
  assert.equal(st.source, 'procfs');
  const snap = await snapshot({ port, protocols: ['tcp'] });
  assert.ok(snap.sockets.some((s) => s.local.port === port && s.state === 'LISTEN'));

  await rejectsInput(analyze({ port: 0 }), 'port');
  await rejectsInput(analyze({ port, peerPort: port }), '', /port or peerPort, not both/);
  await rejectsInput(analyzeStates({ source: 'dtrace' } as never), 'source');
  assert.equal(AnalyzeInputSchema.safeParse({ port: 80, extra: 1 }).success, false);
});

test('explainErrno and describeOption: the bare value as before, or an input object validated by the schema', () => {
  assert.deepEqual(explainErrno({ code: 'ECONNRESET' }), explainErrno('ECONNRESET'));
  assert.deepEqual(explainErrno({ code: 54, platform: 'macos' }), explainErrno(54, { platform: 'macos' }));
  assert.equal(explainErrno({ code: 10054 }).matches[0].name, 'ECONNRESET');
  rejectsInput(() => explainErrno({ code: '' }), 'code');
  rejectsInput(() => explainErrno({ code: 'EPIPE', platform: 'solaris' } as never), 'platform');
  assert.throws(() => explainErrno({ code: 'ENOPE_NOT_AN_ERRNO' }), UnknownErrnoError);
  // The tables' "not found" errors are InvalidInputErrors too (README: every function throws it), bare value or object.
  for (const bad of [() => explainErrno({ code: 'ENOPE_NOT_AN_ERRNO' }), () => explainErrno('ENOPE_NOT_AN_ERRNO'), () => explainErrno(99999)]) {
    assert.throws(bad, (e: unknown) => e instanceof InvalidInputError && e.code === 'unknown-errno' && e.issues[0].path === 'code');
  }
  assert.equal(ErrnoInputSchema.safeParse({ code: 'EPIPE', extra: true }).success, false);

  assert.deepEqual(describeOption({ name: 'nodelay' }), describeOption('TCP_NODELAY'));
  assert.equal(describeOption('TCP_NODELAY').level, 'IPPROTO_TCP');
  rejectsInput(() => describeOption({ name: '' }), 'name');
  assert.throws(() => describeOption({ name: 'SO_NOPE' }), UnknownOptionError);
  for (const bad of [() => describeOption({ name: 'SO_NOPE' }), () => describeOption('SO_NOPE')]) {
    assert.throws(bad, (e: unknown) => e instanceof InvalidInputError && e.code === 'unknown-option' && e.issues[0].path === 'name' && /did you mean/.test(e.message));
  }
  rejectsInput(() => describeOption(''), 'name');
  assert.equal(DescribeOptionInputSchema.safeParse({ name: 'x'.repeat(65) }).success, false);
});

test('generateServer (render only) and generateServerFiles (both shapes; writes only with output, never over a file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-api-gen-'));
  const cwd = process.cwd();
  try {
    process.chdir(dir);
    const flat = generateServer({ type: 'tcp', language: 'python', ioModel: 'asyncio', port: 9100 });
    assert.equal(flat.files[0].path, 'server.py');
    assert.equal(flat.options.port, 9100);
    assert.ok(GenerateServerInputSchema.safeParse({ type: 'tcp', port: 9100 }).success);

    const listed = generateServerFiles({ type: 'tcp-server', language: 'c', port: 9101 });
    assert.equal(listed.written, undefined);
    assert.deepEqual(readdirSync(dir), [], 'nothing written without output');

    const auto = generateServerFiles({ operation: 'generate', type: 'tcp-server', config: { port: 9102, backlog: 64, nonBlocking: true, tcpNodelay: true, output: 'a/srv.c' } });
    assert.deepEqual(auto.written, ['a/srv.c']);
    assert.equal(readFileSync(join(dir, 'a/srv.c'), 'utf8'), auto.files[0].content);
    assert.equal(auto.options.backlog, 64);
    writeFileSync(join(dir, 'a/srv.c'), 'mine');
    assert.throws(
      () => generateServerFiles({ operation: 'generate', type: 'tcp-server', config: { port: 9102, output: 'a/srv.c' } }),
      (e: unknown) => e instanceof InvalidInputError && e.code === 'file-exists',
    );
    assert.equal(readFileSync(join(dir, 'a/srv.c'), 'utf8'), 'mine');
    generateServerFiles({ type: 'tcp', language: 'c', output: 'a/srv.c', force: true });
    // A directory as output is bad input, with or without force (it was file-exists, and a runtime error with force).
    for (const force of [false, true]) {
      assert.throws(
        () => generateServerFiles({ type: 'tcp', language: 'c', output: 'a', force }),
        (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid-input' && e.issues[0].path === 'output' && /^a is a directory/.test(e.message),
      );
    }
    assert.notEqual(readFileSync(join(dir, 'a/srv.c'), 'utf8'), 'mine');

    rejectsInput(() => generateServerFiles({ operation: 'generate', type: 'tcp-server', config: { port: 70000 } }), 'config.port');
    rejectsInput(() => generateServerFiles({ language: 'cobol' } as never), 'language');
    assert.throws(() => generateServerFiles({ type: 'udp', tcpNodelay: true }), (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid-options' && /tcp only/.test(e.message));
    assert.equal(GenerateFilesInputSchema.safeParse({ type: 'udp-server', output: 'x.c' }).success, true);
    // generateServer (render only) refuses as generateServerFiles does: a wrong type or range is invalid-input, a
    // combination invalid-options; issues and messages name the option key, not the CLI flag.
    const invalidOptions = (path: string) => (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid-options' && e.issues.some((i) => i.path === path) && !e.message.includes('--');
    rejectsInput(() => generateServer({ type: 'tcp', port: 70000 }), 'port');
    rejectsInput(() => generateServer({ type: 'tcp', nodelay: true } as never), 'nodelay');
    assert.throws(() => generateServer({ type: 'udp', backlog: 5 }), invalidOptions('backlog'));
    assert.throws(() => generateServer({ type: 'tcp', language: 'python', ipv6: false, dualStack: true }), invalidOptions('dualStack'));
    assert.equal(GenerateAutomationInputSchema.parse({ operation: 'generate' }).type, 'tcp-server');
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inspectOptions on a listener of this process; debugConnection to it and to a closed port', { timeout: 60_000 }, async (t) => {
  const { server, port } = await listen();
  t.after(() => server.close());
  const r = await inspectOptions({ port, options: ['SO_ACCEPTCONN', 'SO_REUSEADDR'] });
  assert.equal(r.pid, process.pid);
  assert.equal(r.method, 'pidfd_getfd');
  const byName = new Map(r.options.map((o) => [o.name, o.value]));
  assert.equal(byName.get('SO_ACCEPTCONN'), true);
  assert.equal(byName.get('SO_REUSEADDR'), true, 'node sets SO_REUSEADDR on listeners');
  await rejectsInput(inspectOptions({ pid: process.pid }), 'socketFd');
  // An unknown name is reported at its place in the list, in the library's words (not the CLI's --options).
  await rejectsInput(inspectOptions({ port, options: ['SO_RCVBUF', 'SO_NOPE'] }), 'options[1]', /^unknown socket option 'SO_NOPE'/);
  assert.equal(InspectOptionsInputSchema.safeParse({ port, inode: 5 }).success, false);

  const ok = await debugConnection({ address: `127.0.0.1:${port}`, timeoutMs: 2000 });
  assert.equal(ok.verdict.ok, true);
  const closed = await freePort();
  const refused = await debugConnection({ address: `127.0.0.1:${closed}`, timeoutMs: 2000 });
  assert.equal(refused.addresses[0].connect.errno, 'ECONNREFUSED');
  assert.equal(refused.verdict.ok, false);
  await rejectsInput(debugConnection({ address: 'localhost' }), 'address');
  assert.equal(DebugConnectionInputSchema.parse({ address: 'a:1' }).timeoutMs, 3000);
});

test('sizeBuffers: link plan from bandwidth and rtt; CLI units and rules, messages name the fields', async () => {
  const r = await sizeBuffers({ bandwidth: '1gbit', rtt: '20ms' });
  assert.equal(r.link?.bdpBytes, 2_500_000);
  assert.equal(r.connections.length, 0);
  await rejectsInput(sizeBuffers({ bandwidth: '1Gbps', rtt: '20ms' }), 'bandwidth', /ambiguous/);
  await rejectsInput(sizeBuffers({ bandwidth: '1gbit', rtt: '20' }), 'rtt', /unit/);
  await rejectsInput(sizeBuffers({ rtt: '20ms' }), 'rtt', /rtt needs bandwidth/);
  await rejectsInput(sizeBuffers({ pid: 1 }), 'pid', /pid needs socketFd/);
  assert.equal(SizeBuffersInputSchema.safeParse({ port: 1, pid: 2, socketFd: 3 }).success, false);
});
