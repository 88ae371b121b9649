// Targeted attribution passes (one-shot commands such as `analyze --port P`): read only the processes
// needed to name every wanted socket's owners, plus those that may share them through fork.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessAttributor } from '../../src/collect/processes.js';
import type { Socket, SocketState } from '../../src/model/socket.js';
import { openScenario } from '../helpers/scenario.js';

function sock(inode: number, state: SocketState = 'ESTABLISHED'): Socket {
  const listen = state === 'LISTEN';
  return { protocol: 'tcp', ipVersion: 4, state, local: { address: '127.0.0.1', port: 80 }, peer: { address: listen ? '0.0.0.0' : '127.0.0.1', port: listen ? 0 : 1234 }, recvQ: 0, sendQ: 0, inode, processes: [] };
}

/** A fake /proc: each process has comm, stat (ppid, start time) and fd symlinks. */
function fakeProc() {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-fakeproc-'));
  const proc = (pid: number, ppid: number, fds: Record<number, string>, start = 1000 + pid): void => {
    mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
    writeFileSync(join(root, String(pid), 'comm'), `p${pid}\n`);
    const rest = Array.from({ length: 30 }, (_, i) => (i === 17 ? String(start) : '0')).join(' ');
    writeFileSync(join(root, String(pid), 'stat'), `${pid} (p ${pid}) S ${ppid} ${rest}\n`);
    for (const [fd, target] of Object.entries(fds)) symlinkSync(target, join(root, String(pid), 'fd', fd));
  };
  return { root, proc, done: () => rmSync(root, { recursive: true, force: true }) };
}

const pids = (s: Socket) => s.processes.map((p) => [p.pid, p.fd]);

test('targeted: stops once every wanted socket has an owner, then reads its parents, children and same-fd listeners', async () => {
  const { root, proc, done } = fakeProc();
  try {
    proc(1, 0, { 0: '/dev/null' });
    proc(20, 1, { 3: 'socket:[100]', 4: 'socket:[300]', 5: '/dev/null' }); // owner of the listener and a connection
    proc(21, 20, { 3: 'socket:[100]' }); // forked child: shares the listener
    proc(22, 21, { 7: 'socket:[300]' }); // grandchild holding the connection at another number
    proc(30, 1, { 0: 'socket:[900]', 1: 'socket:[901]', 2: 'socket:[902]' }); // unrelated, holds nothing wanted
    proc(40, 1, { 3: 'socket:[100]' }); // sibling of 20 at the same fd number (inherited from a parent that closed it)
    proc(50, 1, { 9: 'socket:[100]' }); // received with SCM_RIGHTS at another number: not looked for
    const wanted = [sock(100, 'LISTEN'), sock(300)];
    const t = new ProcessAttributor({ procRoot: root, countFromStat: false });
    await t.attribute(wanted, 'all', { targeted: true });
    assert.deepEqual(pids(wanted[0]), [[20, 3], [21, 3], [40, 3]]);
    assert.deepEqual(pids(wanted[1]), [[20, 4], [22, 7]]);
    assert.equal(t.stats().pidsSkipped, 2, 'pids 30 and 50 are not read');

    // Reading everything names pid 50 too: that is the documented difference.
    const all = [sock(100, 'LISTEN'), sock(300)];
    await new ProcessAttributor({ procRoot: root, countFromStat: false }).attribute(all, 'all');
    assert.deepEqual(pids(all[0]), [[20, 3], [21, 3], [40, 3], [50, 9]]);
    assert.deepEqual(pids(all[1]), pids(wanted[1]));

    // A later targeted pass on the same cache reads only what changed or what is still needed.
    const again = [sock(100, 'LISTEN'), sock(300), sock(901)];
    await t.attribute(again, 'all', { targeted: true });
    assert.deepEqual(pids(again[2]), [[30, 1]]);
    assert.deepEqual(pids(again[0]), [[20, 3], [21, 3], [40, 3]]);
  } finally {
    done();
  }
});

test('targeted: a socket nobody can be found holding makes it read every process (same result as a full pass)', async () => {
  const { root, proc, done } = fakeProc();
  try {
    proc(1, 0, { 0: '/dev/null' });
    proc(20, 1, { 3: 'socket:[100]' });
    proc(30, 1, { 3: 'socket:[200]' });
    proc(40, 1, { 3: 'socket:[300]' });
    const t = new ProcessAttributor({ procRoot: root, countFromStat: false, targeted: true });
    const wanted = [sock(100), sock(777)]; // 777: held by no process (in flight, or a kernel socket)
    await t.attribute(wanted, 'all');
    assert.equal(t.stats().pidsSkipped, 0);
    assert.deepEqual(pids(wanted[0]), [[20, 3]]);
    assert.deepEqual(wanted[1].processes, []);
    assert.deepEqual(t.lookup(300), [{ pid: 40, name: 'p40', fd: 3 }]);
  } finally {
    done();
  }
});

