// `buffers --pid N --socket-fd FD` (and the buffers task) on a socket the user cannot see into: another user's
// process, or an undumpable process of the user's own. The report explains why, as inspect-options does, and
// exits 0; a missing process or fd, or an fd that is not a socket, stays a runtime failure (exit 1). Real
// processes (test/fixtures/sockopt/socket-holder.c), run through setpriv as a uid of this file's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { requireSetpriv, startSocketHolder } from '../helpers/socket-holder.js';

const UID = 61236;

test('another user\'s process: the report says who runs it and to choose by --port, exit 0; the task too', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root, to own a process another uid cannot read');
  requireSetpriv();
  const h = await startSocketHolder();
  t.after(() => h.stop());
  const args = ['buffers', '--pid', String(h.pid), '--socket-fd', String(h.acceptedFd)];
  const why = new RegExp(`pid ${h.pid} runs as uid 0 and sockscope as uid ${UID}: only root or its owner can read /proc/${h.pid}/fd \\(EACCES\\), so which socket fd ${h.acceptedFd} is cannot be known: choose its connections with --port P or --peer-port P instead`);
  const j = sockscope([...args, '--json'], { uid: UID });
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.selection, `pid ${h.pid} fd ${h.acceptedFd}`);
  assert.deepEqual(doc.connections, []);
  assert.ok(doc.notes.some((n: string) => why.test(n)), doc.notes.join('\n'));
  assert.ok(!doc.notes.some((n: string) => /^No TCP connections/.test(n)), 'not "no connections": they are not visible');
  const text = sockscope(args, { uid: UID });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, why);

  const dir = mkdtempSync(join(tmpdir(), 'sockscope-buffers-task-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const file = join(dir, 'task.json');
  writeFileSync(file, JSON.stringify({ operation: 'buffers', pid: h.pid, socketFd: h.acceptedFd }), { mode: 0o644 });
  const task = sockscope(['task', file], { uid: UID });
  assert.equal(task.status, 0, task.stderr);
  const result = JSON.parse(task.stdout);
  assert.equal(result.ok, true);
  assert.ok(result.result.notes.some((n: string) => why.test(n)), result.result.notes.join('\n'));
});

test('an undumpable process of the user\'s own: said to be theirs, not another user\'s', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'needs root, to start a process as another uid');
  const h = await startSocketHolder({ uid: UID, undumpable: true });
  t.after(() => h.stop());
  const r = sockscope(['buffers', '--pid', String(h.pid), '--socket-fd', String(h.acceptedFd), '--json'], { uid: UID });
  assert.equal(r.status, 0, r.stderr);
  const notes: string[] = JSON.parse(r.stdout).notes;
  assert.ok(notes.some((n) => n.startsWith(`pid ${h.pid} is a process of yours that is not dumpable (prctl PR_SET_DUMPABLE or setuid): only root can read its fds`)), notes.join('\n'));
  assert.ok(!notes.some((n) => /runs as uid/.test(n)), notes.join('\n'));
});

test('a readable process: its socket by inode; no such fd, an fd that is no socket or no TCP socket: exit 1 saying which', { timeout: 90_000 }, async (t) => {
  const h = await startSocketHolder();
  t.after(() => h.stop());
  const r = sockscope(['buffers', '--pid', String(h.pid), '--socket-fd', String(h.acceptedFd), '--json']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.connections.length, 1);
  assert.equal(doc.connections[0].local, `127.0.0.1:${h.port}`);
  // Its stdin is the unix socket node's spawn gives it.
  const unix = sockscope(['buffers', '--pid', String(h.pid), '--socket-fd', '0']);
  assert.equal(unix.status, 1);
  assert.match(unix.stderr, new RegExp(`^sockscope: --socket-fd: fd 0 of pid ${h.pid} is socket inode \\d+, which is neither a TCP nor a UDP socket the collector lists`));
  const noFd = sockscope(['buffers', '--pid', String(h.pid), '--socket-fd', '999']);
  assert.equal(noFd.status, 1);
  // One line that starts with the flag, as inspect-options says it (README).
  assert.match(noFd.stderr, new RegExp(`^sockscope: --socket-fd: pid ${h.pid} has no fd 999 \\(ls -l /proc/${h.pid}/fd lists its fds\\)\n$`));
  const noPid = sockscope(['buffers', '--pid', '3999999', '--socket-fd', '3']);
  assert.equal(noPid.status, 1);
  assert.match(noPid.stderr, /^sockscope: --pid: no process with pid 3999999 \(it may have exited\)\n$/);
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => sleeper.kill('SIGKILL'));
  const notSocket = sockscope(['buffers', '--pid', String(sleeper.pid), '--socket-fd', '0']);
  assert.equal(notSocket.status, 1);
  assert.match(notSocket.stderr, new RegExp(`^sockscope: --socket-fd: fd 0 of pid ${sleeper.pid} is not a socket \\(it is /dev/null\\)\n$`));
});

