// /proc that does not show every process. With /proc mounted hidepid=2 (a common hardening on shared servers)
// another user's processes are not listed at all: an unprivileged user's view found nothing to count as
// hidden, called the attribution complete, said the owners were "not found" (another PID namespace, kernel
// sockets), --json said ownerHidden false, analyze showed `?`, and inspect-options / buffers --pid said a
// running process had exited. With /proc not mounted every owner was `?` with the same container note, the
// TCP totals lost their orphan figure silently, and --pid said the process may have exited. Now hidepid is
// read from /proc/self/mountinfo (and kill(pid, 0) EPERM tells a hidden pid from an exited one), and a
// missing /proc is said where it costs something. Real situation: `unshare -m` mounts a hidepid=2 proc (or
// unmounts /proc) for a child bin/sockscope, setpriv runs it as nobody; a root listener on loopback.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../helpers/tmux.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canUnshare = isRoot && spawnSync('unshare', ['-m', 'sh', '-c', 'mount --make-rprivate / && mount -t proc -o hidepid=2 proc /proc']).status === 0;
const hasSetpriv = spawnSync('setpriv', ['--help']).status === 0;
const skip = !canUnshare ? 'needs root and unshare -m' : !hasSetpriv ? 'needs setpriv' : !existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing: run the build' : false;

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const HIDEPID = 'mount --make-rprivate / && mount -t proc -o hidepid=2 proc /proc && exec "$@"';
const NO_PROC = 'mount --make-rprivate / && umount -l /proc && exec "$@"';

