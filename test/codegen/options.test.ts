// Generator options: defaults (config, io model), presets, aliases, and combinations refused with a
// message that says what is allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { loadConfig } from '../../src/config/load.js';
import { BOUNDED_POOL_IDLE_TIMEOUT_MS, GENERATOR_VERSION, GeneratorOptionsError, generateServer, optionsToArgs, resolveOptions } from '../../src/codegen/index.js';

const cfg = DEFAULT_CONFIG;
const refuse = (input: unknown, re: RegExp) =>
  assert.throws(() => resolveOptions(input, cfg), (e: unknown) => e instanceof GeneratorOptionsError && re.test((e as Error).message));

test('defaults come from config: language, io model, buffer size (DEFAULT_BUFFER_SIZE), comments', () => {
  const o = resolveOptions({}, cfg);
  assert.equal(o.language, 'c');
  assert.equal(o.ioModel, 'epoll');
  assert.equal(o.bufferSize, 65536);
  assert.equal(o.type, 'tcp');
  assert.equal(o.nonBlocking, true);
  const env = loadConfig({ env: { DEFAULT_BUFFER_SIZE: '16384' } }).config;
  assert.equal(resolveOptions({ language: 'python' }, env).bufferSize, 16384);
  // A configured io model that does not fit the language falls back to the language's first.
  assert.equal(resolveOptions({ language: 'python' }, cfg).ioModel, 'asyncio');
  assert.equal(resolveOptions({ language: 'python' }, { ...cfg, generateComments: false }).comments, false);
});

