import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessAttributor, isListenerSocket } from '../../src/collect/processes.js';
import type { Socket, SocketState, Protocol } from '../../src/model/socket.js';
import { openScenario } from '../helpers/scenario.js';

function sock(inode: number, state: SocketState = 'ESTABLISHED', protocol: Protocol = 'tcp', peerPort = 1234): Socket {
  return { protocol, ipVersion: protocol === 'unix' ? undefined : 4, state, local: { address: '127.0.0.1', port: 80 }, peer: { address: state === 'LISTEN' ? '0.0.0.0' : '127.0.0.1', port: state === 'LISTEN' ? 0 : peerPort }, recvQ: 0, sendQ: 0, inode, processes: [] };
}

test('listener detection: TCP/unix LISTEN and unconnected UDP', () => {
  assert.equal(isListenerSocket(sock(1, 'LISTEN')), true);
  assert.equal(isListenerSocket(sock(1, 'ESTABLISHED')), false);
  assert.equal(isListenerSocket(sock(1, 'CLOSE', 'udp', 0)), true);
  assert.equal(isListenerSocket(sock(1, 'ESTABLISHED', 'udp', 53)), false);
});

test('fake /proc tree: sockets, shared sockets, names with spaces, incremental re-reads, dead and reused pids', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-fakeproc-'));
  try {
    const proc = (pid: number, comm: string, fds: Record<number, string>): void => {
      mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
      writeFileSync(join(root, String(pid), 'comm'), `${comm}\n`);
      for (const [fd, target] of Object.entries(fds)) symlinkSync(target, join(root, String(pid), 'fd', fd));
    };
    proc(100, 'nginx: master', { 0: '/dev/null', 6: 'socket:[5000]', 7: 'socket:[5001]' });
    proc(101, 'worker (1), "x"', { 6: 'socket:[5000]', 9: 'socket:[5002]', 10: 'pipe:[77]' });
    proc(102, '\x1b[2Jevil ', { 4: 'socket:[5000]' });
    mkdirSync(join(root, 'self'));
    writeFileSync(join(root, 'version'), 'x');
    const a = new ProcessAttributor({ procRoot: root, countFromStat: false, fallbackMinIntervalMs: 0 });
    const socks = [sock(5000, 'LISTEN'), sock(5001), sock(5002), sock(0, 'TIME_WAIT')];
    const info = await a.attribute(socks, 'all');
    assert.deepEqual(info, { scope: 'all', complete: true, hiddenProcesses: 0 });
    assert.deepEqual(socks[0].processes, [
      { pid: 100, name: 'nginx: master', fd: 6 },
      { pid: 101, name: 'worker (1), "x"', fd: 6 },
      { pid: 102, name: '\x1b[2Jevil ', fd: 4 },
    ]);
    assert.deepEqual(socks[1].processes, [{ pid: 100, name: 'nginx: master', fd: 7 }]);
    assert.deepEqual(socks[3].processes, []);
    const first = a.stats();
    assert.equal(first.readlinks, 7);

    // Nothing changed: cached values, only the directories are listed (countFromStat off), no readlink.
    const again = [sock(5000, 'LISTEN'), sock(5001), sock(5002)];
    await a.attribute(again, 'all');
    assert.equal(a.stats().readlinks, 0);
    assert.deepEqual(again[2].processes, [{ pid: 101, name: 'worker (1), "x"', fd: 9 }]);

    // fd 7 of pid 100 closed and reused for a new socket: the old inode disappears from the dump, so fd 7 is re-read.
    unlinkSync(join(root, '100', 'fd', '7'));
    symlinkSync('socket:[5003]', join(root, '100', 'fd', '7'));
    const third = [sock(5000, 'LISTEN'), sock(5002), sock(5003)];
    await a.attribute(third, 'all');
    assert.deepEqual(third[2].processes, [{ pid: 100, name: 'nginx: master', fd: 7 }]);
    assert.equal(a.stats().readlinks, 1);

    // A non-socket fd replaced by a socket at the same number: found by the fallback pass.
    unlinkSync(join(root, '101', 'fd', '10'));
    symlinkSync('socket:[5004]', join(root, '101', 'fd', '10'));
    const fourth = [sock(5000, 'LISTEN'), sock(5002), sock(5003), sock(5004)];
    await a.attribute(fourth, 'all');
    assert.deepEqual(fourth[3].processes, [{ pid: 101, name: 'worker (1), "x"', fd: 10 }]);
    assert.equal(a.stats().fallback, true);

    // Listener scope: only listeners are filled in.
    const scoped = [sock(5000, 'LISTEN'), sock(5002)];
    await a.attribute(scoped, 'listeners');
    assert.equal(scoped[0].processes.length, 3);
    assert.deepEqual(scoped[1].processes, []);

    // pid 101 exits: its references go away.
    rmSync(join(root, '101'), { recursive: true });
    const fifth = [sock(5000, 'LISTEN')];
    await a.attribute(fifth, 'all');
    assert.deepEqual(fifth[0].processes.map((p) => p.pid), [100, 102]);
    assert.deepEqual(a.lookup(5002), []);

    // Scope none: nothing is read at all.
    assert.deepEqual(await a.attribute([sock(5000, 'LISTEN')], 'none'), { scope: 'none', complete: true, hiddenProcesses: 0 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('live scenario: listeners, shared listener, accept-queue owner, established sockets on demand', async () => {
  const sc = await openScenario();
  try {
    const a = new ProcessAttributor();
    const listener = sock(sc.listener.inode, 'LISTEN');
    const shared = sock(sc.shared.inode, 'LISTEN');
    const queue = sock(sc.acceptQueue.inode, 'LISTEN');
    const est = sock(sc.established.serverInode);
    const udp = sock(sc.udp.inode, 'CLOSE', 'udp', 0);
    const unixL = { ...sock(sc.unix.listenerInode, 'LISTEN', 'unix'), unixType: 'stream' as const };
    await a.attribute([listener, shared, queue, est, udp, unixL], 'listeners');
    assert.deepEqual(listener.processes.map((p) => [p.pid, p.name]), [[sc.pid, 'node']]);
    assert.deepEqual(shared.processes.map((p) => p.pid), sc.shared.pids);
    assert.deepEqual(shared.processes.map((p) => p.name).sort(), ['node', 'sleep']);
    assert.deepEqual(queue.processes.map((p) => [p.pid, p.name, p.fd]), [[sc.acceptQueue.pid, 'sleep', 3]]);
    assert.deepEqual(udp.processes.map((p) => p.pid), [sc.pid]);
    assert.deepEqual(unixL.processes.map((p) => p.pid), [sc.pid]);
    assert.equal(est.processes.length, 0, 'established sockets are attributed only on demand');
    await a.attribute([listener, est], 'all');
    const refs: Socket['processes'] = est.processes;
    assert.deepEqual(refs.map((p) => p.pid), [sc.pid]);
    assert.ok(refs[0].fd > 2);
  } finally {
    await sc.close();
  }
});

test('live: a socket opened after the first poll is found through the fd count (no full re-read)', async () => {
  const child = spawn(
    process.execPath,
    ['-e', `const net=require('net');const fs=require('fs');const ino=(s)=>Number(/\\d+/.exec(fs.readlinkSync('/proc/self/fd/'+s._handle.fd))[0]);
const a=net.createServer();a.listen(0,'127.0.0.1',()=>{process.stdout.write(ino(a)+'\\n');
process.stdin.once('data',()=>{const b=net.createServer();b.listen(0,'127.0.0.1',()=>process.stdout.write(ino(b)+'\\n'));});});
process.stdin.on('end',()=>process.exit(0));setTimeout(()=>process.exit(0),60000);`],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: number[] = [];
  const next = (): Promise<number> =>
    new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error('child did not answer')), 15000);
      const on = (d: Buffer): void => {
        for (const l of d.toString().split('\n').filter(Boolean)) lines.push(Number(l));
        if (lines.length) {
          clearTimeout(t);
          child.stdout!.off('data', on);
          res(lines.shift()!);
        }
      };
      child.stdout!.on('data', on);
    });
  try {
    const first = await next();
    const a = new ProcessAttributor();
    const s1 = [sock(first, 'LISTEN')];
    await a.attribute(s1, 'listeners');
    assert.deepEqual(s1[0].processes.map((p) => p.pid), [child.pid]);
    child.stdin!.write('go\n');
    const second = await next();
    const s2 = [sock(first, 'LISTEN'), sock(second, 'LISTEN')];
    await a.attribute(s2, 'listeners');
    assert.deepEqual(s2[1].processes.map((p) => p.pid), [child.pid]);
    assert.equal(a.stats().full, false);
    assert.equal(a.stats().fallback, false);
  } finally {
    child.stdin!.end();
    child.kill();
  }
});

test('unprivileged: own sockets attributed, other users\' processes reported hidden with a note', { skip: process.getuid?.() !== 0 ? 'needs root to switch to nobody' : false }, () => {
  const script = fileURLToPath(new URL('./processes-unprivileged.fixture.mts', import.meta.url));
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', script], {
    encoding: 'utf8',
    timeout: 30000,
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(info.complete, false);
  assert.ok(info.hiddenProcesses > 0);
  assert.match(info.note, /processes? of other users (is|are) hidden: run as root to see them/);
  assert.deepEqual(info.own, [{ pid: info.pid, name: 'node', fd: info.fd }], 'its own sockets are still attributed');
  assert.deepEqual(info.targeted.own, info.own, 'targeted pass: same owner');
  assert.equal(info.targeted.complete, false);
  // Every hidden process is counted, read or not: the count of a full pass taken just before or just
  // after (other users' processes may start or end in between: tests run alongside).
  const lo = Math.min(info.hiddenProcesses, info.after.hiddenProcesses);
  const hi = Math.max(info.hiddenProcesses, info.after.hiddenProcesses);
  assert.ok(info.targeted.hiddenProcesses >= lo && info.targeted.hiddenProcesses <= hi, `targeted pass: ${info.targeted.hiddenProcesses} hidden, full passes ${info.hiddenProcesses} and ${info.after.hiddenProcesses}`);
  assert.ok(info.targeted.note.startsWith(`${info.targeted.hiddenProcesses} process`), `targeted pass: the note gives its count: ${info.targeted.note}`);
  assert.match(info.targeted.note, /processes? of other users (is|are) hidden: run as root to see them/);
});

test('its own listener above a hole: the directory fd it opens to read /proc/self/fd does not hide it', () => {
  const script = fileURLToPath(new URL('./processes-own-fd.fixture.mts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.ok(info.fd > info.highest, `the listener (fd ${info.fd}) is the child's highest fd (next: ${info.highest}), as the case needs`);
  const want = [{ pid: info.pid, name: 'node', fd: info.fd }];
  assert.deepEqual(info.first, want, 'first pass');
  assert.deepEqual(info.again, want, 'second pass');
});

test('concurrent calls are serialized and both answered', async () => {
  const a = new ProcessAttributor();
  const [x, y] = await Promise.all([a.attribute([], 'listeners'), a.attribute([], 'all')]);
  assert.equal(x.scope, 'listeners');
  assert.equal(y.scope, 'all');
});

test('fallback passes are rate-limited but not forgotten; a full refresh re-reads every fd', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-fakeproc-'));
  try {
    const fd = (n: number) => join(root, '200', 'fd', String(n));
    mkdirSync(join(root, '200', 'fd'), { recursive: true });
    writeFileSync(join(root, '200', 'comm'), 'srv\n');
    symlinkSync('socket:[7000]', fd(3));
    symlinkSync('/dev/null', fd(4));
    symlinkSync('/dev/zero', fd(5));
    let clock = 0;
    const a = new ProcessAttributor({ procRoot: root, countFromStat: false, now: () => clock, fullRefreshMs: 1000, fallbackMinIntervalMs: 500 });
    await a.attribute([sock(7000)], 'all');
    assert.deepEqual([a.stats().full, a.stats().readlinks], [true, 3]);
    // A file fd replaced by a socket at the same number: found by the fallback.
    unlinkSync(fd(4));
    symlinkSync('socket:[7001]', fd(4));
    clock = 100;
    const s2 = [sock(7000), sock(7001)];
    await a.attribute(s2, 'all');
    assert.deepEqual([a.stats().fallback, s2[1].processes.map((p) => p.fd)], [true, [4]]);
    // Again, too soon for another fallback: not found yet...
    unlinkSync(fd(5));
    symlinkSync('socket:[7002]', fd(5));
    clock = 200;
    const s3 = [sock(7000), sock(7001), sock(7002)];
    await a.attribute(s3, 'all');
    assert.deepEqual([a.stats().fallback, s3[2].processes], [false, []]);
    // ...but still new on the next poll once the interval has passed.
    clock = 700;
    const s4 = [sock(7000), sock(7001), sock(7002)];
    await a.attribute(s4, 'all');
    assert.deepEqual([a.stats().fallback, s4[2].processes.map((p) => p.fd)], [true, [5]]);
    clock = 1200;
    await a.attribute(s4, 'all');
    assert.deepEqual([a.stats().full, a.stats().readlinks], [true, 3]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