test('targeted: no wanted socket, nothing read; listeners scope reads only for listeners', async () => {
  const { root, proc, done } = fakeProc();
  try {
    proc(1, 0, { 0: 'socket:[5]' });
    proc(20, 1, { 3: 'socket:[100]', 4: 'socket:[101]' });
    const t = new ProcessAttributor({ procRoot: root, countFromStat: false });
    await t.attribute([], 'all', { targeted: true });
    assert.deepEqual([t.stats().readlinks, t.stats().pidsSkipped], [0, 2]);
    const est = sock(101);
    await t.attribute([sock(100, 'LISTEN'), est], 'listeners', { targeted: true });
    assert.deepEqual(est.processes, [], 'not a listener: not attributed');
    assert.equal(t.stats().pidsSkipped, 0, 'pid 1 is read as the parent of the owner');
  } finally {
    done();
  }
});

test('a new /proc/PID/fd directory inode with the same start time is the same process (not re-read); another start time is a new one', async () => {
  const { root, proc, done } = fakeProc();
  try {
    proc(20, 1, { 3: 'socket:[100]', 4: 'socket:[101]' });
    const t = new ProcessAttributor({ procRoot: root, countFromStat: false });
    const ask = async () => {
      const s = [sock(100), sock(101)];
      await t.attribute(s, 'all');
      return s;
    };
    await ask();
    assert.equal(t.stats().readlinks, 2);
    // Same process, directory re-created (what a dropped dentry looks like): cached fds are kept.
    const fd = join(root, '20', 'fd');
    renameSync(fd, `${fd}.old`);
    mkdirSync(fd);
    for (const n of [3, 4]) symlinkSync(readlinkSync(`${fd}.old/${n}`), join(fd, String(n)));
    rmSync(`${fd}.old`, { recursive: true });
    await ask();
    assert.equal(t.stats().readlinks, 0);
    // pid reused by a new process (other start time): everything is read again. (The old directory is
    // removed only after the new one exists, so that the file system cannot hand out the same inode.)
    renameSync(join(root, '20'), join(root, 'old20'));
    proc(20, 1, { 3: 'socket:[100]', 4: 'socket:[102]' }, 5555);
    rmSync(join(root, 'old20'), { recursive: true });
    const s = [sock(100), sock(102)];
    await t.attribute(s, 'all');
    assert.equal(t.stats().readlinks, 2);
    assert.deepEqual(pids(s[1]), [[20, 4]]);
    assert.deepEqual(t.lookup(101), []);
  } finally {
    done();
  }
});

test('the inode index follows processes that come and go and fds that change (many inodes, warm passes)', async () => {
  const { root, proc, done } = fakeProc();
  try {
    const fds = (base: number, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [i + 3, `socket:[${base + i}]`]));
    proc(20, 1, fds(3_000_000_000, 3000)); // inodes above 2^31
    proc(30, 1, fds(1_000, 3000));
    const t = new ProcessAttributor({ procRoot: root, countFromStat: false });
    const all = () => [...Array.from({ length: 3000 }, (_, i) => sock(3_000_000_000 + i)), ...Array.from({ length: 3000 }, (_, i) => sock(1_000 + i))];
    let s = all();
    await t.attribute(s, 'all');
    assert.ok(s.every((x) => x.processes.length === 1));
    assert.deepEqual(pids(s[2999]), [[20, 3002]]);
    // pid 30 exits: its 3000 inodes leave the index, the others stay reachable.
    rmSync(join(root, '30'), { recursive: true });
    s = all().slice(0, 3000);
    await t.attribute(s, 'all');
    assert.ok(s.every((x) => x.processes.length === 1 && x.processes[0].pid === 20));
    assert.deepEqual(t.lookup(1_500), []);
    // fd 10 of pid 20 closed, its number reused for a new socket (count unchanged): the vanished inode marks it.
    rmSync(join(root, '20', 'fd', '10'));
    symlinkSync('socket:[42]', join(root, '20', 'fd', '10'));
    s = [...all().slice(0, 3000).filter((x) => x.inode !== 3_000_000_007), sock(42)];
    await t.attribute(s, 'all');
    assert.deepEqual(pids(s[s.length - 1]), [[20, 10]]);
    assert.equal(t.stats().readlinks, 1);
    assert.deepEqual(t.lookup(3_000_000_007), []);
  } finally {
    done();
  }
});

