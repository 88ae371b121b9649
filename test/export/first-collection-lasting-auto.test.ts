// The default source whose every collector cannot work (review s19 export, after 9d6c5a2): `export` (auto) on a host
// without /proc, ss, netstat and with native addons refused retried for 30 s, then exited 1 ("the first 7
// collections failed"), where README says such a failure ends it at once and before 9d6c5a2 it did; so did
// `--source procfs`. AutoSource flattened each collector's error into one message (no cause: lastingFailure found
// no code) and procfs's "missing (is /proc mounted?)" kept no ENOENT. Now auto's error keeps its collectors' errors
// (an AggregateError cause) and is lasting only when every one of them is; procfs's keeps the ENOENT. Real
// situation: `unshare -m` unmounts /proc for a child bin/sockscope run by `node --no-addons`, PATH without ss/netstat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CollectorError } from '../../src/collect/source.js';
import { lastingFailure } from '../../src/export/server.js';
import { ROOT } from '../helpers/tmux.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canUnshare = isRoot && spawnSync('unshare', ['-m', 'sh', '-c', 'mount --make-rprivate / && umount -l /proc']).status === 0;
const skip = !canUnshare ? 'needs root and unshare -m' : !existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing: run the build' : false;

/** /proc unmounted in a mount namespace of its own, PATH with neither ss nor netstat nor busybox. */
const NO_PROC_NO_TOOLS = 'mount --make-rprivate / && umount -l /proc && export PATH=/nonexistent && exec "$@"';

/** `node --no-addons bin/sockscope export ...` there: its stderr, exit status and how long it ran. */
function exportWithNothing(extra: string[]): { status: number | null; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync('unshare', ['-m', 'sh', '-c', NO_PROC_NO_TOOLS, 'sh', process.execPath, '--no-addons', `${ROOT}bin/sockscope`, 'export', '--listen', '127.0.0.1:0', '--interval', '5s', ...extra], {
    encoding: 'utf8',
    // Before the fix it gave up after 30 s: 20 s tells the two apart without waiting for it.
    timeout: 20_000,
    cwd: '/',
    env: { ...process.env, HOME: '/tmp', NO_COLOR: '1' },
  });
  return { status: r.status, stderr: r.stderr, ms: Date.now() - t0 };
}

test('export (the default auto source) where no collector can work: exit 1 at once, not after 30 s of retries', { skip, timeout: 60_000 }, () => {
  const r = exportWithNothing([]);
  assert.doesNotMatch(r.stderr, /retrying/, 'a failure no retry cures was retried');
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.ms < 10_000, `it ran ${r.ms} ms`);
  const lines = r.stderr.trimEnd().split('\n');
  // The message is the one it always was: each collector's error, in auto order.
  assert.match(
    lines.at(-1) ?? '',
    /^sockscope: no snapshot to serve: the first collection failed: auto: no collector worked \(netlink: Cannot load native addon because loading addons is disabled\.; ss: not installed \(command not found\); \/proc\/net\/tcp: missing \(is \/proc mounted\?\); netstat: no usable netstat \(netstat: not installed \(command not found\); busybox: not installed \(command not found\)\)\)$/,
  );
  assert.ok(lines.length <= 2 && (lines.length === 1 || lines[0]!.startsWith('sockscope export: serving http://')), r.stderr);
});

test('export --source procfs without /proc mounted: exit 1 at once (ENOENT)', { skip, timeout: 60_000 }, () => {
  const r = exportWithNothing(['--source', 'procfs']);
  assert.doesNotMatch(r.stderr, /retrying/, 'a failure no retry cures was retried');
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.ms < 10_000, `it ran ${r.ms} ms`);
  assert.equal(r.stderr.trimEnd().split('\n').at(-1), 'sockscope: no snapshot to serve: the first collection failed: /proc/net/tcp: missing (is /proc mounted?)');
});

test('export --source netstat with neither netstat nor busybox installed: exit 1 at once', { skip, timeout: 60_000 }, () => {
  const r = exportWithNothing(['--source', 'netstat']);
  assert.doesNotMatch(r.stderr, /retrying/, 'a failure no retry cures was retried');
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.ms < 10_000, `it ran ${r.ms} ms`);
  assert.equal(
    r.stderr.trimEnd().split('\n').at(-1),
    'sockscope: no snapshot to serve: the first collection failed: netstat: no usable netstat (netstat: not installed (command not found); busybox: not installed (command not found))',
  );
});

test('lastingFailure of an auto error: lasting only when every collector’s error is', () => {
  const coded = (tool: string, code: string) => new CollectorError(tool, `spawn ${tool} ${code}`, Object.assign(new Error(`spawn ${tool} ${code}`), { code }));
  const busy = new CollectorError('ss', 'exited with 1: Cannot open netlink socket: Resource temporarily unavailable');
  const auto = (errs: Error[]) => new CollectorError('auto', `no collector worked (${errs.map((e) => e.message).join('; ')})`, new AggregateError(errs));
  const noBindings = new CollectorError('netlink', 'Cannot load native addon because loading addons is disabled.', Object.assign(new Error('Cannot load native addon because loading addons is disabled.'), { code: 'ERR_DLOPEN_DISABLED' }));
  const noProc = new CollectorError('/proc/net/tcp', 'missing (is /proc mounted?)', Object.assign(new Error("ENOENT: no such file or directory, open '/proc/net/tcp'"), { code: 'ENOENT' }));
  const netstat = new CollectorError('netstat', 'no usable netstat (...)', new AggregateError([coded('netstat', 'ENOENT'), coded('busybox', 'ENOENT')]));
  assert.ok(lastingFailure(auto([noBindings, coded('ss', 'ENOENT'), noProc, netstat])) !== undefined);
  // One collector that may work at the next interval (ss busy at boot): retried.
  assert.equal(lastingFailure(auto([noBindings, busy, noProc, netstat])), undefined);
  // ... also when it is inside a member (netstat found, busybox busy) or is a code that may go away.
  assert.equal(lastingFailure(auto([noBindings, coded('ss', 'ENOENT'), noProc, new CollectorError('netstat', 'no usable netstat', new AggregateError([coded('netstat', 'ENOENT'), busy]))])), undefined);
  assert.equal(lastingFailure(auto([noBindings, coded('ss', 'EAGAIN')])), undefined);
  // By a member's text when it has no code (ss exiting non-zero), as for that error alone.
  assert.ok(lastingFailure(auto([coded('ss', 'ENOENT'), new CollectorError('ss', 'exited with 1: Cannot open netlink socket: Operation not permitted')])) !== undefined);
});
