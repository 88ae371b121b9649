// The ss collector: its runs (one ss, or TCP split over two ss processes by port), the streaming
// runner's errors, exit-status handling, the port filter, and on live sockets: a split collection
// reports the same records as one ss.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { planFor, ssRuns, SsSource, LARGE_TCP, type SsPlan } from '../../src/collect/ss.js';
import { runStreaming, type StreamRunner } from '../../src/collect/exec.js';
import { CollectorError } from '../../src/collect/source.js';
import type { Socket } from '../../src/model/socket.js';
import { openScenario, type Scenario } from '../helpers/scenario.js';

const CI = process.env.CI === 'true';
const haveSs = /iproute2/.test(`${spawnSync('ss', ['-V'], { encoding: 'utf8' }).stdout ?? ''}`);

/** The two unix runs every request with unix sockets has: names without a newline, and names with one. */
const UNIX_RUNS = (flags = '-xanOHe') => [
  { args: [flags, '-o', '!', 'src', '*\n*'], unixNames: 'plain' },
  { args: [flags, '-o', 'src', '*\n*'], unixNames: 'newline' },
];
const inetRuns = (runs: ReturnType<typeof ssRuns>) => runs.filter((r) => r.unixNames === undefined);

test('one plain ss for TCP/UDP unless the host is large and the request unfiltered, with TCP, without -p; unix sockets in two runs of their own', () => {
  const plan: SsPlan = { lean: true, split: { key: 'sport', port: 40000 } };
  assert.deepEqual(ssRuns({}, false), [...UNIX_RUNS(), { args: ['-tuanOHe', '-o'], netid: undefined }]);
  assert.deepEqual(ssRuns({ protocols: ['tcp'] }, false), [{ args: ['-tanOHe', '-o'], netid: 'tcp' }]);
  assert.deepEqual(ssRuns({ protocols: ['unix'], port: 80 }, true), UNIX_RUNS('-xanOHep'), 'no port filter for unix sockets');
  assert.deepEqual(ssRuns({ port: 80 }, false, plan).at(-1), { args: ['-tuanOHe', '-o', 'sport', '=', ':80'], netid: undefined }, 'the port filter, now that no unix socket shares the run');
  assert.equal(inetRuns(ssRuns({ port: 80 }, false, plan)).length, 1);
  assert.equal(inetRuns(ssRuns({ peerPort: 80 }, false, plan)).length, 1);
  assert.equal(inetRuns(ssRuns({}, true, plan)).length, 1, 'ss -p walks /proc once per process: one TCP/UDP run');
  assert.equal(inetRuns(ssRuns({ protocols: ['udp', 'unix'] }, false, plan)).length, 1);
});

test('lean: listeners with -e, other TCP sockets without; split: two halves; full -e when details or every owner is asked for', () => {
  const split = { key: 'sport', port: 40000 } as const;
  assert.deepEqual(ssRuns({}, false, { lean: true, split }), [
    ...UNIX_RUNS(),
    { args: ['-uanOHe', '-o'], netid: 'udp' },
    { args: ['-tlnOHe', '-o'], netid: 'tcp' },
    { args: ['-tanOH', '-o', 'exclude', 'listening', 'sport', '<', ':40000'], netid: 'tcp' },
    { args: ['-tanOH', '-o', 'exclude', 'listening', 'sport', '>=', ':40000'], netid: 'tcp' },
  ]);
  assert.deepEqual(ssRuns({ processes: 'none' }, false, { lean: true }), [
    ...UNIX_RUNS(),
    { args: ['-uanOHe', '-o'], netid: 'udp' },
    { args: ['-tlnOHe', '-o'], netid: 'tcp' },
    { args: ['-tanOH', '-o', 'exclude', 'listening'], netid: 'tcp' },
  ]);
  const full = [
    ...UNIX_RUNS(),
    { args: ['-uanOHe', '-o'], netid: 'udp' },
    { args: ['-tanOHe', '-o', 'sport', '<', ':40000'], netid: 'tcp' },
    { args: ['-tanOHe', '-o', 'sport', '>=', ':40000'], netid: 'tcp' },
  ];
  assert.deepEqual(ssRuns({ processes: 'all' }, false, { lean: true, split }), full, 'every owner: every inode');
  assert.deepEqual(ssRuns({}, false, { split }), full);
  assert.deepEqual(ssRuns({ protocols: ['tcp', 'udp'], details: true }, false, { lean: true, split: { key: 'dport', port: 9 } }), [
    { args: ['-uanOHe', '-i', '-m', '-o'], netid: 'udp' },
    { args: ['-tanOHe', '-i', '-m', '-o', 'dport', '<', ':9'], netid: 'tcp' },
    { args: ['-tanOHe', '-i', '-m', '-o', 'dport', '>=', ':9'], netid: 'tcp' },
  ]);
  assert.deepEqual(
    ssRuns({ protocols: ['tcp'] }, false, { lean: true }).map((r) => r.args),
    [
      ['-tlnOHe', '-o'],
      ['-tanOH', '-o', 'exclude', 'listening'],
    ],
  );
});

