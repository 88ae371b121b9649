// `sockscope task` end to end through the built CLI: every operation on real things (a live loopback scenario, a
// process holding sockets with known options, a listener and a closed port, gcc on generated code), the result equal
// to the matching command's --json, JSON error documents with exit 2 for bad input and 1 for runtime failures, and
// --output written atomically without replacing an existing file unless --force.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openScenario, type Scenario } from '../helpers/scenario.js';
import { freePort } from '../helpers/free-port.js';
import { asC, startKnownOptions } from '../collect/getsockopt-helpers.js';
import { AnalyzeReportSchema, StatesReportSchema } from '../../src/report/schema.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dirs: string[] = [];
let sc: Scenario;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/sockscope without blocking this event loop (listeners in this process keep answering). */
function sockscope(args: string[], opts: { cwd?: string; stdin?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sockscope-task-'));
  dirs.push(d);
  return d;
}

/** Writes the task into a fresh directory and runs `sockscope task` there. */
async function task(input: unknown, extra: string[] = [], dir = tempDir()): Promise<Run & { dir: string; doc: any }> {
  const file = join(dir, 'task.json');
  writeFileSync(file, typeof input === 'string' ? input : JSON.stringify(input));
  const r = await sockscope(['task', file, ...extra], { cwd: dir });
  let doc: unknown;
  try {
    doc = r.stdout ? JSON.parse(r.stdout) : undefined;
  } catch {
    assert.fail(`stdout is not one JSON document:\n${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { ...r, dir, doc };
}

/** Runs a reporting command with --json and parses it. */
async function cliJson(args: string[], cwd?: string): Promise<any> {
  const r = await sockscope([...args, '--json'], { cwd });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/**
 * What must not differ between the task's result and the command's --json for the same scenario: the document's
 * fields, the scope, the states, the listeners and their owners, and which recommendations fire. Host-wide figures
 * in the evidence (TIME_WAIT totals of a busy machine), the time, and processes caught mid-fork may differ.
 */
function stable(doc: any): unknown {
  return {
    keys: Object.keys(doc).sort(),
    scope: [doc.source, doc.port, doc.peerPort],
    states: doc.states,
    listeners: doc.listeners?.map((l: any) => [l.address, l.port, l.protocol, l.backlog, l.process?.pid]),
    recommendations: doc.recommendations.map((r: any) => [r.id, r.severity, r.message]),
    recommendation: doc.recommendation,
  };
}

/** The task's result is the command's --json (see stable()); live sockets may change between the two runs, so up to 3 tries. */
async function sameAsCli(input: unknown, args: string[]): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await task(input);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const cli = await cliJson(args);
    try {
      assert.deepEqual(stable(r.doc.result), stable(cli));
      return;
    } catch (e) {
      last = e;
      await new Promise((res) => setTimeout(res, 300));
    }
  }
  throw last;
}

function gccSyntax(file: string): void {
  const r = spawnSync('gcc', ['-fsyntax-only', '-Wall', '-Wextra', file], { encoding: 'utf8' });
  if (r.error) assert.fail(`gcc is required (Debian package gcc): ${r.error.message}`);
  assert.equal(r.status, 0, `gcc -fsyntax-only ${file}:\n${r.stderr}`);
}

before(async () => {
  sc = await openScenario({ timeWait: 2, acceptBacklog: 2, acceptClients: 2, noIpv6: true });
});
after(async () => {
  await sc?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('task analyze on the live CLOSE_WAIT port: the analyze --json document, owner and states from the kernel', { timeout: 90_000 }, async () => {
  const port = sc.closeWait.port;
  const r = await task({ operation: 'analyze', port });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.doc.ok, true);
  assert.equal(r.doc.operation, 'analyze');
  const rep = AnalyzeReportSchema.parse(r.doc.result);
  assert.equal(rep.port, port);
  assert.equal(rep.states.LISTEN, 1);
  assert.equal(rep.states.CLOSE_WAIT, 1);
  assert.equal(rep.listeners.find((l) => l.protocol === 'tcp')?.process?.pid, sc.pid);
  // The same document as the command (apart from the collection time).
  await sameAsCli({ operation: 'analyze', port }, ['analyze', '--port', String(port)]);
});

test('task analyze thresholds override the configured ones: one CLOSE_WAIT socket becomes a warning naming the pid', { timeout: 60_000 }, async () => {
  const port = sc.closeWait.port;
  const plain = await task({ operation: 'analyze', port });
  assert.ok(!plain.doc.result.recommendations.some((r: { id: string }) => r.id === 'close-wait-accumulating'));
  const strict = await task({ operation: 'analyze', port, thresholds: { closeWaitCount: 1 } });
  assert.equal(strict.status, 0, strict.stdout);
  const rec = strict.doc.result.recommendations.find((r: { id: string }) => r.id === 'close-wait-accumulating');
  assert.ok(rec, JSON.stringify(strict.doc.result.recommendations));
  assert.equal(rec.severity, 'warning');
  assert.match(rec.message, new RegExp(`pid ${sc.pid}`));
});

test('task analyze-states: every state, one recommendation line, equal to analyze-states --json', { timeout: 60_000 }, async () => {
  const port = sc.listener.port;
  const r = await task({ operation: 'analyze-states', port, source: 'netlink' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const rep = StatesReportSchema.parse(r.doc.result);
  assert.equal(rep.states.LISTEN, 1);
  assert.equal(rep.source, 'netlink');
  assert.ok(rep.recommendation.length > 0);
  await sameAsCli({ operation: 'analyze-states', port, source: 'netlink' }, ['analyze-states', '--port', String(port), '--source', 'netlink']);
});

test('task errno: by name, by number with a platform, equal to errno --json; an unknown code is exit 2', async () => {
  const r = await task({ operation: 'errno', code: 'ECONNRESET' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(r.doc.result, await cliJson(['errno', 'ECONNRESET']));
  assert.equal(r.doc.result.matches[0].numbers.linux, 104);
  const mac = await task({ operation: 'errno', code: 54, platform: 'macos' });
  assert.equal(mac.status, 0, mac.stdout);
  assert.equal(mac.doc.result.matches[0].name, 'ECONNRESET');
  const bad = await task({ operation: 'errno', code: 'ECONNRESETT' });
  assert.equal(bad.status, 2);
  assert.equal(bad.doc.ok, false);
  assert.equal(bad.doc.error.code, 'unknown-errno');
  assert.match(bad.doc.error.message, /ECONNRESET/);
  assert.deepEqual(bad.doc.error.issues.map((i: { path: string }) => i.path), ['code']);
});

test('task generate (automation shape) writes a C server that compiles, never over an existing file', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const input = { operation: 'generate', type: 'tcp-server', config: { port: 9000, backlog: 128, nonBlocking: true, tcpNodelay: true, output: 'out/server.c' } };
  const r = await task(input, [], dir);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.doc.operation, 'generate');
  const res = r.doc.result;
  assert.deepEqual(res.written, ['out/server.c']);
  assert.deepEqual(res.files.map((f: { path: string }) => f.path), ['out/server.c']);
  assert.equal(res.options.type, 'tcp');
  assert.equal(res.options.port, 9000);
  assert.equal(res.options.backlog, 128);
  assert.equal(res.options.nonBlocking, true);
  assert.equal(res.options.tcpNodelay, true);
  const file = join(dir, 'out/server.c');
  assert.equal(readFileSync(file, 'utf8'), res.files[0].content);
  assert.match(res.files[0].content, /TCP_NODELAY/);
  gccSyntax(file);

  // Second run: the file exists -> exit 2, nothing replaced; "force": true replaces it.
  writeFileSync(file, '/* mine */\n');
  const again = await task(input, [], dir);
  assert.equal(again.status, 2, again.stdout);
  assert.equal(again.doc.error.code, 'file-exists');
  assert.equal(readFileSync(file, 'utf8'), '/* mine */\n');
  const forced = await task({ ...input, force: true }, [], dir);
  assert.equal(forced.status, 0, forced.stdout);
  assert.notEqual(readFileSync(file, 'utf8'), '/* mine */\n');
  assert.deepEqual(readdirSync(join(dir, 'out')), ['server.c'], 'no temporary files left');
});

test('task generate-server (flat shape) lists the files without writing; equal to generate-server --json; compiles', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const input = { operation: 'generate-server', type: 'tcp', port: 7000, language: 'c', ioModel: 'poll', bufferSize: 16384 };
  const r = await task(input, [], dir);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(readdirSync(dir), ['task.json'], 'no output path: nothing written');
  const res = r.doc.result;
  assert.equal(res.written, undefined);
  assert.equal(res.options.ioModel, 'poll');
  assert.equal(res.options.bufferSize, 16384);
  assert.equal(res.options.port, 7000);
  const cli = await cliJson(['generate-server', '--type', 'tcp', '--port', '7000', '--language', 'c', '--io-model', 'poll', '--buffer-size', '16384'], dir);
  assert.deepEqual(res, cli);
  const c = join(dir, 'check.c');
  writeFileSync(c, res.files[0].content);
  gccSyntax(c);

  // Semantic errors from the generator are bad input too, with its message.
  const bad = await task({ operation: 'generate-server', type: 'udp', language: 'c', backlog: 10 });
  assert.equal(bad.status, 2);
  assert.equal(bad.doc.error.code, 'invalid-options');
  assert.match(bad.doc.error.message, /backlog applies to type tcp only/); // the task's field, not the CLI flag
});

test('task inspect-options reads the real values of sockets another process holds', { timeout: 60_000 }, async (t) => {
  const p = await startKnownOptions('reno');
  t.after(() => p.stop());
  const s = p.sockets['tcp4-listener'];
  const r = await task({ operation: 'inspect-options', pid: p.pid, socketFd: s.fd, options: ['SO_RCVBUF', 'TCP_NODELAY', 'SO_KEEPALIVE'] });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const res = r.doc.result;
  assert.equal(res.method, 'pidfd_getfd');
  assert.equal(res.pid, p.pid);
  // SO_RCVLOWAT is read along: SO_RCVBUF's verdict depends on it.
  assert.deepEqual(res.options.map((o: { name: string }) => o.name), ['SO_RCVLOWAT', 'SO_RCVBUF', 'TCP_NODELAY', 'SO_KEEPALIVE']);
  assert.equal(res.options[0].readBecause, 'SO_RCVBUF');
  for (const o of res.options.slice(1)) assert.deepEqual(asC(o.value), s.options[o.name], o.name);
  // The listener's SO_RCVBUF 512 KiB: set, or the tcp_rmem[1] it was created under (review s19 diffE): named, not unusual.
  assert.match(res.options[1].meaning, /which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was 512 KiB when the socket was created/);
  assert.ok(!res.unusual.some((u: string) => /SO_RCVBUF/.test(u)));

  // By port: the same socket, found through the collector.
  const byPort = await task({ operation: 'inspect-options', port: s.port, options: ['TCP_NODELAY'] });
  assert.equal(byPort.status, 0, byPort.stdout);
  assert.equal(byPort.doc.result.fd, s.fd);
  assert.match(byPort.doc.result.located.how, new RegExp(`port ${s.port}`));

  // An unknown option name is bad input (exit 2); nothing listening is a runtime failure (exit 1).
  const unknown = await task({ operation: 'inspect-options', pid: p.pid, socketFd: s.fd, options: ['SO_NOPE'] });
  assert.equal(unknown.status, 2, unknown.stdout);
  assert.equal(unknown.doc.error.code, 'unknown-option');
  assert.equal(unknown.doc.error.issues[0].path, 'options[0]');
  const closed = await freePort();
  const none = await task({ operation: 'inspect-options', port: closed });
  assert.equal(none.status, 1, none.stdout);
  assert.equal(none.doc.ok, false);
  assert.equal(none.doc.error.code, 'collector-error');
  assert.match(none.doc.error.message, /nothing listens on port/);
});

test('task debug-connections: a local listener accepts, a closed port is refused (a diagnosis, exit 0)', { timeout: 60_000 }, async (t) => {
  const server: Server = createServer((c) => c.end('hello\n'));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const ok = await task({ operation: 'debug-connections', address: `127.0.0.1:${port}`, expect: 'hello', timeoutMs: 3000 });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.equal(ok.doc.result.verdict.ok, true);
  assert.equal(ok.doc.result.addresses[0].connect.ok, true);
  assert.equal(ok.doc.result.addresses[0].exchange.ok, true);

  const closed = await freePort();
  const refused = await task({ operation: 'debug-connections', address: `127.0.0.1:${closed}`, timeoutMs: 2000 });
  assert.equal(refused.status, 0, refused.stdout);
  assert.equal(refused.doc.result.verdict.ok, false);
  assert.equal(refused.doc.result.addresses[0].connect.errno, 'ECONNREFUSED');
  assert.match(refused.doc.result.verdict.summary, /refuses connections/);

  const bad = await task({ operation: 'debug-connections', address: 'no-port-here' });
  assert.equal(bad.status, 2);
  assert.equal(bad.doc.error.issues[0].path, 'address');
});

test('task buffers: bandwidth and rtt give the buffers --json link plan; units are required (exit 2)', async () => {
  const r = await task({ operation: 'buffers', bandwidth: '10gbit', rtt: '80ms' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.doc.result.link.bdpBytes, 100_000_000);
  assert.equal(r.doc.result.link.rttMs, 80);
  // The same document but for the time it was made (link mode dates its caps reading).
  const cli = await cliJson(['buffers', '--bandwidth', '10gbit', '--rtt', '80ms']);
  assert.deepEqual({ ...r.doc.result, time: null }, { ...cli, time: null });
  const ambiguous = await task({ operation: 'buffers', bandwidth: '10Gbps', rtt: '80ms' });
  assert.equal(ambiguous.status, 2);
  assert.equal(ambiguous.doc.error.issues[0].path, 'bandwidth');
  assert.match(ambiguous.doc.error.message, /ambiguous/);
  const lonely = await task({ operation: 'buffers', rtt: '80ms' });
  assert.equal(lonely.status, 2);
  assert.match(lonely.doc.error.message, /rtt needs bandwidth/);
});

test('task buffers on a live port: the established connection of the scenario', { timeout: 60_000 }, async () => {
  const r = await task({ operation: 'buffers', port: sc.established.port });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.doc.result.selection, `port ${sc.established.port}`);
  assert.ok(r.doc.result.connections.length >= 1);
});

test('invalid inputs: one JSON error document on stdout, nothing on stderr, exit 2', async () => {
  const cases: { input: unknown; code: string; path?: string; message: RegExp }[] = [
    { input: '{"operation": "errno", ', code: 'invalid-json', message: /not valid JSON/ },
    { input: '[1, 2]', code: 'invalid-input', path: '', message: /one JSON object/ },
    { input: { code: 'ECONNRESET' }, code: 'invalid-input', path: 'operation', message: /operation must be one of .*errno/ },
    { input: { operation: 'reboot' }, code: 'invalid-input', path: 'operation', message: /got "reboot"/ },
    { input: { operation: 'analyze', port: 70000 }, code: 'invalid-input', path: 'port', message: /port/ },
    { input: { operation: 'analyze', port: 80, peerPort: 81 }, code: 'invalid-input', path: '', message: /port or peerPort, not both/ },
    { input: { operation: 'errno', code: 'EPIPE', verbose: true }, code: 'invalid-input', path: 'verbose', message: /unknown field "verbose"/ },
    { input: { operation: 'generate', type: 'tcp-server', config: { port: 'eighty' } }, code: 'invalid-input', path: 'config.port', message: /config\.port/ },
    { input: { operation: 'generate', type: 'sctp-server' }, code: 'invalid-input', path: 'type', message: /type/ },
    { input: { operation: 'inspect-options', pid: 1 }, code: 'invalid-input', path: 'socketFd', message: /pid and socketFd go together/ },
  ];
  for (const c of cases) {
    const r = await task(c.input);
    assert.equal(r.status, 2, `${JSON.stringify(c.input)}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stderr, '', JSON.stringify(c.input));
    assert.equal(r.doc.ok, false);
    assert.equal(r.doc.error.code, c.code, JSON.stringify(c.input));
    assert.match(r.doc.error.message, c.message, JSON.stringify(c.input));
    assert.ok(Array.isArray(r.doc.error.issues) && r.doc.error.issues.length > 0, JSON.stringify(c.input));
    if (c.path !== undefined) assert.equal(r.doc.error.issues[0].path, c.path, JSON.stringify(r.doc.error.issues));
  }
  const missing = await sockscope(['task', '/nonexistent/task.json']);
  assert.equal(missing.status, 2);
  const doc = JSON.parse(missing.stdout);
  assert.equal(doc.error.code, 'unreadable-input');
  assert.match(doc.error.message, /no such file/);
});

