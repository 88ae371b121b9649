// The ss collector: its runs (one ss, or TCP split over two ss processes by port), the streaming
// runner's errors, exit-status handling, the port filter, and on live sockets: a split collection
// reports the same records as one ss.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chooseSplit, ssRuns, SsSource, SPLIT_MIN_TCP, type SsSplit } from '../../src/collect/ss.js';
import { runStreaming, type StreamRunner } from '../../src/collect/exec.js';
import { CollectorError } from '../../src/collect/source.js';
import type { Socket } from '../../src/model/socket.js';
import { openScenario, type Scenario } from '../helpers/scenario.js';

const CI = process.env.CI === 'true';
const haveSs = /iproute2/.test(`${spawnSync('ss', ['-V'], { encoding: 'utf8' }).stdout ?? ''}`);

test('one ss unless a split is known, the request is unfiltered, includes TCP and does not use -p', () => {
  const split: SsSplit = { key: 'sport', port: 40000 };
  assert.deepEqual(ssRuns({}, false), [{ args: ['-tuxanOHe', '-o'], netid: undefined }]);
  assert.deepEqual(ssRuns({ protocols: ['tcp'] }, false), [{ args: ['-tanOHe', '-o'], netid: 'tcp' }]);
  assert.equal(ssRuns({ port: 80 }, false, split).length, 1);
  assert.equal(ssRuns({ peerPort: 80 }, false, split).length, 1);
  assert.equal(ssRuns({}, true, split).length, 1, 'ss -p walks /proc once per process: never split');
  assert.equal(ssRuns({ protocols: ['udp', 'unix'] }, false, split).length, 1);
  assert.deepEqual(ssRuns({}, false, split), [
    { args: ['-uxanOHe', '-o'], netid: undefined },
    { args: ['-tanOHe', '-o', 'sport', '<', ':40000'], netid: 'tcp' },
    { args: ['-tanOHe', '-o', 'sport', '>=', ':40000'], netid: 'tcp' },
  ]);
  assert.deepEqual(ssRuns({ protocols: ['tcp', 'udp'], details: true }, false, { key: 'dport', port: 9 }), [
    { args: ['-uanOHe', '-i', '-m', '-o'], netid: 'udp' },
    { args: ['-tanOHe', '-i', '-m', '-o', 'dport', '<', ':9'], netid: 'tcp' },
    { args: ['-tanOHe', '-i', '-m', '-o', 'dport', '>=', ':9'], netid: 'tcp' },
  ]);
  assert.deepEqual(
    ssRuns({ protocols: ['tcp'] }, false, split).map((r) => r.args),
    [
      ['-tanOHe', '-o', 'sport', '<', ':40000'],
      ['-tanOHe', '-o', 'sport', '>=', ':40000'],
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

test('chooseSplit halves by local port, or by peer port when one local port holds most sockets', () => {
  assert.equal(chooseSplit([tcp(1, 2)]), undefined, 'few sockets: one ss');
  const spread = Array.from({ length: SPLIT_MIN_TCP }, (_, i) => tcp(30000 + (i % 20000), 443));
  const s = chooseSplit(spread)!;
  assert.equal(s.key, 'sport');
  assert.ok(Math.abs(s.port - 40000) <= 2, `split at ${s.port}`);
  const server = Array.from({ length: 30000 }, (_, i) => tcp(443, 32768 + (i % 28000)));
  const d = chooseSplit(server)!;
  assert.equal(d.key, 'dport');
  const below = server.filter((x) => x.peer.port < d.port).length;
  assert.ok(below > 13000 && below < 17000, `${below} of 30000 below ${d.port}`);
  const one = Array.from({ length: 30000 }, () => tcp(443, 50000));
  assert.equal(chooseSplit(one), undefined, 'no split leaves a quarter on each side');
  assert.equal(chooseSplit(spread, Number.POSITIVE_INFINITY), undefined);
});

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

test('the port filter keeps the asked port (and unix sockets), and ss is asked for it', async () => {
  const f = fakeRunner(() => ({ out: `${LINES}\n` }));
  const snap = await new SsSource('ss', f.runner).collect({ processes: 'none', port: 80 });
  assert.deepEqual(f.calls, [['-tuxanOHe', '-o']], 'no kernel filter while unix is asked for');
  assert.deepEqual(
    snap.sockets.map((s) => `${s.protocol} ${s.state} ${s.local.port}`),
    ['unix ESTABLISHED 0', 'tcp LISTEN 80', 'tcp ESTABLISHED 80', 'tcp TIME_WAIT 80'],
  );
  const g = fakeRunner(() => ({ out: 'LISTEN 0 128 0.0.0.0:80 0.0.0.0:* ino:11 sk:1\n' }));
  const one = await new SsSource('ss', g.runner).collect({ processes: 'none', protocols: ['tcp'], port: 80 });
  assert.deepEqual(g.calls, [['-tanOHe', '-o', 'sport', '=', ':80']]);
  assert.equal(one.sockets[0].protocol, 'tcp', 'no Netid column: tcp implied');
});

test('a pinned split runs three ss and merges unix/udp then both TCP halves; a refused split falls back to one ss for good', async () => {
  const f = fakeRunner((args) => {
    const lines = LINES.split('\n');
    if (args[0] === '-uxanOHe') return { out: `${lines.filter((l) => !l.startsWith('tcp')).join('\n')}\n` };
    const low = args.includes('<');
    const tcpLines = lines.filter((l) => l.startsWith('tcp')).map((l) => l.replace(/^tcp +/, ''));
    return { out: `${tcpLines.filter((l) => (Number(/:(\d+) /.exec(l)![1]) < 1000) === low).join('\n')}\n` };
  });
  const src = new SsSource('ss', f.runner, { split: { key: 'sport', port: 1000 } });
  const snap = await src.collect({ processes: 'none' });
  assert.equal(src.lastProcesses, 3);
  assert.equal(f.calls.length, 3);
  assert.deepEqual(
    snap.sockets.map((s) => `${s.protocol} ${s.local.port}`),
    ['unix 0', 'udp 53', 'tcp 80', 'tcp 80', 'tcp 80', 'tcp 6000'],
  );
  assert.equal(snap.sockets.find((s) => s.local.port === 6000)!.uid, 1000);

  let refused = 0;
  const r = fakeRunner((args) => (args.includes('<') || args.includes('>=') ? (refused++, { exitCode: 1, stderr: 'no filter' }) : { out: `${LINES}\n` }));
  const src2 = new SsSource('ss', r.runner, { split: { key: 'sport', port: 1000 } });
  const s1 = await src2.collect({ processes: 'none' });
  assert.equal(s1.sockets.length, 6);
  assert.ok(refused >= 1);
  await src2.collect({ processes: 'none' });
  assert.equal(src2.lastProcesses, 1, 'the split is not tried again');
  assert.deepEqual(r.calls.at(-1), ['-tuxanOHe', '-o']);
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

// Live: the scenario's sockets through one ss and through a split (both keys, the split port in the
// middle of the scenario's ports so both halves hold some).
let sc: Scenario | undefined;
before(async () => {
  if (haveSs) sc = await openScenario({ noIpv6: false });
});
after(async () => {
  await sc?.close();
});

test('live: a split collection reports the same records as one ss', { skip: !haveSs && !CI ? 'ss (iproute2) is not installed' : false, timeout: 60_000 }, async () => {
  assert.ok(haveSs, 'ss (iproute2) is required in CI');
  const scn = sc!;
  const ports = new Set(scn.ports);
  const key = (s: Socket) => JSON.stringify({ ...s, timer: s.timer && { name: s.timer.name } });
  const ours = (socks: Socket[]) =>
    socks
      .filter((s) => (s.protocol !== 'unix' && (ports.has(s.local.port) || ports.has(s.peer.port))) || (s.protocol === 'unix' && s.local.address === scn.unix.path))
      .map(key)
      .sort();
  const sorted = [...scn.ports].sort((a, b) => a - b);
  const mid = sorted[sorted.length >> 1];
  const single = await new SsSource('ss', runStreaming, { splitMinTcp: Number.POSITIVE_INFINITY }).collect({ processes: 'none' });
  const want = ours(single.sockets);
  assert.ok(want.length >= scn.expected.length, `${want.length} scenario sockets`);
  for (const split of [{ key: 'sport', port: mid }, { key: 'dport', port: mid }] as const) {
    const src = new SsSource('ss', runStreaming, { split });
    const snap = await src.collect({ processes: 'none' });
    assert.equal(src.lastProcesses, 3);
    assert.deepEqual(ours(snap.sockets), want, `split by ${split.key} at ${split.port}`);
  }
});