const tcp = (lport: number, pport: number): Socket => ({
  protocol: 'tcp',
  state: 'ESTABLISHED',
  local: { address: '127.0.0.1', port: lport },
  peer: { address: '127.0.0.1', port: pport },
  recvQ: 0,
  sendQ: 0,
  processes: [],
});

test('planFor: large hosts are lean and split by local port, or by peer port when one local port holds most sockets', () => {
  assert.deepEqual(planFor([tcp(1, 2)]), {}, 'few sockets: one plain ss');
  const spread = Array.from({ length: LARGE_TCP }, (_, i) => tcp(30000 + (i % 20000), 443));
  const s = planFor(spread);
  assert.equal(s.lean, true);
  assert.equal(s.split?.key, 'sport');
  assert.ok(Math.abs(s.split!.port - 40000) <= 2, `split at ${s.split!.port}`);
  assert.deepEqual(planFor(spread, LARGE_TCP, false), { lean: true }, 'one core: lean, no split');
  const server = Array.from({ length: 30000 }, (_, i) => tcp(443, 32768 + (i % 28000)));
  const d = planFor(server).split!;
  assert.equal(d.key, 'dport');
  const below = server.filter((x) => x.peer.port < d.port).length;
  assert.ok(below > 13000 && below < 17000, `${below} of 30000 below ${d.port}`);
  const one = Array.from({ length: 30000 }, () => tcp(443, 50000));
  assert.deepEqual(planFor(one), { lean: true }, 'no split leaves a quarter on each side');
  assert.deepEqual(planFor(spread, Number.POSITIVE_INFINITY), {});
});

/**
 * What ss would print for a run from `lines` (with Netid column): a unix run its unix lines (none for
 * the run of names with a newline), another run the lines of its protocols, without the Netid column
 * when it asks for one protocol.
 */
function linesFor(args: readonly string[], lines: readonly string[]): string {
  const flags = args[0];
  if (flags.includes('x')) return args.includes('!') ? lines.filter((l) => l.startsWith('u_')).map((l) => `${l}\n`).join('') : '';
  const netids = [flags.includes('t') ? 'tcp' : '', flags.includes('u') ? 'udp' : ''].filter((n) => n);
  const mine = lines.filter((l) => netids.some((n) => l.startsWith(`${n} `)));
  return mine.map((l) => `${netids.length === 1 ? l.replace(/^\S+ +/, '') : l}\n`).join('');
}

