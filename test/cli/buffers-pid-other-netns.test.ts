// `buffers --pid N --socket-fd FD` on a TCP socket of a process in another network namespace (review s25 #1): it
// exited 1 "... neither a TCP nor a UDP socket the collector lists", since the collector listed only sockscope's own
// namespace. Now the sockets are listed there (nsenter --net ss) and the caps are that namespace's sysctls; a user who
// cannot enter it is told so, with the command to run there. Real sockets in a namespace this test creates (root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import { sockscope } from '../collect/getsockopt-helpers.js';

const UID = 61251;

// A connected pair on the namespace's loopback; the client's socket is fd 40, 20,000 bytes sent to the server.
const HOLDER = `
import os, socket, time
l = socket.socket(); l.bind(('127.0.0.1', 5461)); l.listen()
c = socket.create_connection(('127.0.0.1', 5461)); a, _ = l.accept()
os.dup2(c.fileno(), 40); c.sendall(b'x' * 20000); a.recv(65536)
print('ready', flush=True); time.sleep(60)`;

async function holder(ns: string, asUid?: number): Promise<ChildProcess> {
  // /usr/bin/python3: another uid cannot run root's pyenv shim.
  const py = ['/usr/bin/python3', '-c', HOLDER];
  const argv = ['netns', 'exec', ns, ...(asUid !== undefined ? ['setpriv', `--reuid=${asUid}`, `--regid=${asUid}`, '--clear-groups', '--', ...py] : py)];
  const child = spawn('ip', argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('holder not ready in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', () => {
      clearTimeout(timer);
      res();
    });
  });
  return child;
}

test('buffers --pid/--socket-fd on a socket in another network namespace: listed and judged there', { timeout: 60_000 }, async (t) => {
  const ns = `sockscope-bufpid-${process.pid}`;
  let h: ChildProcess | undefined;
  t.after(() => {
    h?.kill('SIGKILL');
    deleteNetns(ns);
  });
  createNetns(ns);
  // Caps unlike the host's, so the report shows whose sysctls it read.
  const set = spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.tcp_rmem=4096 65536 2097152', 'net.ipv4.tcp_moderate_rcvbuf=0'], { encoding: 'utf8' });
  assert.equal(set.status, 0, set.stderr);
  h = await holder(ns);
  const args = ['buffers', '--pid', String(h.pid), '--socket-fd', '40'];
  const j = sockscope([...args, '--json']);
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.connections.length, 1, j.stdout);
  const c = doc.connections[0];
  assert.equal(c.peer, '127.0.0.1:5461');
  assert.ok(c.processes.length > 0 && c.processes.every((p: { pid: number }) => p.pid === h!.pid), JSON.stringify(c.processes));
  assert.ok(c.rttMs != null && c.sndbuf != null, 'tcp_info and skmem from the namespace');
  assert.deepEqual(doc.caps.tcpRmem, [4096, 65536, 2097152], "the namespace's tcp_rmem, not the host's");
  assert.equal(doc.caps.moderateRcvbuf, false);
  assert.ok(doc.notes.some((n: string) => n.startsWith(`pid ${h!.pid} is in another network namespace (net:[`) && n.includes(`nsenter --net=/proc/${h!.pid}/ns/net ss`)), doc.notes.join('\n'));
  const text = sockscope(args);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^ {2}127\.0\.0\.1:5461: /m);
  assert.match(text.stdout, /net\.ipv4\.tcp_rmem 4096 65536 2097152/);
});

test('buffers --pid/--socket-fd in another network namespace a user cannot enter: says so and how to run it there, exit 1', { timeout: 60_000 }, async (t) => {
  const ns = `sockscope-bufpidu-${process.pid}`;
  let h: ChildProcess | undefined;
  t.after(() => {
    h?.kill('SIGKILL');
    deleteNetns(ns);
  });
  createNetns(ns);
  // The user's own process (its fds readable), in a namespace only root can enter.
  h = await holder(ns, UID);
  const r = sockscope(['buffers', '--pid', String(h.pid), '--socket-fd', '40'], { uid: UID });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.doesNotMatch(r.stderr, /neither a TCP nor a UDP socket/);
  assert.match(r.stderr, new RegExp(`^sockscope: --pid: pid ${h.pid} is in another network namespace \\(net:\\[\\d+\\], /proc/${h.pid}/ns/net\\) than sockscope, whose collectors list only their own namespace's sockets, and its sockets and sysctls cannot be read there from here \\(entering a namespace needs root \\(CAP_SYS_ADMIN\\)\\)`, 'm'));
  assert.match(r.stderr, new RegExp(`run sockscope in that namespace: nsenter --net=/proc/${h.pid}/ns/net sockscope buffers --pid ${h.pid} --socket-fd 40`));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
