// The benchmark's load and runner (bench/load.ts, bench/run.ts) on real loopback sockets: the TIME_WAIT
// share is kept for every section and removed at the end, each section records what it ran on, the
// results file is one run, CPU ratios are never Infinity/NaN and count the ss collector's ss processes,
// and Ctrl-C removes the load and exits 130 without a stack trace. Needs root (ss -K, unshare) and the
// build (bench/run.ts refuses to start without dist/cli.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenCpuMs } from '../../bench/child-cpu.js';
import { startLoad } from '../../bench/load.js';

const ROOT = join(import.meta.dirname, '..', '..');
const root = process.getuid?.() === 0;
const skip = root ? false : 'needs root (ss -K, unshare --net)';

/** TCP sockets in the host namespace to or from the bench's server addresses (127.0.0.10-13). */
function benchSockets(state = 'all'): number {
  const r = spawnSync('ss', ['-tanH', 'state', state, '( dst 127.0.0.10 or dst 127.0.0.11 or dst 127.0.0.12 or dst 127.0.0.13 or src 127.0.0.10 or src 127.0.0.11 or src 127.0.0.12 or src 127.0.0.13 )'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim()).length;
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('child CPU is measured in microseconds, not 10 ms ticks', () => {
  const c0 = childrenCpuMs();
  const r = spawnSync('sh', ['-c', 'true']);
  assert.equal(r.status, 0);
  const d = childrenCpuMs() - c0;
  // A shell that does nothing uses well under a tick; /proc/self/stat would say 0 or 10.
  assert.ok(d > 0 && d < 10, `sh -c true: ${d} ms of CPU`);
});

test('the load keeps its TIME_WAIT share across refreshes and leaves nothing behind', { skip }, async () => {
  assert.equal(benchSockets(), 0, 'sockets of an earlier bench load are still there');
  const load = await startLoad(200);
  try {
    assert.equal(load.countTimeWait(), load.plan.timeWait);
    // TIME_WAIT expiring during a size (60 s): remove the share, as time would, then refresh.
    assert.equal(load.removeTimeWait(), load.plan.timeWait);
    assert.equal(load.countTimeWait(), 0);
    const r = await load.refreshTimeWait();
    assert.equal(r.made, load.plan.timeWait);
    assert.equal(load.countTimeWait(), load.plan.timeWait);
    // A refresh with the share complete makes it anew rather than adding to it.
    await load.refreshTimeWait();
    assert.equal(load.countTimeWait(), load.plan.timeWait);
  } finally {
    await load.stop();
  }
  assert.equal(benchSockets(), 0, 'the load left sockets behind (TIME_WAIT or others)');
});

test('a bench run: one run in its results, counts per section, no Infinity, ss rows count their ss', { skip, timeout: 120_000 }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'r.json');
  const r = await runBench(['--sizes', '200', '--only', 'netlink,ss', '--runs', '2', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /Infinity|NaN/);
  const res = JSON.parse(readFileSync(out, 'utf8'));
  assert.match(res.commit, /^[0-9a-f]{12}/);
  assert.match(res.namespace, /namespace of its own/);
  assert.ok(res.figures.length > 0);
  for (const f of res.figures) {
    assert.equal(f.size, 200, `${f.id} is from another run`);
    assert.ok(['netlink', 'ss'].includes(f.section), `${f.id} is from another run`);
    assert.equal(f.extra.tcpAtSectionStart['TIME-WAIT'], 20, `${f.id}: ${JSON.stringify(f.extra.tcpAtSectionStart)}`);
    assert.equal(f.extra.tcpAtSectionStart.ESTAB, 170);
    if ('cpuRatio' in f.extra) assert.ok(f.extra.cpuRatio === null || Number.isFinite(f.extra.cpuRatio), `${f.id} cpuRatio ${f.extra.cpuRatio}`);
  }
  assert.deepEqual(
    res.loads[0].sections.map((s: { section: string }) => s.section),
    ['netlink', 'ss'],
  );
  assert.match(r.stdout, /200 netlink ran on: .*TIME-WAIT 20/);
  const ss = res.figures.find((f: { id: string }) => f.id === 'ss-collector');
  assert.equal(ss.extra.cpuIncludes, 'this process + its ss processes');
  assert.equal(ss.extra.cpuRatio, ss.extra.cpuWithSsRatio);
  assert.ok(ss.extra.cpuMs > ss.extra.cpuOwnMs, 'the ss processes add CPU');
  assert.match(r.stdout, /ss collector: spawn \+ parse \+ aggregation .*\(\+ss\)/);
  // The floor runs as a command: its CPU comes from rusage (not a multiple of 10 ms).
  const floor = res.figures.find((f: { id: string }) => f.id === 'netlink-kernel-floor');
  assert.equal(floor.extra.childCpu, 'rusage');
  assert.equal(benchSockets(), 0);
});

test('without a namespace, a bench run removes its TIME_WAIT share at the end', { skip, timeout: 120_000 }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'r.json');
  const r = await runBench(['--sizes', '200', '--only', 'netlink', '--runs', '1', '--no-netns', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).loads[0].sections[0].tcpAtStart['TIME-WAIT'] >= 20, true);
  assert.equal(benchSockets('time-wait'), 0, 'TIME_WAIT sockets of the load outlived the run');
  assert.equal(benchSockets(), 0);
});

for (const netns of [false, true]) {
  test(`Ctrl-C during a run removes the load and exits 130 without a stack trace${netns ? '' : ' (--no-netns)'}`, { skip, timeout: 120_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'r.json');
    const args = ['--import', 'tsx', 'bench/run.ts', '--sizes', '2000', '--only', 'netlink,ss', '--runs', '20', '--out', out, ...(netns ? [] : ['--no-netns'])];
    // A process group of its own, as a shell's foreground job: Ctrl-C sends SIGINT to the whole group.
    const c = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    c.stdout.resume();
    const started = new Promise<void>((resolve) =>
      c.stderr.on('data', (d) => {
        stderr += d;
        if (/ss starts on/.test(stderr)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)));
    await started;
    await new Promise((r) => setTimeout(r, 300));
    if (!netns) assert.ok(benchSockets() > 0, 'the load is up');
    process.kill(-c.pid!, 'SIGINT');
    const code = await exited;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(code, 130, stderr);
    assert.doesNotMatch(stderr, /Error|\n\s+at /, stderr);
    assert.equal(benchSockets(), 0, 'the load (or its TIME_WAIT) is still there');
  });
}