test('--output: written atomically, stdout empty; an existing file is refused (exit 2) unless --force; errors never touch it', async () => {
  const dir = tempDir();
  const out = join(dir, 'result.json');
  const first = await task({ operation: 'errno', code: 'EADDRINUSE' }, ['--output', out], dir);
  assert.equal(first.status, 0, first.stdout + first.stderr);
  assert.equal(first.stdout, '');
  const saved = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(saved.ok, true);
  assert.equal(saved.result.matches[0].name, 'EADDRINUSE');
  assert.deepEqual(readdirSync(dir).sort(), ['result.json', 'task.json'], 'no temporary files left');

  const refused = await task({ operation: 'errno', code: 'EPIPE' }, ['--output', out], dir);
  assert.equal(refused.status, 2);
  assert.equal(refused.doc.error.code, 'output-exists');
  assert.match(refused.doc.error.message, /--force/);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).result.matches[0].name, 'EADDRINUSE', 'not replaced');

  const forced = await task({ operation: 'errno', code: 'EPIPE' }, ['--output', out, '--force'], dir);
  assert.equal(forced.status, 0, forced.stdout);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).result.matches[0].name, 'EPIPE');

  // A failing task prints its error on stdout and leaves --output alone (absent stays absent).
  const out2 = join(dir, 'other.json');
  const bad = await task({ operation: 'errno' }, ['--output', out2], dir);
  assert.equal(bad.status, 2);
  assert.equal(bad.doc.error.issues[0].path, 'code');
  assert.equal(existsSync(out2), false);

  // An unwritable directory is a runtime failure (exit 1) with the reason; checked as nobody (root writes anywhere).
  const locked = tempDir();
  chmodSync(locked, 0o555);
  chmodSync(dir, 0o755);
  chmodSync(join(dir, 'task.json'), 0o644);
  writeFileSync(join(dir, 'task.json'), JSON.stringify({ operation: 'errno', code: 'EPIPE' }));
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, BIN, 'task', join(dir, 'task.json'), '--output', join(locked, 'r.json')], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) assert.fail(`setpriv (util-linux) is required: ${r.error.message}`);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const err = JSON.parse(r.stdout);
  assert.equal(err.error.code, 'output-unwritable');
  assert.match(err.error.message, /EACCES|permission denied/i);
});