test('aliases: net/dgram mean event-loop; io-uring means io_uring', () => {
  assert.equal(resolveOptions({ language: 'node', ioModel: 'net' }, cfg).ioModel, 'event-loop');
  assert.equal(resolveOptions({ language: 'node', ioModel: 'dgram', type: 'udp' }, cfg).ioModel, 'event-loop');
  assert.equal(resolveOptions({ language: 'c', ioModel: 'io-uring' }, cfg).ioModel, 'io_uring');
  // Each module name is one protocol's: net for UDP or dgram for TCP is a contradiction, refused (it was accepted).
  refuse({ language: 'node', ioModel: 'net', type: 'udp' }, /^--io-model net is Node's TCP module, not for --type udp; use --io-model dgram or event-loop$/);
  refuse({ language: 'node', ioModel: 'dgram' }, /^--io-model dgram is Node's UDP module, not for --type tcp; use --io-model net or event-loop$/);
  refuse({ language: 'node', ioModel: ' DGRAM ', type: 'tcp' }, /--io-model dgram is Node's UDP module/);
  assert.equal(resolveOptions({ language: 'node', ioModel: 'event-loop', type: 'udp' }, cfg).ioModel, 'event-loop');
});

test('profiles: throughput = 1 MiB buffers + TCP_NODELAY; latency = TCP_NODELAY + QUICKACK', () => {
  const t = resolveOptions({ language: 'python', profile: 'throughput' }, cfg);
  assert.deepEqual([t.sndbuf, t.rcvbuf, t.tcpNodelay, t.quickack], [1 << 20, 1 << 20, true, false]);
  const l = resolveOptions({ language: 'python', profile: 'latency' }, cfg);
  assert.deepEqual([l.sndbuf, l.rcvbuf, l.tcpNodelay, l.quickack], [null, null, true, true]);
  const u = resolveOptions({ language: 'python', type: 'udp', profile: 'throughput' }, cfg);
  assert.equal(u.tcpNodelay, false);
  assert.equal(u.sndbuf, 1 << 20);
});

test('nonsense combinations are refused, naming what is allowed', () => {
  refuse({ language: 'c', ioModel: 'kqueue', platform: 'windows' }, /kqueue cannot be built for --platform windows; allowed: select, poll/);
  refuse({ language: 'c', ioModel: 'io_uring', platform: 'windows' }, /io_uring cannot be built for --platform windows; allowed: select, poll/);
  refuse({ language: 'c', ioModel: 'epoll', platform: 'portable' }, /allowed: select, poll/);
  refuse({ language: 'python', ioModel: 'epoll' }, /not available for python; allowed: asyncio, selectors, threads/);
  refuse({ language: 'node', ioModel: 'asyncio' }, /allowed: event-loop/);
  refuse({ language: 'python', platform: 'windows' }, /--platform windows applies to C only/);
  refuse({ language: 'c', ioModel: 'select', maxConnections: 5000 }, /more than select\(\) can watch.*allowed: 1-1000/);
  // The threads server's pool is 1,024 threads: a larger --max-connections was written into MAX_CONNECTIONS while
  // MAX_THREADS stayed 1,024, so connection 1,025 was refused under a setting that promised 5,000.
  refuse({ language: 'python', ioModel: 'threads', maxConnections: 5000 }, /--max-connections 5000 is more than the threads server's pool \(1024 threads, one per connection\); allowed: 1-1024, or use --io-model asyncio\/selectors/);
  refuse({ language: 'python', type: 'udp', backlog: 10 }, /--backlog applies to --type tcp only/);
  refuse({ language: 'python', type: 'udp', handler: 'http' }, /--handler http needs --type tcp/);
  refuse({ language: 'python', type: 'udp', keepalive: { idle: 1, interval: 1, count: 1 } }, /--keepalive applies to --type tcp/);
  refuse({ language: 'python', type: 'udp', profile: 'latency' }, /TCP options; allowed with udp: --profile throughput or none/);
  refuse({ language: 'node', profile: 'latency' }, /TCP_QUICKACK.*--tcp-nodelay/);
  refuse({ language: 'c', ioModel: 'select', platform: 'windows', profile: 'latency' }, /Linux only/);
  refuse({ language: 'node', sndbuf: 4096 }, /cannot set SO_SNDBUF\/SO_RCVBUF on TCP/);
  refuse({ language: 'node', profile: 'throughput' }, /needed by --profile throughput/);
  refuse({ language: 'python', ioModel: 'threads', nonBlocking: true }, /--non-blocking does not fit --io-model threads/);
  refuse({ language: 'python', ioModel: 'asyncio', nonBlocking: false }, /event loop and needs non-blocking sockets; use --io-model threads/);
  refuse({ language: 'c', ioModel: 'select', platform: 'windows', reusePort: true }, /Windows has no SO_REUSEPORT/);
  refuse({ language: 'python', ipv6: true, bindAddress: '127.0.0.1' }, /IPv4 address; with --ipv6/);
  refuse({ language: 'python', dualStack: true, bindAddress: '::1' }, /bind ::/);
  refuse({ language: 'python', port: 70000 }, /port/);
  refuse({ language: 'python', bogus: 1 }, /bogus|Unrecognized/i);
});

test('a C platform other than posix defaults the io model to select', () => {
  assert.equal(resolveOptions({ language: 'c', platform: 'windows' }, cfg).ioModel, 'select');
});

test('the regenerate arguments round-trip to the same options', () => {
  const inputs = [
    { language: 'python' as const, ioModel: 'selectors', handler: 'http' as const, port: 1234, backlog: 64, profile: 'latency' as const, comments: false },
    { language: 'node' as const, type: 'udp' as const, ipv6: true, rcvbuf: 4096 },
    { language: 'python' as const, dualStack: true, keepalive: { idle: 10, interval: 2, count: 4 }, maxConnections: 9, idleTimeoutMs: 100, reusePort: true },
  ];
  for (const i of inputs) {
    const o = resolveOptions(i, cfg);
    const args = optionsToArgs(o);
    assert.ok(args.includes('--language'));
    // Parsing of the flags is covered by the CLI test; here: the args name every non-default choice.
    if (o.profile !== 'none') assert.ok(args.includes(o.profile));
    if (o.reusePort) assert.ok(args.includes('--reuse-port'));
  }
});

test('io models with a fixed pool (C select, Python threads) close idle TCP connections after 60 s by default; 0 turns it off', () => {
  for (const i of [{ language: 'c' as const, ioModel: 'select' }, { language: 'c' as const, ioModel: 'select', platform: 'windows' as const }, { language: 'c' as const, ioModel: 'select', platform: 'portable' as const }, { language: 'python' as const, ioModel: 'threads' }]) {
    const o = resolveOptions(i, cfg);
    assert.equal(o.idleTimeoutMs, BOUNDED_POOL_IDLE_TIMEOUT_MS, JSON.stringify(i));
    assert.ok(!optionsToArgs(o).includes('--idle-timeout'), 'the default is not repeated in Regenerate');
    const off = resolveOptions({ ...i, idleTimeoutMs: 0 }, cfg);
    assert.equal(off.idleTimeoutMs, 0);
    const args = optionsToArgs(off);
    assert.equal(args[args.indexOf('--idle-timeout') + 1], '0', 'Regenerate keeps --idle-timeout 0');
    assert.equal(resolveOptions({ ...i, idleTimeoutMs: 5000 }, cfg).idleTimeoutMs, 5000);
    assert.equal(resolveOptions({ ...i, type: 'udp' }, cfg).idleTimeoutMs, 0, 'udp has no connections');
  }
  assert.equal(BOUNDED_POOL_IDLE_TIMEOUT_MS, 60_000);
  for (const i of [{ language: 'c' as const, ioModel: 'epoll' }, { language: 'c' as const, ioModel: 'poll' }, { language: 'python' as const, ioModel: 'selectors' }, { language: 'node' as const }]) {
    const o = resolveOptions(i, cfg);
    assert.equal(o.idleTimeoutMs, 0, JSON.stringify(i));
    assert.ok(!optionsToArgs(o).includes('--idle-timeout'));
  }
  // The header says so (and says what turning it off means).
  const sel = generateServer({ language: 'c', ioModel: 'select' }, { config: cfg }).files[0].content;
  assert.match(sel, /idleTimeoutMs=60000/);
  assert.match(sel.replace(/\n \* /g, ' '), /Idle connections close after 60 s, the default for this io model: select\(\) watches at most FD_SETSIZE sockets, so idle clients could lock every other client out\. --idle-timeout MS changes it; --idle-timeout 0 turns it off\./);
  assert.match(sel, /^#define IDLE_TIMEOUT_MS 60000\b/m);
  const thr = generateServer({ language: 'python', ioModel: 'threads' }, { config: cfg }).files[0].content;
  assert.match(thr.replace(/\n# /g, ' '), /Idle connections close after 60 s, the default for this io model: at most MAX_THREADS connections/);
  assert.match(thr, /^IDLE_TIMEOUT = 60\b/m);
  const thrOff = generateServer({ language: 'python', ioModel: 'threads', idleTimeoutMs: 0 }, { config: cfg }).files[0].content;
  assert.match(thrOff.replace(/\n# /g, ' '), /Idle timeout off \(--idle-timeout 0\): at most MAX_THREADS connections are served at once, so idle clients can lock every other client out\./);
  assert.match(thrOff, /^IDLE_TIMEOUT = None\b/m);
  assert.doesNotMatch(generateServer({ language: 'c', ioModel: 'epoll' }, { config: cfg }).files[0].content, /Idle (connections close|timeout off)/);
});

test('automation shape {operation: generate, type: tcp-server, config} is accepted', () => {
  const r = generateServer(
    { operation: 'generate', type: 'tcp-server', config: { port: 8081, backlog: 128, nonBlocking: true, tcpNodelay: true, language: 'python' } },
    { config: cfg },
  );
  assert.equal(r.options.port, 8081);
  assert.equal(r.options.backlog, 128);
  assert.equal(r.options.tcpNodelay, true);
  assert.equal(r.options.type, 'tcp');
  assert.throws(() => generateServer({ operation: 'generate', type: 'sctp-server', config: {} }, { config: cfg }), /tcp-server/);
});

test('header names the options and the regenerate command; comments off drops explanations', () => {
  const on = generateServer({ language: 'python', ioModel: 'selectors', port: 7000 }, { config: cfg, output: 'out/echo.py' });
  const text = on.files[0].content;
  assert.match(text, /^# Generated by sockscope .*TCP echo server, Python 3, io model selectors/);
  assert.match(text, /# Regenerate: sockscope generate-server --type tcp --language python --io-model selectors --port 7000 .*--output out\/echo.py/);
  assert.match(text, /# Watch it: sockscope --port 7000/);
  assert.equal(on.files[0].path, 'out/echo.py');
  assert.equal(on.runCommand, 'python3 out/echo.py');
  const off = generateServer({ language: 'python', ioModel: 'selectors', port: 7000, comments: false }, { config: cfg });
  assert.ok(off.files[0].content.length < text.length);
  assert.ok(!/Unregister before close/.test(off.files[0].content));
  assert.ok(/Unregister before close/.test(text));
  assert.ok(!/#\?|\/\/\?/.test(text), 'comment markers must not leak');
});

test('GENERATOR_VERSION follows package.json', () => {
  assert.equal(GENERATOR_VERSION, JSON.parse(readFileSync('package.json', 'utf8')).version);
});
