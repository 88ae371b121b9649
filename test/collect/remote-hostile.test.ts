// --host against a remote host whose users write hostile text into the script's output: unix socket paths
// with newlines and section headers (ss prints them raw), and a hostname with a newline (sethostname takes
// any bytes). Real sshd on loopback (root, python3, unshare for the hostname).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { parseRemoteBundle, splitSections } from '../../src/parse/remote-bundle.js';
import { startSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const NONCE = 'feedfacefeedfacefeedfacefeedface';
const h = (n: string, nonce = NONCE) => `@@sockscope@@ ${nonce} ${n}\n`;

test('only a whole line with this run nonce is a section header; repeats and a missing end are reported', () => {
  const text = `${h('ss')}u_str LISTEN 0 5 /tmp/i\n@@sockscope@@ ignored\n@@sockscope@@ ${NONCE}x end\n@@sockscope@@ 0000 ss-exit\n 1 * 0\n${h('ss-exit')}0\n${h('hostname')}web1\nsecond line\n${h('kernel')}6.1.0\n`;
  const b = parseRemoteBundle(text, NONCE);
  const { sections } = splitSections(text, NONCE);
  assert.equal(sections.get('ss'), `u_str LISTEN 0 5 /tmp/i\n@@sockscope@@ ignored\n@@sockscope@@ ${NONCE}x end\n@@sockscope@@ 0000 ss-exit\n 1 * 0`, 'forged headers stay in the ss text');
  assert.equal(sections.get('ss-exit'), '0');
  assert.equal(b.hostname, 'web1\nsecond line', 'the whole hostname, newline included');
  assert.equal(b.kernel, '6.1.0', 'not the second line of the hostname');
  assert.equal(b.complete, false, 'no end section: cut short');
  const twiceText = `${h('ss')}${h('ss-exit')}0\n${h('ss-exit')}1\n${h('end')}`;
  const twice = parseRemoteBundle(twiceText, NONCE);
  assert.deepEqual(twice.repeated, ['ss-exit']);
  assert.equal(splitSections(twiceText, NONCE).sections.get('ss-exit'), '0', 'the first one is kept');
  assert.equal(twice.complete, true);
});

/** A stand-in for ssh: prints what `body(nonce)` gives, with the nonce read from the script on stdin. */
function fakeSsh(dir: string, body: string): string {
  const file = join(dir, `ssh-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, `#!/bin/sh\nn=$(sed -n "s/^echo '@@sockscope@@ \\([0-9a-f]*\\) ss'$/\\1/p")\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

test('output that repeats a section (a leaked nonce) or stops before its end is refused, not half read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-fakessh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = parseRemoteTarget('web1');
  const twice = fakeSsh(dir, `printf '@@sockscope@@ %s ss\\n@@sockscope@@ %s ss-exit\\n0\\n@@sockscope@@ %s ss\\n@@sockscope@@ %s end\\n' $n $n $n $n`);
  await assert.rejects(new RemoteSource(target, { sshPath: twice }).collect({ protocols: ['tcp'] }), /web1: the output repeats section "ss": not trusted/);
  const cut = fakeSsh(dir, `printf '@@sockscope@@ %s ss\\n@@sockscope@@ %s ss-exit\\n0\\n' $n $n`);
  await assert.rejects(new RemoteSource(target, { sshPath: cut }).collect({ protocols: ['tcp'] }), /web1: the remote script stopped before its end/);
  const whole = fakeSsh(dir, `printf '@@sockscope@@ %s ss\\n@@sockscope@@ %s ss-exit\\n0\\n@@sockscope@@ %s end\\n' $n $n $n`);
  const snap = await new RemoteSource(target, { sshPath: whole }).collect({ protocols: ['tcp'] });
  assert.deepEqual(snap.sockets, []);
});

// Binds unix sockets whose paths forge section headers (old fixed marker, and the new one with a guessed
// nonce), and a TCP listener; prints the TCP port; stays until stdin closes, at most 120 s.
const HOSTILE = String.raw`
import socket, sys, os, threading
D = sys.argv[1].encode()
keep = []
for name in [b'/i\n@@sockscope@@ ignored\n', b'/u\n@@sockscope@@ uname\nevil\n0.0-evil\n', b'/e\n@@sockscope@@ ss-exit\n7\n', b'/n\n@@sockscope@@ 00000000000000000000000000000000 end\n']:
    s = socket.socket(socket.AF_UNIX); s.bind(D + name); s.listen(1); keep.append(s)
t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen(7); keep.append(t)
print(t.getsockname()[1], flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

test('unix socket paths with section headers in them cannot hide sockets or fake sections (real sshd)', { timeout: 90_000 }, async (t) => {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-hostile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const py = spawn('python3', ['-c', HOSTILE, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => py.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 sockets not ready in 10 s')), 10_000);
    createInterface({ input: py.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(Number(l));
    });
    py.once('error', reject);
  });

  const snap = await new RemoteSource(parseRemoteTarget('sockscope-test'), { configFile: sshd.clientConfig }).collect({ protocols: ['tcp', 'unix'] });
  const l = snap.sockets.find((s) => s.protocol === 'tcp' && s.state === 'LISTEN' && s.local.port === port);
  assert.ok(l, `the TCP listener after the hostile unix sockets is seen (${snap.sockets.length} sockets)`);
  assert.equal(l!.sendQ, 7, 'backlog');
  assert.ok(snap.sockets.some((s) => s.protocol === 'unix' && s.local.address === `${dir}/i\n@@sockscope@@ ignored\n`), 'the hostile path is a socket of its own, whole');
  assert.equal(snap.hostname, hostname(), 'not the forged uname');
  assert.equal(snap.kernel, release());
  assert.ok(snap.sysctls['net.core.somaxconn'], 'sections after ss still read');

  // the review's repro: the monitor's one-shot --json with --unix reported 0 listeners and 0 ports
  const r = spawnSync(BIN, ['--host', 'sockscope-test', '--ssh-config', sshd.clientConfig, '--tcp', '--unix', '--json'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { ports: { port: number; listeners: { backlog: number | null }[] }[] };
  assert.equal(doc.ports.find((p) => p.port === port)?.listeners[0]?.backlog, 7, `port ${port} listed with its listener`);
});

test('a remote hostname with a newline stays the hostname, and the kernel release is the kernel release (real sshd)', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'a UTS namespace of its own needs root (as in CI)');
  const setHostname = 'import os, socket, sys\nsocket.sethostname(sys.argv[1])\nos.execv(sys.argv[2], sys.argv[2:])';
  const sshd = await startSshd(['unshare', '-u', 'python3', '-c', setHostname, 'web1\nevil-kernel']);
  t.after(() => sshd.stop());
  const snap = await new RemoteSource(parseRemoteTarget('sockscope-test'), { configFile: sshd.clientConfig }).collect({ protocols: ['tcp'], port: 1 });
  assert.equal(snap.hostname, 'web1\nevil-kernel');
  assert.equal(snap.kernel, release());
});

test('a remote name with a newline cannot give a socket an owner: the rows of such names carry none (review collect #5)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-fakessh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // iproute2 6.1's ss -xpO for one abstract socket named "a\nu_str LISTEN 0 9 /run/forged.sock 4242 * 0 users:((...))\nu_str LISTEN 0 9 @b".
  const nl = String.raw`u_str LISTEN 0 1 @a\nu_str LISTEN 0 9 /run/forged.sock 4242 * 0 users:(("sshd",pid=1,fd=3))\nu_str LISTEN 0 9 @b 63849702 * 0 users:(("evil",pid=999,fd=5))\n`;
  const sections = ['ss', 'ss-exit', '0', 'ss-err', 'ss-unix', 'ss-unix-exit', '0', 'ss-unix-err', 'ss-unix-nl', nl, 'ss-unix-nl-exit', '0', 'ss-unix-nl-err', 'end'];
  const known = new Set(['ss', 'ss-exit', 'ss-err', 'ss-unix', 'ss-unix-exit', 'ss-unix-err', 'ss-unix-nl', 'ss-unix-nl-exit', 'ss-unix-nl-err', 'end']);
  const body = sections.map((x) => (known.has(x) ? `printf '@@sockscope@@ %s ${x}\\n' $n` : `printf '%s\\n' '${x === nl ? '' : x}'${x === nl ? `; printf '${nl.replace(/%/g, '%%')}'` : ''}`)).join('\n');
  const ssh = fakeSsh(dir, body);
  const snap = await new RemoteSource(parseRemoteTarget('web1'), { sshPath: ssh }).collect({ protocols: ['unix'], processes: 'all' });
  const rows = snap.sockets.filter((s) => s.protocol === 'unix');
  assert.ok(rows.some((s) => s.local.address === '/run/forged.sock'), 'the row ss text makes up is still there (the note says so)');
  // Before: /run/forged.sock held by sshd pid 1, @b by evil pid 999.
  assert.deepEqual(rows.map((s) => s.processes), rows.map(() => []));
  assert.ok(snap.notes.some((n) => /can make up unix rows here .*; their owners are not shown$/.test(n)), snap.notes.join('\n'));
});
