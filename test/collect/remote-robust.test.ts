// --host against what remote hosts do to sockscope (review-remote, session 12), with a real sshd on
// loopback whose test users have their own uids and login shells (helpers/sshd-users.ts):
// - a unix socket name with a newline and a whole TCP line in it (also the local ss source);
// - owners hidden from the ssh user shown as hidden in the tables, not as `-`;
// - an ss that hangs (killed on the remote host), one slow host among several (the others refresh);
// - a login that cannot run commands, an ss missing or too old, a login that never answers;
// - --source with --host, sockscope's own ssh connection, IPv6 targets that ssh takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MultiHostSource } from '../../src/collect/multi-host.js';
import { RemoteSource } from '../../src/collect/remote.js';
import { formatRemoteTarget, parseRemoteTarget } from '../../src/collect/remote-target.js';
import { sshTimeoutSetting } from '../../src/cli/host-option.js';
import { SsSource } from '../../src/collect/ss.js';
import { parseSsUnixRecords } from '../../src/parse/ss-records.js';
import { freePort } from '../helpers/free-port.js';
import { startSshdWithUsers, type TestUser, type UsersSshd } from '../helpers/sshd-users.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 90_000, maxBuffer: 256 * 1024 * 1024, env });

/** A login shell that runs the command with PATH set to `path` (fake tools first). */
const pathShell = (path: string) => `#!/bin/sh\nPATH=${path}; export PATH\nexec /bin/sh "$@"\n`;

const USERS = (dir: string): TestUser[] => [
  { name: 'sst-user', uid: 4242, shell: '/bin/sh' },
  { name: 'sst-nologin', uid: 4243, shell: '/usr/sbin/nologin' },
  { name: 'sst-noss', uid: 4244, shell: pathShell(`${dir}/nossbin`) },
  { name: 'sst-oldss', uid: 4245, shell: pathShell(`${dir}/oldbin:/usr/bin:/bin`) },
  { name: 'sst-hang', uid: 4246, shell: pathShell(`${dir}/hangbin:/usr/bin:/bin`) },
  { name: 'sst-slow', uid: 4247, shell: '#!/bin/sh\nsleep 15\nexec /bin/sh "$@"\n' }, // a login that hangs (15 s: bounded, gone soon after the test)
];

/** Starts sshd, then writes the fake tools into its directory (the users' shells point there). */
async function startTestSshd(): Promise<UsersSshd> {
  const fakeDir = mkdtempSync(join(tmpdir(), 'sockscope-sstools-'));
  spawnSync('chmod', ['755', fakeDir]);
  const sshd = await startSshdWithUsers(USERS(fakeDir));
  const stop = sshd.stop;
  mkdirSync(`${fakeDir}/nossbin`);
  for (const tool of ['sh', 'cat', 'uname', 'sleep']) symlinkSync(`/bin/${tool}`, `${fakeDir}/nossbin/${tool}`);
  mkdirSync(`${fakeDir}/oldbin`);
  // What ss of iproute2 < 5.2 does with -O: usage on stderr, exit 255.
  writeFileSync(`${fakeDir}/oldbin/ss`, `#!/bin/sh\necho "ss: invalid option -- 'O'" >&2\necho 'Usage: ss [ OPTIONS ]' >&2\nexit 255\n`, { mode: 0o755 });
  mkdirSync(`${fakeDir}/hangbin`);
  // An ss stuck (in the kernel, on a sick host): never writes, never exits.
  writeFileSync(`${fakeDir}/hangbin/ss`, '#!/bin/sh\nexec sleep 300\n', { mode: 0o755 });
  return {
    ...sshd,
    stop: () => {
      stop();
      rmSync(fakeDir, { recursive: true, force: true });
    },
  };
}

const remote = (sshd: UsersSshd, who: string, opts: { timeoutMs?: number } = {}) => new RemoteSource(parseRemoteTarget(`${who}@sockscope-test`), { configFile: sshd.clientConfig, ...opts });