/** bin/sockscope in a mount namespace of its own, after `setup` (which ends in exec "$@"), as `as` (a setpriv prefix) or root. */
function sockscope(setup: string, as: string[], args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', setup, 'sh', ...as, process.execPath, `${ROOT}bin/sockscope`, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: '/',
    env: { ...process.env, HOME: '/tmp', NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A root process's TCP listener on 127.0.0.1 (port 0: the kernel picks). */
const HOLDER = `
const srv = require('net').createServer().listen(0, '127.0.0.1', () => console.log(srv.address().port));
setTimeout(() => process.exit(0), 120000).unref();
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

describe('/proc hiding processes: hidepid=2 and /proc not mounted', { skip }, () => {
  let holder: ChildProcess;
  let port = 0;
  let pid = 0;
  let fd = 0;
  let gonePid = 0;

  before(async () => {
    holder = spawn(process.execPath, ['-e', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
    port = await new Promise<number>((resolve, reject) => {
      holder.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
      holder.once('exit', () => reject(new Error('holder exited')));
    });
    pid = holder.pid!;
    // The listener's fd number, read while this process (root, /proc mounted) can.
    const ino = spawnSync('ss', ['-Htlne', `sport = :${port}`], { encoding: 'utf8' }).stdout.match(/ino:(\d+)/)?.[1];
    fd = Number(readdirSync(`/proc/${pid}/fd`).find((f) => readlinkSync(`/proc/${pid}/fd/${f}`) === `socket:[${ino}]`));
    assert.ok(port > 0 && fd > 0, `listener ${port} at fd ${fd}`);
    // A pid no process has any more (reaped): still "no process ... (it may have exited)".
    gonePid = Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
  });

  after(() => {
    holder?.stdin?.end();
    holder?.kill();
  });

  it('hidepid=2, as nobody: the plain table says the owner is hidden by hidepid, not "not found" in a container', () => {
    const r = sockscope(HIDEPID, NOBODY, ['--port', String(port)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${port} tcp\\s+hidden uid 0`));
    assert.match(r.stdout, /note: other users' processes are hidden by \/proc's hidepid=(2|invisible)[^\n]*run as root \(or as a member of group 0/);
    assert.doesNotMatch(r.stdout, /another PID namespace|not found/);
  });

  it('hidepid=2, as nobody: --json says ownerHidden with the uid, and analyze "hidden uid 0"', () => {
    const j = sockscope(HIDEPID, NOBODY, ['--port', String(port), '--json']);
    assert.equal(j.status, 0, j.stderr);
    const rep = JSON.parse(j.stdout) as { ports: { port: number; ownerHidden: boolean; hiddenOwnerUids: number[]; listeners: { ownerHidden: boolean; uid?: number }[] }[]; notes: string[] };
    const p = rep.ports.find((x) => x.port === port)!;
    assert.equal(p.ownerHidden, true);
    assert.deepEqual(p.hiddenOwnerUids, [0]);
    assert.deepEqual(p.listeners.map((l) => [l.ownerHidden, l.uid]), [[true, 0]]);
    assert.ok(rep.notes.some((n) => /hidepid/.test(n)), rep.notes.join('\n'));
    const a = sockscope(HIDEPID, NOBODY, ['analyze', '--port', String(port)]);
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /hidden uid 0/);
  });

  it('hidepid=2, as nobody: inspect-options and buffers --pid say the process is hidden, not that it may have exited', () => {
    const i = sockscope(HIDEPID, NOBODY, ['inspect-options', '--pid', String(pid), '--socket-fd', String(fd)]);
    assert.equal(i.status, 1, i.stdout);
    assert.match(i.stderr, new RegExp(`--pid: pid ${pid} runs \\(kill\\(${pid}, 0\\): EPERM, another user's process\\) but /proc's hidepid=(2|invisible) hides it from uid 65534`));
    assert.doesNotMatch(i.stderr, /may have exited/);
    const b = sockscope(HIDEPID, NOBODY, ['buffers', '--pid', String(pid), '--socket-fd', String(fd)]);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, /hidepid=(2|invisible) hides it from uid 65534/);
    assert.doesNotMatch(b.stdout + b.stderr, /may have exited/);
    // Its own fix is in the reason: not a second "or run as root" after "the ports)".
    assert.doesNotMatch(b.stdout, /ss -tn lists the ports\), or run as root/);
    // A pid nothing runs as: still the exited process's words.
    const g = sockscope(HIDEPID, NOBODY, ['inspect-options', '--pid', String(gonePid), '--socket-fd', '3']);
    assert.equal(g.status, 1);
    assert.match(g.stderr, /no process with pid \d+ \(it may have exited\)/);
  });

  it('hidepid=2 as root: every process is seen, no hidepid note', () => {
    const r = sockscope(HIDEPID, [], ['--port', String(port)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${port} tcp\\s+node/${pid}`));
    assert.doesNotMatch(r.stdout, /hidepid/);
  });

  it('/proc not mounted: the notes say so (owners, sockstat), analyze shows "?", --pid says /proc is not mounted', () => {
    const r = sockscope(NO_PROC, [], ['--port', String(port)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${port} tcp\\s+\\?`));
    assert.match(r.stdout, /\/proc is not mounted: no process's fds can be read/);
    assert.doesNotMatch(r.stdout, /another PID namespace/);
    const all = sockscope(NO_PROC, [], []);
    assert.equal(all.status, 0, all.stderr);
    assert.doesNotMatch(all.stdout, /orphan \d/, 'the totals have no orphan figure');
    assert.match(all.stdout, /\/proc\/net\/sockstat is unreadable \(\/proc is not mounted\), so the host's count of orphaned TCP sockets is unknown/);
    // One port's view counts the port's own orphans from its sockets: the note does not contradict its "orphan 0".
    const one = sockscope(NO_PROC, [], ['--port', String(port)]);
    assert.match(one.stdout, /orphan 0\)/);
    assert.match(one.stdout, /the host's count of orphaned TCP sockets is unknown/);
    assert.doesNotMatch(one.stdout, /totals have no orphan/);
    // netstat cannot read /proc/net/tcp either: it printed its headers and exit 1, read as a host without sockets.
    const ns = sockscope(NO_PROC, [], ['--source', 'netstat']);
    assert.equal(ns.status, 1, ns.stdout);
    assert.match(ns.stderr, /^sockscope: netstat: no support for `AF INET \(tcp\)' on this system\. \(\/proc is not mounted: mount -t proc proc \/proc\)$/m);
    assert.doesNotMatch(ns.stdout, /no sockets/);
    const a = sockscope(NO_PROC, [], ['analyze', '--port', String(port)]);
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /│ 0\/\d+\s+│ \?\s+│/);
    const i = sockscope(NO_PROC, [], ['inspect-options', '--pid', String(pid), '--socket-fd', String(fd)]);
    assert.equal(i.status, 1);
    assert.match(i.stderr, new RegExp(`--pid: /proc is not mounted, so process ${pid} cannot be read`));
    assert.doesNotMatch(i.stderr, /may have exited/);
    // buffers: the same reason, and no "run as root" (root cannot read an unmounted /proc either).
    const b = sockscope(NO_PROC, [], ['buffers', '--pid', String(pid), '--socket-fd', String(fd)]);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stdout, new RegExp(`/proc is not mounted, so process ${pid} cannot be read`));
    assert.doesNotMatch(b.stdout, /run as root/);
  });
});
