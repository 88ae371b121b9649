// A process that renames itself after listen() (prctl PR_SET_NAME, as Node's process.title and Python's
// setproctitle do, or a write to /proc/self/comm) keeps its fd count, so the incremental pass skipped it
// and its sockets kept the old name until the 120 s full refresh (review-churn #3: 109 s measured in the
// monitor). The owners' names are now re-read on every pass, NAME_READS_PER_PASS (64) at most, in turn.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { ProcessAttributor } from '../../src/collect/processes.js';
import type { Socket } from '../../src/model/socket.js';

function listener(inode: number): Socket {
  return { protocol: 'tcp', ipVersion: 4, state: 'LISTEN', local: { address: '127.0.0.1', port: 80 }, peer: { address: '0.0.0.0', port: 0 }, recvQ: 0, sendQ: 0, inode, processes: [] };
}

/** Listens on 127.0.0.1 (port 0), prints pid and the socket's inode, then renames itself on each stdin line. */
const RENAMER = `
import ctypes, json, os, socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(8)
print(json.dumps({'pid': os.getpid(), 'inode': os.fstat(s.fileno()).st_ino}), flush=True)
for line in sys.stdin:
    how, name = line.split()
    if how == 'prctl':
        ctypes.CDLL(None, use_errno=True).prctl(15, ctypes.c_char_p(name.encode()), 0, 0, 0)  # PR_SET_NAME
    else:
        open('/proc/self/comm', 'w').write(name)
    print('done', flush=True)
`;

for (const how of ['prctl', 'comm'] as const) {
  test(`a real process renamed by ${how === 'prctl' ? 'prctl(PR_SET_NAME)' : 'a write to /proc/self/comm'}: the next pass names it so, with no full refresh`, { timeout: 30_000 }, async (t) => {

    const child = spawn('python3', ['-c', RENAMER], { stdio: ['pipe', 'pipe', 'inherit'] });
    t.after(() => child.kill('SIGKILL'));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async (): Promise<string> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the python process did not answer in 10 s')), 10_000)));
      const r = await Promise.race([lines.next(), late]).finally(() => clearTimeout(timer));
      assert.ok(!r.done, 'the python process ended');
      return r.value as string;
    };
    const { pid, inode } = JSON.parse(await next()) as { pid: number; inode: number };
    const a = new ProcessAttributor(); // the default full refresh: 120 s, never reached here
    const first = [listener(inode)];
    await a.attribute(first, 'listeners');
    assert.deepEqual(first[0].processes.map((p) => [p.pid, p.name]), [[pid, 'python3']]);

    child.stdin!.write(`${how} worker-v2\n`);
    assert.equal(await next(), 'done');
    const second = [listener(inode)];
    await a.attribute(second, 'listeners');
    assert.equal(a.stats().full, false);
    assert.deepEqual(second[0].processes.map((p) => [p.pid, p.name]), [[pid, 'worker-v2']]);
    // The refs the first snapshot holds are not changed under it (snapshots share them).
    assert.equal(first[0].processes[0].name, 'python3');
  });
}

test('fake /proc: more owners than one pass re-reads; every renamed one is seen within two passes', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-rename-'));
  try {
    const pids = Array.from({ length: 100 }, (_, i) => 1000 + i);
    for (const pid of pids) {
      mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
      writeFileSync(join(root, String(pid), 'comm'), 'old\n');
      symlinkSync(`socket:[${pid * 10}]`, join(root, String(pid), 'fd', '3'));
    }
    let clock = 0;
    const a = new ProcessAttributor({ procRoot: root, countFromStat: false, now: () => clock });
    const list = () => pids.map((pid) => listener(pid * 10));
    await a.attribute(list(), 'listeners');
    for (const pid of pids) writeFileSync(join(root, String(pid), 'comm'), `new-${pid}\n`);
    clock = 1000;
    const s1 = list();
    await a.attribute(s1, 'listeners');
    const renamed1 = s1.filter((s) => s.processes[0].name !== 'old').length;
    assert.deepEqual([a.stats().full, a.stats().namesRead, a.stats().readlinks, renamed1], [false, 64, 0, 64]);
    clock = 2000;
    const s2 = list();
    await a.attribute(s2, 'listeners');
    assert.deepEqual(
      s2.map((s) => s.processes[0].name),
      pids.map((pid) => `new-${pid}`),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

// The rotation went by a cursor into "the owners whose name the walk did not just read", a list whose length
// and order change from pass to pass (review api #8): with the 64 names it had read re-read by the walk on
// the next pass, the cursor jumped over 64 others, and 64 of 200 renamed owners still had the old name after
// ceil(200 / 64) = 4 passes. Names are now read oldest first.
test('fake /proc: every owner is re-read within ceil(owners / 64) passes while the walk re-reads some and owners come and go', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-rename-'));
  try {
    const makePid = (pid: number, name: string) => {
      rmSync(join(root, String(pid)), { recursive: true, force: true });
      mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
      writeFileSync(join(root, String(pid), 'comm'), `${name}\n`);
      symlinkSync(`socket:[${pid * 10}]`, join(root, String(pid), 'fd', '3'));
    };
    const base = Array.from({ length: 200 }, (_, i) => 1000 + i);
    const late = Array.from({ length: 20 }, (_, i) => 5000 + i);
    for (const pid of base) makePid(pid, 'old');
    let clock = 0;
    const a = new ProcessAttributor({ procRoot: root, countFromStat: false, now: () => clock });
    let owners = base;
    const pass = async (first = false) => {
      clock += 1000;
      const list = owners.map((pid) => listener(pid * 10));
      await a.attribute(list, 'listeners');
      assert.equal(a.stats().full, first);
      return new Map(list.map((s) => [s.processes[0].pid, s.processes[0].name]));
    };
    await pass(true);
    for (const pid of base) writeFileSync(join(root, String(pid), 'comm'), `new-${pid}\n`);
    // Pass 1 reads 64 names. Before each later pass the walk re-reads (a new /proc/PID/fd directory inode:
    // the pid's entry is read whole) the owners whose new name was seen last pass, and from pass 2 on 20 new
    // owners join (their name read by the walk) and 20 old ones that already have their new name leave.
    let seen = await pass();
    const bound = Math.ceil((base.length + late.length) / 64); // 4
    for (let k = 2; k <= bound; k++) {
      for (const [pid, name] of seen) if (name === `new-${pid}`) makePid(pid, name);
      if (k === 2) {
        for (const pid of late) makePid(pid, `late-${pid}`);
        const leaving = new Set(base.filter((pid) => seen.get(pid) === `new-${pid}`).slice(0, 20));
        owners = [...base.filter((pid) => !leaving.has(pid)), ...late];
      }
      seen = await pass();
    }
    const stale = owners.filter((pid) => seen.get(pid) === 'old');
    assert.deepEqual(stale, [], `${stale.length} owners still have the name they had ${bound} passes ago`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