/** A fake ss: prints `out` (in small chunks) for each run, or fails as told. */
function fakeRunner(reply: (args: readonly string[]) => { out?: string; exitCode?: number; stderr?: string; throws?: Error }) {
  const calls: string[][] = [];
  const runner: StreamRunner = async (_file, args, opts) => {
    calls.push([...args]);
    const r = reply(args);
    if (r.throws) throw r.throws;
    const bytes = Buffer.from(r.out ?? '');
    for (let i = 0; i < bytes.length; i += 5) opts.onStdout(bytes.subarray(i, i + 5));
    return { stderr: r.stderr ?? '', exitCode: r.exitCode ?? 0 };
  };
  return { runner, calls };
}

const LINES = [
  'u_str ESTAB 0 0 * 100 * 101 <->',
  'tcp   LISTEN 0 128 0.0.0.0:80 0.0.0.0:* ino:11 sk:1 cgroup:/ <->',
  'tcp   ESTAB 0 0 10.0.0.1:80 10.0.0.2:5000 ino:12 sk:2 cgroup:/ <->',
  'tcp   TIME-WAIT 0 0 10.0.0.1:80 10.0.0.3:5001 timer:(timewait,30sec,0) ino:0 sk:3',
  'tcp   ESTAB 0 0 10.0.0.1:6000 10.0.0.9:443 uid:1000 ino:13 sk:4 cgroup:/user.slice <->',
  'udp   UNCONN 0 0 0.0.0.0:53 0.0.0.0:* ino:14 sk:5 cgroup:/ <->',
].join('\n');

test('a non-zero exit is a CollectorError with the first stderr line; runner errors pass through', async () => {
  const bad = fakeRunner(() => ({ exitCode: 1, stderr: 'ss: bad filter\nmore\n' }));
  await assert.rejects(new SsSource('ss', bad.runner).collect({ processes: 'none' }), (e: Error) => e instanceof CollectorError && e.message === 'ss: exited with 1: ss: bad filter');
  const missing = fakeRunner(() => ({ throws: new CollectorError('ss', 'not installed (command not found)') }));
  await assert.rejects(new SsSource('ss', missing.runner).collect({ processes: 'none' }), /ss: not installed/);
});

test('the port filter keeps the asked port (no unix socket: they have no port), and ss is asked for it', async () => {
  const f = fakeRunner((args) => ({ out: linesFor(args, LINES.split('\n')) }));
  const snap = await new SsSource('ss', f.runner).collect({ processes: 'none', port: 80 });
  assert.deepEqual(f.calls, [['-tuanOHe', '-o', 'sport', '=', ':80']], 'TCP/UDP filtered by ss; no unix run');
  assert.deepEqual(
    snap.sockets.map((s) => `${s.protocol} ${s.state} ${s.local.port}`),
    ['tcp LISTEN 80', 'tcp ESTABLISHED 80', 'tcp TIME_WAIT 80'],
  );
  const g = fakeRunner(() => ({ out: 'LISTEN 0 128 0.0.0.0:80 0.0.0.0:* ino:11 sk:1\n' }));
  const one = await new SsSource('ss', g.runner).collect({ processes: 'none', protocols: ['tcp'], port: 80 });
  assert.deepEqual(g.calls, [['-tanOHe', '-o', 'sport', '=', ':80']]);
  assert.equal(one.sockets[0].protocol, 'tcp', 'no Netid column: tcp implied');
});