test('a zombie (exited, not reaped): buffers and inspect-options both say so and name its parent, exit 1', { timeout: 60_000 }, async (t) => {
  // The parent forks a child that exits at once and never waits for it.
  const parent = spawn('python3', ['-c', 'import os, sys, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True); time.sleep(30)'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => parent.kill('SIGKILL'));
  const zombie = await new Promise<number>((res) => parent.stdout!.once('data', (d) => res(Number(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 200));
  const want = new RegExp(`^sockscope: --pid: pid ${zombie} has exited and its parent python3 \\(pid ${parent.pid}\\) has not reaped it \\(a zombie, state Z: the parent has not called wait\\(\\)\\), so it holds no fds\n$`);
  for (const cmd of ['buffers', 'inspect-options']) {
    const r = sockscope([cmd, '--pid', String(zombie), '--socket-fd', '3']);
    assert.equal(r.status, 1, `${cmd}: ${r.stderr}`);
    assert.match(r.stderr, want, cmd);
  }
});

test('a process whose main thread exited while another thread runs is not called a zombie: the thread ids are the way in', { timeout: 60_000 }, async (t) => {
  // State Z on /proc/PID/status and an empty /proc/PID/fd, yet alive: its other thread holds the listener.
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-mainexit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'm.c'),
    `#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
static void *idle(void *a) { (void)a; sleep(30); return 0; }
int main(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(0x7f000001) };
  if (s < 0 || bind(s, (void *)&a, sizeof a) != 0 || listen(s, 8) != 0) return 1;
  pthread_t th;
  if (pthread_create(&th, 0, idle, 0) != 0) return 1;
  printf("%d\\n", s);
  fflush(stdout);
  pthread_exit(0);
}
`,
  );
  const cc = spawnSync('gcc', ['-Wall', '-Wextra', '-Werror', '-pthread', '-o', join(dir, 'm'), join(dir, 'm.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `gcc is needed (.ci/apt-packages.txt): ${cc.stderr ?? cc.error}`);
  const child = spawn(join(dir, 'm'), [], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const fd = await new Promise<number>((res) => child.stdout!.once('data', (d) => res(Number(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 200));
  const pid = child.pid!;
  const want = new RegExp(`^sockscope: --pid: pid ${pid}'s main thread has exited \\(state Z\\) while 1 other thread still runs and holds its fds, which /proc/${pid}/fd then does not list: give one of its threads' ids with --pid \\(ls /proc/${pid}/task\\)\n$`);
  for (const cmd of ['buffers', 'inspect-options']) {
    const r = sockscope([cmd, '--pid', String(pid), '--socket-fd', String(fd)]);
    assert.equal(r.status, 1, `${cmd}: ${r.stderr}`);
    assert.match(r.stderr, want, cmd);
  }
});

test('buffers --json in link mode: host, kernel and time say where the caps were read; defaults.detail always present', { timeout: 30_000 }, () => {
  const r = sockscope(['buffers', '--bandwidth', '10gbit', '--rtt', '80ms', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(typeof d.host, 'string');
  assert.equal(typeof d.kernel, 'string');
  assert.ok(!Number.isNaN(Date.parse(d.time)), d.time);
  assert.equal(d.source, null, 'no collector ran');
  assert.equal(d.selection, null);
  assert.ok('detail' in d.defaults, JSON.stringify(d.defaults));
  // The text keeps no header line in link mode (no collector, no selection).
  const text = sockscope(['buffers', '--bandwidth', '10gbit', '--rtt', '80ms']);
  assert.match(text.stdout, /^Kernel caps: /);
});