test('--output: an empty, repeated or directory-path value is a command-line error; a dangling link is refused before the task runs', async () => {
  const dir = tempDir();
  const gen = { operation: 'generate-server', language: 'c', output: 'srv.c' };
  for (const extra of [['--output', ''], ['--output'], ['-o', 'a.json', '-o', 'b.json'], ['--output', `${dir}/`]]) {
    const r = await task(gen, extra, dir);
    assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^sockscope: --output (needs a file path|given twice \("a\.json", "b\.json"\): it takes one file|names the result file)[^\n]*\n$/, extra.join(' '));
  }
  assert.deepEqual(readdirSync(dir), ['task.json'], 'the task did not run');

  // A dangling symbolic link is an existing name (lstat): refused like a file, before the generator writes srv.c.
  const link = join(dir, 'dl.json');
  symlinkSync(join(dir, 'gone', 'target.json'), link);
  const refused = await task(gen, ['--output', link], dir);
  assert.equal(refused.status, 2, refused.stdout + refused.stderr);
  assert.equal(refused.doc.error.code, 'output-exists');
  assert.equal(refused.doc.error.message, `${link} already exists; pass --force to overwrite it (or choose another --output)`);
  assert.equal(existsSync(join(dir, 'srv.c')), false, 'refused before running');
  const forced = await task({ operation: 'errno', code: 'EPIPE' }, ['--output', link, '--force'], dir);
  assert.equal(forced.status, 0, forced.stdout + forced.stderr);
  assert.ok(lstatSync(link).isFile(), 'the link is replaced by the result, its target is not created');
  assert.equal(existsSync(join(dir, 'gone')), false);

  // A path the writer cannot create names it once.
  const proc = await task({ operation: 'errno', code: 'EPIPE' }, ['--output', '/proc/x.json'], dir);
  assert.equal(proc.status, 1);
  assert.equal(proc.doc.error.code, 'output-unwritable');
  assert.equal(proc.doc.error.message.split('/proc/x.json').length, 2, proc.doc.error.message);
});

