// An ssh reached through ProxyJump or a ProxyCommand, stopped by sockscope (SIGTERM/SIGINT/SIGHUP, or
// RemoteSource.close()): sockscope used to SIGKILL ssh alone, which never ends its proxy, so the
// `ssh -W` of a ProxyJump (and a ProxyCommand's processes) stayed on with PPID 1 after sockscope exited.
// Now ssh and its descendants are sent SIGTERM and, after a short grace, SIGKILL.
// A real sshd on loopback as the jump host; the final host is a listener that never answers the banner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket as NetSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sshd: TestSshd | undefined;
let silent: Server | undefined;
const held: NetSocket[] = [];
let dir = '';

/** The sshd, a silent listener (a host whose banner never comes), and a config with hosts `jump` and `proxied`. */
async function setup(): Promise<{ config: string; mark: string }> {
  if (!sshd) {
    sshd = await startSshd();
    silent = createServer((s) => held.push(s.on('error', () => {})));
    await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'sockscope-proxy-'));
    // A ProxyCommand that is a shell running a child (not exec'd): SIGHUP to the shell alone leaves the child.
    const proxy = join(dir, 'proxy.sh');
    writeFileSync(proxy, `#!/bin/sh\npython3 -c 'import socket,time; s=socket.create_connection(("127.0.0.1",${port})); time.sleep(300)' ${dir}\n`, { mode: 0o755 });
    appendFileSync(
      sshd.clientConfig,
      [
        '',
        'Host jump',
        '  HostName 127.0.0.1',
        `  Port ${port}`,
        `  User ${sshd.user}`,
        '  ProxyJump sockscope-test',
        'Host proxied',
        '  HostName 127.0.0.1',
        `  User ${sshd.user}`,
        `  ProxyCommand ${proxy}`,
        '',
      ].join('\n'),
    );
  }
  return { config: sshd.clientConfig, mark: sshd.clientConfig };
}

test.after(() => {
  for (const s of held) s.destroy();
  silent?.close();
  sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Processes (pid and command line) whose command line holds `mark`, other than this test's own. */
function leftOver(marks: string[]): string[] {
  const r = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => marks.some((m) => l.includes(m)) && !l.includes(' ps -eo'))
    .map((l) => l.trim());
}

async function until(ms: number, cond: () => boolean): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (cond()) return true;
  return cond();
}

const cases: Array<[string, string[], NodeJS.Signals, number]> = [
  ['jump', ['analyze-states'], 'SIGTERM', 143],
  ['jump', ['--json'], 'SIGINT', 130],
  ['proxied', ['analyze-states'], 'SIGHUP', 129],
];

