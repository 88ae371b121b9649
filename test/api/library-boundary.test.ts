// The library as a consumer imports it (dist/index.js, the bundle `import ... from 'sockscope'` loads): what crosses
// the API boundary. Results are the caller's own objects (no aliasing of the attribution cache or the knowledge
// tables); a call uses its arguments and DEFAULT_CONFIG, not the working directory's config files or the
// environment; every error it throws is an exported class with a code (never a ZodError); generateServer and
// generateServerFiles refuse the same input the same way; importing the library evaluates no React.
// Needs the build (dist/index.js).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST = join(ROOT, 'dist/index.js');
type Lib = typeof import('../../src/index.js');
let L: Lib;
let server: Server;
let port: number;
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sockscope-boundary-'));
  dirs.push(d);
  return d;
}

before(async () => {
  assert.ok(existsSync(DIST), 'build first: dist/index.js');
  L = (await import(DIST)) as Lib;
  server = createServer((c) => c.end());
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', 9, res));
  port = (server.address() as { port: number }).port;
});

after(() => {
  server?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every object and array reachable from a value. */
function objects(v: unknown, out = new Set<object>()): Set<object> {
  if (typeof v !== 'object' || v === null || out.has(v)) return out;
  out.add(v);
  for (const x of Object.values(v)) objects(x, out);
  return out;
}

/** Objects two results share, and frozen objects a caller could not edit (the shared empty process list). */
function aliasing(a: unknown, b: unknown): { shared: number; frozen: number } {
  const inA = objects(a);
  const inB = objects(b);
  return { shared: [...inB].filter((o) => inA.has(o)).length, frozen: [...inA, ...inB].filter((o) => Object.isFrozen(o)).length };
}

test('snapshot(): a caller editing its result does not change later results (no ProcessRef shared with the attribution cache)', async () => {
  const s1 = await L.snapshot({ port, processes: 'all' });
  const s2 = await L.snapshot({ port, processes: 'all' });
  const mine = (s: typeof s1) => s.sockets.find((x) => x.state === 'LISTEN' && x.local.port === port)!;
  assert.deepEqual(mine(s1).processes.map((p) => p.pid), [process.pid], 'the listener is attributed to this process');
  assert.deepEqual(aliasing(s1, s2), { shared: 0, frozen: 0 });
  // What a dashboard trimming a snapshot does: rename, drop fd, add to a list.
  mine(s1).processes[0].name = 'MUTATED';
  for (const s of s1.sockets) for (const p of s.processes) delete (p as { fd?: number }).fd;
  for (const s of s1.sockets) s.processes.push({ pid: 1, name: 'added', fd: 0 }); // every list is the caller's: no TypeError
  const a = await L.analyze({ port });
  const real = mine(s2).processes[0];
  assert.notEqual(real.name, 'MUTATED');
  assert.deepEqual(a.listeners.map((l) => l.process), [{ pid: process.pid, name: real.name, fd: real.fd }]);
  const s3 = await L.snapshot({ port, processes: 'all' });
  assert.deepEqual(mine(s3).processes, mine(s2).processes, 'a later snapshot has the fd and name the system has');
});

test('analyze(), inspectOptions(), explainErrno(), describeOption(), generateServer(), sizeBuffers(), runTask(): two calls share no object', async () => {
  assert.equal(aliasing(await L.analyze({ port }), await L.analyze({ port })).shared, 0);
  assert.equal(aliasing(await L.analyzeStates({ port }), await L.analyzeStates({ port })).shared, 0);
  assert.equal(aliasing(await L.inspectOptions({ port }), await L.inspectOptions({ port })).shared, 0);
  const e = L.explainErrno('ECONNRESET');
  assert.equal(aliasing(e, L.explainErrno({ code: 104 })).shared, 0);
  e.matches[0].name = 'X';
  e.matches[0].numbers.linux = -1;
  assert.equal(L.explainErrno('ECONNRESET').matches[0].name, 'ECONNRESET', 'the errno table is not the result');
  assert.equal(L.explainErrno('ECONNRESET').matches[0].numbers.linux, 104);
  const o = L.describeOption('TCP_NODELAY');
  o.name = 'X';
  assert.equal(L.describeOption({ name: 'TCP_NODELAY' }).name, 'TCP_NODELAY', 'the option table is not the result');
  assert.equal(aliasing(L.generateServer({ type: 'udp', language: 'node' }), L.generateServer({ type: 'udp', language: 'node' })).shared, 0);
  assert.equal(aliasing(await L.sizeBuffers({ port, bandwidth: '1gbit' }), await L.sizeBuffers({ port, bandwidth: '1gbit' })).shared, 0);
  const t1 = await L.runTask({ operation: 'options', name: 'SO_RCVBUF' });
  assert.equal(aliasing(t1, await L.runTask({ operation: 'options', name: 'SO_RCVBUF' })).shared, 0);
});

/** Runs a module in a child process with this cwd and environment; its stdout parsed as JSON. */
function child(cwd: string, env: Record<string, string>, body: string): Record<string, unknown> {
  const file = join(cwd, 'use.mjs');
  writeFileSync(file, `import * as L from ${JSON.stringify(DIST)};\nconst out = {};\n${body}\nconsole.log(JSON.stringify(out));\n`);
  const r = spawnSync(process.execPath, [file], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const TRY = `const tryIt = async (name, f) => { try { await f(); out[name] = 'ok'; } catch (e) { out[name] = [e.name, e.code, e.message]; } };`;

test('a library call reads no config file in the working directory and no SOCKET_DEBUG / DEFAULT_BUFFER_SIZE', async () => {
  const broken = tempDir();
  writeFileSync(join(broken, 'sockscope.yaml'), 'thresholds: [\n');
  const out = child(broken, { SOCKET_DEBUG: 'verbose', DEFAULT_BUFFER_SIZE: '4096' }, `${TRY}
await tryIt('analyze', () => L.analyze({ port: ${port} }));
await tryIt('analyzeStates', () => L.analyzeStates({ port: ${port} }));
await tryIt('snapshot', () => L.snapshot({ port: ${port} }));
await tryIt('generateServer', () => L.generateServer({ type: 'tcp', language: 'c' }));
await tryIt('generateServerFiles', () => L.generateServerFiles({ type: 'tcp', language: 'python' }));
await tryIt('task', () => L.runTask({ operation: 'generate-server', type: 'tcp' }));
out.bufferSize = L.generateServer({}).options.bufferSize;
// sizeBuffers too (it read them until review-api #4): the default read size, not DEFAULT_BUFFER_SIZE's 4096.
await tryIt('sizeBuffers', async () => { out.buffersDefaults = (await L.sizeBuffers({ bandwidth: '1gbit', rtt: '10ms' })).defaults; });
// Reading the configuration on purpose: the exported class, with its code and the file named.
await tryIt('loadConfig', () => L.loadConfig());
out.loadConfig = [out.loadConfig[0], out.loadConfig[1], /sockscope\.yaml:2:1: invalid YAML/.test(out.loadConfig[2])];`);
  assert.deepEqual(out, {
    analyze: 'ok',
    analyzeStates: 'ok',
    snapshot: 'ok',
    generateServer: 'ok',
    generateServerFiles: 'ok',
    task: 'ok',
    bufferSize: 65536,
    sizeBuffers: 'ok',
    buffersDefaults: { bufferSize: 65536, origin: 'default', detail: null },
    loadConfig: ['ConfigError', 'config-error', true],
  });

  // A valid project file changes nothing either; the caller opts in with {config}.
  const project = tempDir();
  writeFileSync(join(project, 'sockscope.yaml'), 'defaultLanguage: python\nthresholds:\n  closeWaitCount: 1\n');
  const p = child(project, {}, `${TRY}
out.file = L.generateServer({}).files[0].path;
out.resolved = L.resolveOptions({}).language;
out.optedIn = L.generateServer({}, { config: { defaultLanguage: 'node' } }).files[0].path;
out.loaded = L.generateServer({}, { config: L.loadConfig().config }).files[0].path;
out.thresholdIds = (await L.analyzeStates({ port: ${port} })).recommendations.map((r) => r.id).filter((id) => id.startsWith('close-wait'));
await tryIt('badOption', () => L.analyze({ port: ${port} }, { config: { thresholds: { closeWaitCout: 1 } } }));`);
  assert.equal(p.file, 'server.c');
  assert.equal(p.resolved, 'c');
  assert.equal(p.optedIn, 'server.mjs');
  assert.equal(p.loaded, 'server.py');
  assert.deepEqual(p.thresholdIds, ['close-wait-ok'], 'closeWaitCount 1 in ./sockscope.yaml is not applied');
  assert.equal((p.badOption as string[])[1], 'invalid-input');
  assert.match((p.badOption as string[])[2], /options\.config\.thresholds\.closeWaitCout: unknown threshold/);
});

test('every error a library function throws is an exported class with a code; no ZodError', async () => {
  const exported = [L.InvalidInputError, L.CollectorError, L.NoSuchSocketError, L.ConfigError, L.OutputUnwritableError];
  const free = await freePort();
  // An fd that is not a socket: a regular file of this process.
  const fileFd = openSync(join(tempDir(), 'f'), 'w');
  const calls: [string, () => unknown][] = [
    ['explainErrno(NaN)', () => L.explainErrno(NaN)],
    ['explainErrno(1.5)', () => L.explainErrno(1.5)],
    ['explainErrno(Infinity)', () => L.explainErrno(Infinity)],
    ['explainErrno(EPIPE, os2)', () => L.explainErrno('EPIPE', { platform: 'os2' as never })],
    ['explainErrno(null)', () => L.explainErrno(null as never)],
    ['explainErrno({code: []})', () => L.explainErrno({ code: [] as never })],
    ['describeOption(5)', () => L.describeOption(5 as never)],
    ['describeOption("")', () => L.describeOption('')],
    ['generateServer(7)', () => L.generateServer(7 as never)],
    ['analyze([])', () => L.analyze([] as never)],
    ['analyze options', () => L.analyze({}, 5 as never)],
    ['snapshot(null)', () => L.snapshot(null as never)],
    ['sizeBuffers(bandwidth only)', () => L.sizeBuffers({ bandwidth: '1gbit' })],
    ['sizeBuffers(socketFd only)', () => L.sizeBuffers({ socketFd: 3 })],
    ['inspectOptions(free port)', () => L.inspectOptions({ port: free })],
    ['inspectOptions(file fd)', () => L.inspectOptions({ pid: process.pid, socketFd: fileFd })],
    ['debugConnection(bad address)', () => L.debugConnection({ address: 'no-port' })],
    ['runTask(bad)', () => L.runTask({ operation: 'errno', code: NaN })],
    ['generateServerFiles(unwritable)', () => L.generateServerFiles({ type: 'tcp', language: 'python', output: '/proc/sockscope-test.py' })],
  ];
  for (const [what, call] of calls) {
    let err: unknown;
    try {
      await call();
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof Error, `${what} throws`);
    assert.ok(exported.some((C) => err instanceof C), `${what}: ${(err as Error).name} is not an exported class: ${(err as Error).message}`);
    assert.equal(typeof (err as { code?: unknown }).code, 'string', `${what}: code`);
    assert.notEqual((err as Error).name, 'ZodError', what);
  }
  // The bare forms name the field, as the object form does.
  assert.throws(() => L.explainErrno('EPIPE', { platform: 'os2' as never }), (e: InstanceType<typeof L.InvalidInputError>) => e.code === 'invalid-input' && e.issues[0].path === 'platform');
  assert.throws(() => L.explainErrno(1.5), (e: InstanceType<typeof L.InvalidInputError>) => e.issues[0].path === 'code');
  assert.throws(
    () => L.generateServerFiles({ type: 'tcp', language: 'python', output: '/proc/sockscope-test.py' }),
    (e: InstanceType<typeof L.OutputUnwritableError>) => e instanceof L.OutputUnwritableError && e.code === 'output-unwritable' && e.message.startsWith('cannot write /proc/sockscope-test.py: '),
  );
  // Runtime failures: collector-error, with the subclass saying which input named no socket.
  await assert.rejects(L.inspectOptions({ port: free }), (e: InstanceType<typeof L.CollectorError>) => e instanceof L.CollectorError && e.code === 'collector-error' && /nothing listens on port/.test(e.message));
  await assert.rejects(L.inspectOptions({ pid: process.pid, socketFd: fileFd }), (e: InstanceType<typeof L.NoSuchSocketError>) => e instanceof L.NoSuchSocketError && e.code === 'collector-error' && e.field === 'socketFd');
  closeSync(fileFd);
});

test('generateServer and generateServerFiles: null/undefined refused; the same code and field for the same bad input; messages name fields, not flags', () => {
  for (const bad of [null, undefined]) {
    assert.throws(() => L.generateServer(bad as never), (e: InstanceType<typeof L.InvalidInputError>) => e instanceof L.InvalidInputError && e.code === 'invalid-input' && /takes an object/.test(e.message));
    assert.throws(() => L.generateServerFiles(bad as never), (e: InstanceType<typeof L.InvalidInputError>) => e.code === 'invalid-input');
  }
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      const err = e as InstanceType<typeof L.InvalidInputError>;
      return { code: err.code, paths: err.issues.map((i) => i.path), flags: /--[a-z]/.test(err.message + err.issues.map((i) => i.message).join()) };
    }
    assert.fail('no error');
  };
  const cases: Record<string, unknown>[] = [{ type: 'tcp', port: 70000 }, { type: 'tcp', language: 'cobol' }, { type: 'udp', backlog: 5 }, { language: 'python', ioModel: 'epoll' }, { type: 'tcp', bogus: 1 }];
  for (const input of cases) {
    const a = refusal(() => L.generateServer(input as never));
    const b = refusal(() => L.generateServerFiles(input as never));
    assert.deepEqual(a, b, JSON.stringify(input));
    assert.equal(a.flags, false, `${JSON.stringify(input)}: a message names a CLI flag`);
  }
  assert.equal(refusal(() => L.generateServer({ type: 'tcp', port: 70000 })).code, 'invalid-input');
  assert.equal(refusal(() => L.generateServer({ type: 'udp', backlog: 5 })).code, 'invalid-options');
  // The automation shape puts the fields under config.
  assert.deepEqual(refusal(() => L.generateServer({ operation: 'generate', type: 'udp-server', config: { backlog: 5 } })), { code: 'invalid-options', paths: ['config.backlog'], flags: false });
});

test('importing the library evaluates no React (Ink and the wizards load with loadWizard())', () => {
  const dir = tempDir();
  const file = join(dir, 'probe.mjs');
  // React calls Symbol.for('react.element'...) when its module is evaluated: the probe counts those.
  writeFileSync(
    file,
    `const seen = new Set(); const f = Symbol.for; Symbol.for = (k) => { if (String(k).startsWith('react.')) seen.add(k); return f(k); };
const L = await import(${JSON.stringify(DIST)});
const atImport = seen.size;
L.explainErrno('EPIPE');
const { Wizard, MonitorWizard } = await L.loadWizard();
console.log(JSON.stringify({ atImport, afterLoad: seen.size > 0, wizard: typeof Wizard, monitor: typeof MonitorWizard }));`,
  );
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { atImport: 0, afterLoad: true, wizard: 'function', monitor: 'function' });
});

test('types: runTask refuses an unknown field at compile time; Socket has peerInode', { timeout: 120_000 }, () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'check.ts'),
    `import { runTask, type Socket } from ${JSON.stringify(join(ROOT, 'src/index.js'))};
export async function use(): Promise<void> {
  const t = await runTask({ operation: 'errno', code: 104 });
  const linux: number | null = t.result.matches[0].numbers.linux;
  const g = await runTask({ operation: 'generate-server', type: 'udp', output: 'x.py' });
  const written: string[] | undefined = g.result.written;
  // @ts-expect-error unknown field
  await runTask({ operation: 'errno', code: 1, bogus: 1 });
  // @ts-expect-error errno needs a code
  await runTask({ operation: 'errno' });
  // @ts-expect-error analyze has no code
  await runTask({ operation: 'analyze', code: 1 });
  const s: Socket = { protocol: 'unix', state: 'ESTABLISHED', local: { address: '', port: 0 }, peer: { address: '', port: 0 }, recvQ: 0, sendQ: 0, processes: [], inode: 5, peerInode: 6 };
  console.log(linux, written, s);
}
`,
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, jsx: 'react-jsx', types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')], allowImportingTsExtensions: false }, files: ['check.ts'] }),
  );
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