test('task - reads the task from stdin', async () => {
  const r = await sockscope(['task', '-'], { stdin: JSON.stringify({ operation: 'options', name: 'nodelay' }) });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.operation, 'options');
  assert.equal(doc.result.name, 'TCP_NODELAY');
  assert.deepEqual(doc.result, await cliJson(['options', 'TCP_NODELAY']));
});

test('as an unprivileged user (nobody): analyze works and says what it cannot see; inspect-options falls back to the kernel view', { timeout: 60_000 }, () => {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const port = sc.listener.port;
  const asNobody = (input: unknown) => {
    const file = join(dir, `t${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(input), { mode: 0o644 });
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, BIN, 'task', file], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    if (r.error) assert.fail(`setpriv (util-linux) is required: ${r.error.message}`);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return JSON.parse(r.stdout);
  };
  const a = asNobody({ operation: 'analyze', port });
  const rep = AnalyzeReportSchema.parse(a.result);
  assert.equal(rep.states.LISTEN, 1);
  assert.equal(rep.listeners[0].backlog, sc.listener.backlog);
  assert.equal(rep.listeners[0].process, null, "root's process is not visible to nobody");
  assert.ok(rep.notes.some((n) => /hidden/.test(n)), rep.notes.join('; '));
  const i = asNobody({ operation: 'inspect-options', port, options: ['SO_RCVBUF'] });
  assert.equal(i.result.method, 'fallback');
  assert.match(i.result.methodNote, /no visible process holds the socket: \d+ process(es)? of other users (is|are) hidden/);
  assert.equal(typeof i.result.options.find((o: { name: string }) => o.name === 'SO_RCVBUF').value, 'number');
});