for (const [host, args, sig, code] of cases) {
  test(`--host ${host} (${host === 'jump' ? 'ProxyJump' : 'ProxyCommand'}): ${sig} leaves no ssh or proxy behind, exit ${code}`, { timeout: 60_000 }, async () => {
    const { config } = await setup();
    const marks = [config, dir];
    const child = spawn(BIN, [...args, '--host', host, '--ssh-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    try {
      // The proxy is up (ssh -W for ProxyJump, python3 for the ProxyCommand) and waiting for the banner.
      const proxyUp = () => leftOver(marks).some((l) => (host === 'jump' ? / -W / : /python3/).test(l));
      assert.ok(await until(15_000, proxyUp), `the proxy started: ${leftOver(marks).join(' | ')}`);
      await sleep(300);
      const t0 = Date.now();
      child.kill(sig);
      assert.equal(await exited, code, err);
      assert.ok(Date.now() - t0 < 3000, `quit in ${Date.now() - t0} ms`);
      assert.ok(await until(2000, () => leftOver(marks).length === 0), `left running: ${leftOver(marks).join(' | ')}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      for (const l of leftOver(marks)) process.kill(Number(l.split(/\s+/)[0]), 'SIGKILL');
    }
  });
}

test('RemoteSource.close() on a ProxyJump host ends ssh and its ssh -W', { timeout: 60_000 }, async () => {
  const { config } = await setup();
  const marks = [config, dir];
  const src = new RemoteSource(parseRemoteTarget('jump'), { configFile: config, timeoutMs: 60_000 });
  const pending = src.collect({});
  try {
    assert.ok(await until(15_000, () => leftOver(marks).some((l) => / -W /.test(l))), 'ssh -W started');
    src.close();
    await assert.rejects(pending, /was stopped/);
    assert.ok(await until(2000, () => leftOver(marks).length === 0), `left running: ${leftOver(marks).join(' | ')}`);
  } finally {
    for (const l of leftOver(marks)) process.kill(Number(l.split(/\s+/)[0]), 'SIGKILL');
  }
});

// ssh giving up by itself (ConnectTimeout during the banner exchange: --ssh-timeout 3s passes 2 s) SIGHUPs its
// ProxyCommand shell only; the shell's child, reparented to PID 1, kept ssh's stderr pipe open, so the call
// never ended (neither "no answer for 3 s" nor the 10x limit came) and the child ran on.
test('--host proxied: ssh exiting by itself ends the call, and the ProxyCommand\'s child is stopped', { timeout: 60_000 }, async () => {
  const { config } = await setup();
  const marks = [config, dir];
  const t0 = Date.now();
  const child = spawn(BIN, ['analyze-states', '--host', 'proxied', '--ssh-config', config, '--ssh-timeout', '3s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    assert.equal(await exited, 1, `still running after 15 s: ${err}`);
    assert.ok(Date.now() - t0 < 6000, `ended in ${Date.now() - t0} ms`);
    assert.match(err, /ssh proxied: .*timed out/);
    assert.ok(await until(2000, () => leftOver(marks).length === 0), `left running: ${leftOver(marks).join(' | ')}`);
  } finally {
    clearTimeout(killer);
    for (const l of leftOver(marks)) process.kill(Number(l.split(/\s+/)[0]), 'SIGKILL');
  }
});

/** The pid of the first process that is a child of `parent` and whose command line holds `part`. */
function childWith(parent: number, part: string): number | undefined {
  const r = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  for (const l of r.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l);
    if (m && Number(m[2]) === parent && m[3].includes(part)) return Number(m[1]);
  }
  return undefined;
}

// A kernel without CONFIG_PROC_CHILDREN has no /proc/PID/task/TID/children: only ssh was found and signalled,
// and before its login ssh dies on SIGTERM without ending its ProxyJump's ssh -W. Here sockscope runs in a mount
// namespace of its own where a tmpfs over /proc/<ssh>/task/<ssh> hides ssh's children file as soon as ssh runs.
test('--host jump where /proc/PID/task/TID/children is missing: SIGTERM still leaves no ssh -W behind', { timeout: 60_000 }, async (t) => {
  if (process.getuid?.() !== 0 || spawnSync('unshare', ['-m', 'true']).status !== 0) return t.skip('needs root and unshare -m');
  const { config } = await setup();
  const marks = [config, dir];
  const child = spawn('unshare', ['-m', '--propagation', 'private', BIN, 'analyze-states', '--host', 'jump', '--ssh-config', config, '--ssh-timeout', '60s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  try {
    let ssh: number | undefined;
    assert.ok(await until(15_000, () => (ssh = childWith(child.pid!, 'ssh -T ')) !== undefined), 'ssh started');
    const hide = spawnSync('nsenter', ['-t', String(child.pid), '-m', 'mount', '-t', 'tmpfs', 'none', `/proc/${ssh}/task/${ssh}`], { encoding: 'utf8' });
    assert.equal(hide.status, 0, hide.stderr);
    assert.ok(await until(15_000, () => leftOver(marks).some((l) => / -W /.test(l))), `ssh -W started: ${leftOver(marks).join(' | ')}`);
    await sleep(1500); // past a poll of ssh's descendants
    child.kill('SIGTERM');
    assert.equal(await exited, 143, err);
    assert.ok(await until(2000, () => leftOver(marks).length === 0), `left running: ${leftOver(marks).join(' | ')}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    for (const l of leftOver(marks)) process.kill(Number(l.split(/\s+/)[0]), 'SIGKILL');
  }
});