test('a pinned plan runs its ss in parallel and merges unix/udp, listeners, then the TCP parts; a refused run falls back to one plain ss for good', async () => {
  const f = fakeRunner((args) => {
    const lines = LINES.split('\n');
    if (args[0] === '-uanOHe' || args[0] === '-xanOHe') return { out: linesFor(args, lines) };
    const tcpLines = lines.filter((l) => l.startsWith('tcp')).map((l) => l.replace(/^tcp +/, ''));
    if (args[0] === '-tlnOHe') return { out: `${tcpLines.filter((l) => l.startsWith('LISTEN')).join('\n')}\n` };
    const low = args.includes('<');
    const noE = (l: string) => l.replace(/ (uid|ino|sk|cgroup):\S+/g, '');
    return { out: `${tcpLines.filter((l) => !l.startsWith('LISTEN') && (Number(/:(\d+) /.exec(l)![1]) < 1000) === low).map(noE).join('\n')}\n` };
  });
  const src = new SsSource('ss', f.runner, { plan: { lean: true, split: { key: 'sport', port: 1000 } } });
  const snap = await src.collect({ processes: 'none' });
  assert.equal(src.lastProcesses, 6);
  assert.equal(f.calls.length, 6);
  assert.deepEqual(
    snap.sockets.map((s) => `${s.protocol} ${s.state} ${s.local.port}`),
    ['unix ESTABLISHED 0', 'udp CLOSE 53', 'tcp LISTEN 80', 'tcp ESTABLISHED 80', 'tcp TIME_WAIT 80', 'tcp ESTABLISHED 6000'],
  );
  assert.equal(snap.sockets[2].inode, 11, 'listeners keep uid, inode and cookie');
  assert.equal(snap.sockets[2].uid, 0);
  assert.equal(snap.sockets[5].uid, undefined, 'other TCP sockets do without -e');
  assert.equal(snap.sockets[5].inode, undefined);
  assert.equal(snap.sockets[4].timer?.name, 'timewait', 'timers stay (-o)');
  assert.equal(snap.sockets[1].inode, 14, 'UDP and unix keep -e');

  let refused = 0;
  const r = fakeRunner((args) => (args.includes('<') || args.includes('>=') ? (refused++, { exitCode: 1, stderr: 'no filter' }) : { out: linesFor(args, LINES.split('\n')) }));
  const src2 = new SsSource('ss', r.runner, { plan: { split: { key: 'sport', port: 1000 } } });
  const s1 = await src2.collect({ processes: 'none' });
  assert.equal(s1.sockets.length, 6);
  assert.ok(refused >= 1);
  await src2.collect({ processes: 'none' });
  assert.equal(src2.lastProcesses, 3, 'the plan is not tried again');
  assert.deepEqual(r.calls.slice(-3).find((c) => !c[0].includes('x')), ['-tuanOHe', '-o']);
});

test('lines ss printed that give no socket are counted in a note, not dropped silently', async () => {
  const f = fakeRunner((args) => ({ out: `${linesFor(args, LINES.split('\n'))}${args[0].includes('x') ? (args.includes('!') ? 'u_str LISTEN 0 4 /cut short\n' : '') : 'sctp LISTEN 0 5 1.2.3.4:5 0.0.0.0:*\n'}` }));
  const snap = await new SsSource('ss', f.runner).collect({ processes: 'none' });
  assert.equal(snap.sockets.length, 6);
  assert.ok(snap.notes.includes('2 lines of ss output could not be read (sockets in them are missing from this snapshot)'), snap.notes.join('\n'));
  const clean = await new SsSource('ss', fakeRunner((args) => ({ out: linesFor(args, LINES.split('\n')) })).runner).collect({ processes: 'none' });
  assert.ok(!clean.notes.some((n) => n.includes('could not be read')));
});