/** python3 binds a unix socket at `path` (listening) and prints 'ready'; killed when the test ends. */
async function bindUnix(t: { after: (fn: () => void) => void }, path: string): Promise<void> {
  const py = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1].encode()); s.listen(1)\nprint("ready", flush=True)\ntime.sleep(120)', path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => py.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 did not bind in 10 s')), 10_000);
    createInterface({ input: py.stdout! }).once('line', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test('an ss -x output: only a unix netid begins a record, so a TCP line inside a name is part of the name', () => {
  const text = 'u_str LISTEN 0 1 /tmp/u\ntcp   LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:* 77 * 0 <-> ino:5 dev:0/1 peers:\nu_str ESTAB 0 0 * 78 * 79 <->\n';
  const { sockets, unread } = parseSsUnixRecords(text);
  assert.deepEqual(
    sockets.map((s) => [s.protocol, s.state, s.local.address, s.inode]),
    [
      ['unix', 'LISTEN', '/tmp/u\ntcp   LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:*', 77],
      ['unix', 'ESTABLISHED', '', 78],
    ],
  );
  assert.equal(unread, 0);
  // A line that reads as nothing but a TCP socket gives nothing: it can only be text of a name cut short.
  assert.deepEqual(parseSsUnixRecords('tcp LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:* ino:1 sk:1\n').sockets, []);
});

test('IPv6 targets as ssh takes them: bare without a port, and with a zone', () => {
  assert.deepEqual(parseRemoteTarget('remu@::1'), { destination: 'remu@::1' });
  assert.deepEqual(parseRemoteTarget('fe80::1%eth0'), { destination: 'fe80::1%eth0' });
  assert.deepEqual(parseRemoteTarget('remu@[fe80::1%eth0]:22'), { destination: 'remu@fe80::1%eth0', port: 22 });
  assert.equal(formatRemoteTarget(parseRemoteTarget('remu@[fe80::1%eth0]:22')), 'remu@[fe80::1%eth0]:22');
  assert.deepEqual(parseRemoteTarget(formatRemoteTarget(parseRemoteTarget('remu@::1'))), { destination: 'remu@::1' });
  for (const bad of ['remu@[fe80::1%eth0;x]', 'remu@::1::2', 'remu@[1.2.3.4]', 'remu@[::1%-oProxyCommand=x]', 'a:b:c']) assert.throws(() => parseRemoteTarget(bad), bad);
});

test('--ssh-timeout: a duration', () => {
  assert.equal(sshTimeoutSetting({}), undefined);
  assert.equal(sshTimeoutSetting({ SOCKSCOPE_SSH_TIMEOUT: '45s' }), 45_000);
  assert.equal(sshTimeoutSetting({ SOCKSCOPE_SSH_TIMEOUT: '2m' }), 120_000);
  const bad = run(['analyze-states', '--host', 'web1', '--ssh-timeout', '0']);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--ssh-timeout must be between/);
  const badMon = run(['--host', 'web1', '--ssh-timeout', 'soon', '--json']);
  assert.equal(badMon.status, 2, badMon.stderr);
});

test('the monitor refuses --source with --host (exit 2), as analyze does', () => {
  const r = run(['--host', 'web1', '--source', 'procfs', '--json']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--source procfs cannot read a remote host/);
});

test('local ss source: a unix socket named with a newline and a TCP listener line forges no TCP socket and stays one unix socket', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-forge-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const path = `${dir}/u\ntcp   LISTEN 0      4096   0.0.0.0:${port} 0.0.0.0:*`;
  await bindUnix(t, path);
  const snap = await new SsSource().collect({ protocols: ['tcp', 'unix'], processes: 'none' });
  assert.deepEqual(
    snap.sockets.filter((s) => s.protocol !== 'unix' && s.local.port === port),
    [],
    'no TCP socket on the port named in the unix path',
  );
  const named = snap.sockets.filter((s) => s.protocol === 'unix' && s.local.address === path);
  assert.equal(named.length, 1, 'the socket is there, its whole name');
  assert.equal(named[0].state, 'LISTEN');
  // Another test file running at the same time may hold such a socket too: "2 unix sockets have a newline...".
  assert.ok(snap.notes.some((n) => /unix sockets? (has|have) a newline in (its|their) name/.test(n)), snap.notes.join('\n'));
});