test('live: targeted attribution names the same owners as a full pass (shared listener, helper-only listener, sockets of the child)', async () => {
  const sc = await openScenario();
  try {
    const make = () => [
      sock(sc.listener.inode, 'LISTEN'),
      sock(sc.shared.inode, 'LISTEN'),
      sock(sc.acceptQueue.inode, 'LISTEN'),
      sock(sc.established.serverInode),
      sock(sc.closeWait.serverInode),
    ];
    const full = make();
    await new ProcessAttributor().attribute(full, 'all');
    const targeted = make();
    const t = new ProcessAttributor({ targeted: true });
    await t.attribute(targeted, 'all');
    assert.deepEqual(targeted.map((s) => s.processes), full.map((s) => s.processes));
    assert.deepEqual(targeted[1].processes.map((p) => p.pid), sc.shared.pids);
    assert.deepEqual(targeted[2].processes.map((p) => p.pid), [sc.acceptQueue.pid]);
  } finally {
    await sc.close();
  }
});

test('live: a process read without listing its fds still finds an fd far above its fd count (sparse fd table)', async () => {
  // A listener at fd 3 duplicated to fd 900: 4-5 fds open, one of them far past the count.
  const py = `import socket,os,sys,time
s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen()
os.dup2(s.fileno(), 900)
sys.stdout.write(os.readlink('/proc/self/fd/900')+'\\n'); sys.stdout.flush()
time.sleep(30)`;
  const { spawn } = await import('node:child_process');
  const child = spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const link = await new Promise<string>((res, rej) => {
      const t = setTimeout(() => rej(new Error('python3 did not answer')), 10_000);
      child.stdout!.once('data', (d: Buffer) => {
        clearTimeout(t);
        res(d.toString().trim());
      });
      child.once('error', rej);
    });
    const ino = Number(/\d+/.exec(link)![0]);
    for (const targeted of [false, true]) {
      const s = [sock(ino, 'LISTEN')];
      await new ProcessAttributor().attribute(s, 'listeners', { targeted });
      assert.deepEqual(
        s[0].processes.filter((p) => p.pid === child.pid).map((p) => p.fd).sort((a, b) => a - b),
        [3, 900],
        `targeted ${targeted}`,
      );
    }
  } finally {
    child.kill();
  }
});

test('live: a file fd replaced by a listener at the same number (fd count unchanged) is found by the fallback without listing', async () => {
  const { spawn } = await import('node:child_process');
  const js = `const fs=require('fs'),net=require('net');
const fd=fs.openSync('/dev/null','r');
process.stdout.write('file '+fd+'\\n');
process.stdin.once('data',()=>{fs.closeSync(fd);const s=net.createServer();s.listen(0,'127.0.0.1',()=>{const h=s._handle.fd;
process.stdout.write('sock '+h+' '+/\\d+/.exec(fs.readlinkSync('/proc/self/fd/'+h))[0]+'\\n');});});
setTimeout(()=>process.exit(0),30000);`;
  const child = spawn(process.execPath, ['-e', js], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const next = (): Promise<string> =>
    new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error('child did not answer')), 10_000);
      const take = (): boolean => {
        if (!lines.length) return false;
        clearTimeout(t);
        res(lines.shift()!);
        return true;
      };
      if (take()) return;
      const on = (d: Buffer): void => {
        lines.push(...d.toString().split('\n').filter(Boolean));
        if (take()) child.stdout!.off('data', on);
      };
      child.stdout!.on('data', on);
    });
  try {
    const fileFd = Number((await next()).split(' ')[1]);
    const a = new ProcessAttributor({ fallbackMinIntervalMs: 0 });
    await a.attribute([], 'listeners');
    child.stdin!.write('go\n');
    const [, sockFd, ino] = (await next()).split(' ').map(Number);
    const s = [sock(ino, 'LISTEN')];
    await a.attribute(s, 'listeners');
    assert.deepEqual(s[0].processes.map((p) => [p.pid, p.fd]), [[child.pid, sockFd]]);
    if (sockFd === fileFd) assert.equal(a.stats().fallback, true, 'same number, same count: found by the fallback');
  } finally {
    child.kill();
  }
});