test("the unix sockets of the collection's own ss stdio are left out, whichever run lists them, by inode or by peer", async () => {
  // Each run's stdout/stderr: two socketpairs, this process's ends 9x1/9x2 and ss's ends 9x3/9x4
  // (x: the run). The unix run lists those of every run; run 3's child ends were not readable.
  const own = (x: number) => [900 + x * 10 + 1, 900 + x * 10 + 2, 900 + x * 10 + 3, 900 + x * 10 + 4];
  const pairs = [1, 2, 3, 4].flatMap((x) => {
    const [a, b, c, d] = own(x);
    return [`u_str ESTAB 0 0 * ${a} * ${c} <->`, `u_str ESTAB 0 0 * ${c} * ${a} <->`, `u_str ESTAB 0 0 * ${b} * ${d} <->`, `u_str ESTAB 0 0 * ${d} * ${b} <->`];
  });
  const asked: (boolean | undefined)[] = [];
  let run = 0;
  const runner: StreamRunner = async (_file, args, opts) => {
    asked.push(opts.stdioSockets);
    const x = ++run;
    const unix = args[0].includes('x') && args.includes('!');
    const out = args[0].includes('x') && !unix ? '' : unix ? `${LINES.split('\n')[0]}\n${pairs.join('\n')}\nudp   UNCONN 0 0 0.0.0.0:53 0.0.0.0:* ino:14 sk:5\n` : 'LISTEN 0 128 0.0.0.0:80 0.0.0.0:* ino:11 sk:1\n';
    opts.onStdout(Buffer.from(out));
    return { stderr: '', exitCode: 0, ...(opts.stdioSockets ? { stdioSockets: x === 3 ? own(x).slice(0, 2) : own(x) } : {}) };
  };
  const snap = await new SsSource('ss', runner, { plan: { lean: true, split: { key: 'sport', port: 1000 } } }).collect({ processes: 'none' });
  assert.equal(run, 6);
  assert.deepEqual(asked, [true, true, true, true, true, true]);
  assert.deepEqual(
    snap.sockets.filter((s) => s.protocol === 'unix').map((s) => s.inode),
    [100],
    'only the host unix socket stays',
  );
  assert.equal(snap.sockets.filter((s) => s.protocol !== 'unix').length, 4);
  // Without unix sockets nothing is asked for or dropped.
  asked.length = 0;
  run = 0;
  await new SsSource('ss', runner).collect({ processes: 'none', protocols: ['tcp'] });
  assert.deepEqual(asked, [undefined]);
});

test('runStreaming: chunks as they come, exit status returned, errors named', async () => {
  const chunks: Buffer[] = [];
  const ok = await runStreaming('sh', ['-c', 'printf "a\\nb\\n"; echo oops >&2; exit 3'], { onStdout: (c) => chunks.push(c) });
  assert.equal(Buffer.concat(chunks).toString(), 'a\nb\n');
  assert.deepEqual(ok, { stderr: 'oops\n', exitCode: 3 });
  const env = await runStreaming('sh', ['-c', 'echo $LC_ALL'], { onStdout: (c) => chunks.push(c) });
  assert.equal(env.exitCode, 0);
  assert.match(Buffer.concat(chunks).toString(), /\nC\n$/, 'LC_ALL=C');
  await assert.rejects(runStreaming('sockscope-no-such-tool', [], { onStdout: () => {} }), (e: Error) => e instanceof CollectorError && /not installed/.test(e.message));
  await assert.rejects(runStreaming('sleep', ['5'], { timeoutMs: 100, onStdout: () => {} }), /sleep: timed out after 100 ms/);
  await assert.rejects(runStreaming('sh', ['-c', 'kill -9 $$'], { onStdout: () => {} }), /sh: was killed with SIGKILL/);
  await assert.rejects(
    runStreaming('sh', ['-c', 'echo x; sleep 5'], {
      onStdout: () => {
        throw new Error('parser broke');
      },
    }),
    (e: Error) => e instanceof CollectorError && /parser broke/.test(e.message),
  );
});

