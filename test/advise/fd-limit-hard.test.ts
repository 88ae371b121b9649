// process-near-fd-limit against the hard limit (review s20 fix-rules2 #3). The fix always said
// `ulimit -n 65536 in the start script`: on a box whose hard limit is 20000 that fails even as root, and
// for a process whose soft limit is already above 65536 it would lower it. Real processes with their limits
// set by prlimit, each holding a listener and dup()ed fds; analyze reads /proc/PID/limits (soft and hard).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const root = process.getuid?.() === 0;

const holder = (fds: number) => String.raw`
import os, socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
nul = os.open('/dev/null', os.O_RDONLY)
held = [os.dup(nul) for _ in range(${fds})]
print(s.getsockname()[1], flush=True); time.sleep(60)
`;

interface Rec {
  id: string;
  message: string;
  evidence: string;
  fix: string;
}

/** A python3 holder under `prlimit --nofile=SOFT:HARD` with `fds` extra fds; its pid and the analyze finding. */
async function nearLimit(t: { after(fn: () => void): void }, soft: number, hard: number, fds: number): Promise<{ pid: number; rec: Rec | undefined }> {
  const kid: ChildProcess = spawn('prlimit', [`--nofile=${soft}:${hard}`, 'python3', '-c', holder(fds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => kid.kill('SIGKILL'));
  const port = await new Promise<string>((res) => createInterface({ input: kid.stdout! }).once('line', res));
  const r = spawnSync('bin/sockscope', ['analyze', '--port', port, '--json'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const recs = (JSON.parse(r.stdout) as { recommendations: Rec[] }).recommendations;
  return { pid: kid.pid!, rec: recs.find((x) => x.id === 'process-near-fd-limit') };
}

test('process-near-fd-limit: soft limit at the hard limit (100:100): no bare ulimit -n, the hard limit is raised', { skip: root ? false : 'needs root (prlimit)', timeout: 60_000 }, async (t) => {
  const { pid, rec } = await nearLimit(t, 100, 100, 92);
  assert.ok(rec, 'process-near-fd-limit fires');
  assert.match(rec.evidence, /Max open files soft 100, hard 100;/);
  // Review s20 fix-rules3 #1: "fails even as root" was wrong: root with CAP_SYS_RESOURCE (a normal host) may raise
  // the hard limit with ulimit -n; a container without that capability (this one: CapEff bit 24 off) cannot.
  assert.match(rec.fix, /the soft limit is already at the hard limit \(100\): raising the hard limit needs CAP_SYS_RESOURCE \(root on a normal host\): ulimit -n 65536 in the start script/);
  assert.doesNotMatch(rec.fix, /fails even as root/);
  assert.match(rec.fix, /in a container without CAP_SYS_RESOURCE .*only from outside: .*--ulimit nofile=65536:65536/);
  assert.match(rec.fix, /fs\.nr_open \(now \d+\) caps the hard limit/);
  assert.match(rec.fix, /systemd LimitNOFILE=65536 .*limits\.conf.*prlimit --pid \d+ --nofile=65536:65536/);
  assert.ok(rec.fix.includes(`--pid ${pid} `), rec.fix);
});

test('process-near-fd-limit: the ulimit commands the fix prints do what it says in a shell (sh -c)', { timeout: 60_000 }, () => {
  // The soft-only form keeps the hard limit; the bare form lowers it too (then no raising back without privilege).
  const soft = spawnSync('sh', ['-c', 'ulimit -Sn 100 && ulimit -Hn && ulimit -Sn 200 && ulimit -Sn'], { encoding: 'utf8' });
  assert.equal(soft.status, 0, soft.stderr);
  const [hard] = soft.stdout.trim().split('\n');
  assert.notEqual(hard, '100');
  const bare = spawnSync('sh', ['-c', 'ulimit -n 100 && ulimit -Hn'], { encoding: 'utf8' });
  assert.equal(bare.stdout.trim(), '100', 'bare ulimit -n lowers the hard limit too');
});

test('process-near-fd-limit: hard limit 20000 above the soft limit (8000) but below what is needed: ulimit -n up to 20000 now, past it the hard limit is raised', { skip: root ? false : 'needs root (prlimit)', timeout: 60_000 }, async (t) => {
  const { pid, rec } = await nearLimit(t, 8000, 20_000, 7000);
  assert.ok(rec, 'process-near-fd-limit fires');
  assert.match(rec.evidence, /Max open files soft 8000, hard 20000;/);
  // Review s20 fix-rules3 #2: without -S, ulimit -n sets the hard limit too (bash, dash): the soft limit alone is -Sn.
  assert.match(rec.fix, /raise the limit to 65536: the hard limit 20000 allows ulimit -Sn 20000 without privilege now; past it raising the hard limit needs CAP_SYS_RESOURCE/);
  assert.doesNotMatch(rec.fix, /ulimit -n 20000/);
  // ulimit -n 65536 only as one of the ways that need CAP_SYS_RESOURCE, never as the unprivileged step.
  assert.ok(rec.fix.indexOf('ulimit -n 65536') > rec.fix.indexOf('needs CAP_SYS_RESOURCE'), rec.fix);
  assert.ok(rec.fix.includes(`prlimit --pid ${pid} --nofile=65536:65536`), rec.fix);
});