test('--host: the same unix socket forges nothing remotely; sockscope leaves its own ssh connection out (real sshd)', { timeout: 120_000 }, async (t) => {
  const sshd = await startTestSshd();
  t.after(() => sshd.stop());
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-forge-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const path = `${dir}/u\ntcp   LISTEN 0      4096   0.0.0.0:${port} 0.0.0.0:*`;
  await bindUnix(t, path);
  const snap = await remote(sshd, 'sst-user').collect({ protocols: ['tcp', 'unix'] });
  assert.deepEqual(snap.sockets.filter((s) => s.protocol !== 'unix' && s.local.port === port), []);
  assert.equal(snap.sockets.filter((s) => s.protocol === 'unix' && s.local.address === path).length, 1);
  const doc = JSON.parse(run(['--host', 'sst-user@sockscope-test', '--ssh-config', sshd.clientConfig, '--tcp', '--unix', '--json']).stdout) as {
    ports: { port: number }[];
    unix: { path: string }[];
  };
  assert.deepEqual(doc.ports.filter((p) => p.port === port), [], 'no port entry for the forged listener');
  assert.ok(doc.unix.some((u) => u.path === path), 'the unix socket is listed under its name');

  // sockscope's own connection to sshd was counted as a client of the sshd port.
  const own = await remote(sshd, 'sst-user').collect({ protocols: ['tcp'], port: sshd.port });
  assert.deepEqual(own.sockets.filter((s) => s.state === 'ESTABLISHED').map((s) => `${s.local.port} ${s.peer.port}`), [], 'no ESTABLISHED connection on the sshd port');
  assert.ok(own.sockets.some((s) => s.state === 'LISTEN'), 'the sshd listener is there');
  assert.ok(own.notes.some((n) => /sockscope's own ssh connection .* is left out/.test(n)), own.notes.join('\n'));
});

test('--host as a user who cannot see root processes: the tables say hidden uid 0, not `-` (one host and several)', { timeout: 120_000 }, async (t) => {
  const sshd = await startTestSshd();
  t.after(() => sshd.stop());
  // This process (root) listens: the ssh user (uid 4242) sees the socket and its uid, not its process.
  const srv = createServer(() => {});
  await new Promise<void>((r) => srv.listen({ port: 0, host: '127.0.0.1', backlog: 9 }, () => r()));
  t.after(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const rowRe = new RegExp(`\\b${port} +tcp\\b`);
  const row = (out: string) => out.split('\n').find((l) => rowRe.test(l));
  const one = run(['--host', 'sst-user@sockscope-test', '--ssh-config', sshd.clientConfig, '--tcp', '--port', String(port)]);
  assert.equal(one.status, 0, one.stderr);
  assert.match(row(one.stdout) ?? '', /hidden uid 0/, one.stdout);
  const two = run(['--host', 'sst-user@sockscope-test', '--host', 'sst-user@sockscope-test2', '--ssh-config', sshd.clientConfig, '--tcp', '--port', String(port)]);
  assert.equal(two.status, 0, two.stderr);
  const rows = two.stdout.split('\n').filter((l) => rowRe.test(l));
  assert.equal(rows.length, 2, two.stdout);
  for (const r of rows) assert.match(r, /hidden uid 0/);
});

test('--host: a login that cannot run commands, a missing ss and an ss too old say so, with what the remote said (real sshd)', { timeout: 120_000 }, async (t) => {
  const sshd = await startTestSshd();
  t.after(() => sshd.stop());
  await assert.rejects(
    remote(sshd, 'sst-nologin').collect({ protocols: ['tcp'], port: 1 }),
    /ssh sst-nologin@sockscope-test: the remote login did not run sockscope's script \(exit 1; it said: This account is currently not available\.\)/,
  );
  await assert.rejects(remote(sshd, 'sst-noss').collect({ protocols: ['tcp'], port: 1 }), /ss on sst-noss@sockscope-test: not installed \(install iproute2 5\.2 or later there\); the shell said: .*ss: not found/);
  await assert.rejects(
    remote(sshd, 'sst-oldss').collect({ protocols: ['tcp'], port: 1 }),
    /ss on sst-oldss@sockscope-test: too old: it refused a flag \(ss: invalid option -- 'O'\); --host needs iproute2 5\.2 or later there \(ss -O\)/,
  );
  const cli = run(['analyze', '--port', '80', '--host', 'sst-nologin@sockscope-test', '--ssh-config', sshd.clientConfig]);
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /This account is currently not available/);
  assert.doesNotMatch(cli.stderr, /iproute2/);
});

test('--host: a hung ss is killed on the remote host; a login that never answers is given up on, naming the host (real sshd)', { timeout: 120_000 }, async (t) => {
  const sshd = await startTestSshd();
  t.after(() => sshd.stop());
  const t0 = Date.now();
  await assert.rejects(remote(sshd, 'sst-hang').collect({ protocols: ['tcp'], timeoutMs: 2000 }), /ss on sst-hang@sockscope-test: did not finish within 2 s and was stopped there/);
  assert.ok(Date.now() - t0 < 15_000, `${Date.now() - t0} ms`);
  // Nothing of the session is left on the "remote" host: the ss (sleep 300) was killed, and the
  // watchdog's own sleep ends within its 2 s.
  let left = '';
  for (let i = 0; i < 20; i++) {
    left = spawnSync('ps', ['-u', '4246', '-o', 'pid=,args='], { encoding: 'utf8' }).stdout.trim();
    if (left === '') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(left, '', 'processes of the ssh user still running');

  const slow = Date.now();
  await assert.rejects(remote(sshd, 'sst-slow', { timeoutMs: 3000 }).collect({ protocols: ['tcp'], port: 1 }), /ssh sst-slow@sockscope-test: no answer for 3 s \(nothing received;/);
  assert.ok(Date.now() - slow < 10_000);
  const cli = run(['analyze', '--port', '80', '--host', 'sst-slow@sockscope-test', '--ssh-config', sshd.clientConfig, '--ssh-timeout', '3s']);
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /ssh sst-slow@sockscope-test: no answer for 3 s/);
});

test('several hosts: one that hangs does not hold back the others; it shows as reading, then with the age of its sockets', { timeout: 120_000 }, async (t) => {
  const sshd = await startTestSshd();
  t.after(() => sshd.stop());
  const hosts = [
    { label: 'sst-user@sockscope-test', source: remote(sshd, 'sst-user') },
    { label: 'sst-hang@sockscope-test', source: remote(sshd, 'sst-hang') },
  ];
  const multi = new MultiHostSource(hosts, { slowHostWaitMs: 500 });
  const opts = { protocols: ['tcp'] as const, timeoutMs: 8000 };
  const t0 = Date.now();
  const first = await multi.collect({ ...opts, protocols: ['tcp'] });
  assert.ok(Date.now() - t0 < 6000, `first refresh took ${Date.now() - t0} ms`);
  const parts = multi.partsOf(first)!;
  assert.ok(parts[0].snapshot, 'the healthy host is shown');
  assert.match(parts[1].error ?? '', /no answer yet \(reading for \d+ s\)/);
  assert.equal(first.hostname, 'sst-user@sockscope-test, sst-hang@sockscope-test (no answer yet)', 'the header says which host is not shown');
  const t1 = Date.now();
  const second = await multi.collect({ ...opts, protocols: ['tcp'] });
  assert.ok(Date.now() - t1 < 6000, `second refresh took ${Date.now() - t1} ms`);
  assert.ok(multi.partsOf(second)![0].snapshot!.time >= t1, 'the healthy host was read again in this refresh');
  // A host that answered before and is slow now: its last sockets, with their age (in the header too).
  const stale = new MultiHostSource(
    [
      { label: 'fast', source: remote(sshd, 'sst-user') },
      { label: 'slow', source: { name: 'remote', collect: async (o) => (slowNow ? new Promise(() => {}) : remote(sshd, 'sst-user').collect(o)) } },
    ],
    { slowHostWaitMs: 300 },
  );
  let slowNow = false;
  const fresh = await stale.collect({ protocols: ['tcp'] });
  assert.equal(fresh.hostname, 'fast, slow');
  slowNow = true;
  await new Promise((r) => setTimeout(r, 1200));
  const old = await stale.collect({ protocols: ['tcp'] });
  // The age is counted from when `slow` answered to this refresh's start: at least 1 s, more on a loaded machine.
  const age = /^fast, slow \((\d+) s old\)$/.exec(old.hostname);
  assert.ok(age && Number(age[1]) >= 1, old.hostname);
  assert.ok(old.notes.some((n) => /^slow: still reading; its sockets are from \d+ s ago \(reading for \d+ s\)$/.test(n)), old.notes.join('\n'));
  assert.ok(old.sockets.some((s) => s.host === 'slow'), 'its last sockets are shown');
  // Wait for the hung host's watchdog (8 s): its failure is shown, and the collection for it starts again.
  await new Promise((r) => setTimeout(r, 9000));
  const third = await multi.collect({ ...opts, protocols: ['tcp'] });
  assert.match(multi.partsOf(third)![1].error ?? '', /did not finish within 8 s/);
  // That refresh started the hung host's collection again: stop its ssh before sshd goes (t.after).
  multi.close();
});
