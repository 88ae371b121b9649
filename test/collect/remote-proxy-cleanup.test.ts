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