test('live: ss lists the socketpairs of its own stdout and stderr; runStreaming names them and the collection leaves them out', { skip: !haveSs && !CI ? 'ss (iproute2) is not installed' : false, timeout: 60_000 }, async () => {
  assert.ok(haveSs, 'ss (iproute2) is required in CI');
  const seen: { inodes: number[]; text: string }[] = [];
  const spy: StreamRunner = async (file, args, opts) => {
    const chunks: Buffer[] = [];
    const r = await runStreaming(file, args, { ...opts, onStdout: (c) => (chunks.push(c), opts.onStdout(c)) });
    seen.push({ inodes: r.stdioSockets ?? [], text: Buffer.concat(chunks).toString('utf8') });
    return r;
  };
  for (const plan of [undefined, { lean: true, split: { key: 'sport' as const, port: 30000 } }]) {
    seen.length = 0;
    const snap = await new SsSource('ss', spy, plan ? { plan } : {}).collect({ processes: 'none' });
    const own = new Set(seen.flatMap((x) => x.inodes));
    assert.equal(own.size, seen.length * 4, `four stdio sockets per ss (${seen.length} ss): this process's ends and ss's fds 1 and 2`);
    const listed = seen.flatMap((x) => x.text.split('\n')).filter((l) => l.startsWith('u_str') && [...own].some((i) => l.includes(` ${i} `)));
    assert.ok(listed.length >= 4, `ss listed its own stdio sockets: ${listed.length} lines`);
    const left = snap.sockets.filter((s) => s.protocol === 'unix' && (own.has(s.inode!) || own.has((s as Socket & { peerInode?: number }).peerInode ?? -1)));
    assert.deepEqual(left, [], JSON.stringify(plan));
  }
});

// Live: the scenario's sockets through one plain ss and through every plan (the split port in the
// middle of the scenario's ports so both halves hold some).
let sc: Scenario | undefined;
before(async () => {
  if (haveSs) sc = await openScenario();
});
after(async () => {
  await sc?.close();
});

test('live: lean and split collections report the same sockets as one ss (lean: without -e fields off listeners)', { skip: !haveSs && !CI ? 'ss (iproute2) is not installed' : false, timeout: 60_000 }, async () => {
  assert.ok(haveSs, 'ss (iproute2) is required in CI');
  const scn = sc!;
  // Every scenario socket has a port of one of its servers at one end (its client ports are not enough:
  // connect() of another test may reuse one as its own local port towards another destination).
  const ports = new Set(scn.expected.filter((e) => e.peerPort <= 0).map((e) => e.localPort));
  const key = (s: Socket, lean: boolean) => {
    const { timer, uid, inode, cookie, ...rest } = s;
    const e = !lean || s.protocol !== 'tcp' || s.state === 'LISTEN' ? { uid, inode, cookie } : {};
    return JSON.stringify({ ...rest, ...e, timer: timer && timer.name });
  };
  const ours = (socks: Socket[], lean: boolean) =>
    socks
      .filter((s) => (s.protocol !== 'unix' && (ports.has(s.local.port) || ports.has(s.peer.port))) || (s.protocol === 'unix' && s.local.address === scn.unix.path))
      .map((s) => key(s, lean))
      .sort();
  const sorted = [...scn.ports].sort((a, b) => a - b);
  const mid = sorted[sorted.length >> 1];
  const single = (await new SsSource('ss', runStreaming, { largeTcp: Number.POSITIVE_INFINITY }).collect({ processes: 'none' })).sockets;
  assert.ok(ours(single, false).length >= scn.expected.length);
  const plans: [SsPlan, number][] = [
    [{ split: { key: 'sport', port: mid } }, 5],
    [{ split: { key: 'dport', port: mid } }, 5],
    [{ lean: true }, 5],
    [{ lean: true, split: { key: 'sport', port: mid } }, 6],
  ];
  for (const [plan, processes] of plans) {
    const src = new SsSource('ss', runStreaming, { plan });
    const snap = await src.collect({ processes: 'none' });
    assert.equal(src.lastProcesses, processes);
    assert.deepEqual(ours(snap.sockets, !!plan.lean), ours(single, !!plan.lean), JSON.stringify(plan));
    if (plan.lean) {
      const est = snap.sockets.find((s) => s.protocol === 'tcp' && s.local.port === scn.established.port && s.state === 'ESTABLISHED')!;
      assert.equal(est.inode, undefined);
      assert.equal(snap.sockets.find((s) => s.protocol === 'tcp' && s.local.port === scn.listener.port)!.inode, scn.listener.inode);
    }
  }
});
