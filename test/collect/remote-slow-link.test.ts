// --ssh-timeout on a slow link that works (review s21 fix-remote #3): the idle limit counted only bytes
// reaching ssh's stdout or stderr, and ssh hands output over per packet (up to 32 KB), so at 3 KB/s
// stdout went quiet for seconds between chunks while data flowed the whole time: "no answer for 3 s",
// exit 1. Now bytes ssh reads from the link (its /proc/PID/io rchar, 1 KB or more) count too. A link
// that stops carrying data still fails after the limit. Real sshd on loopback; the hosts are reached
// through a ProxyCommand of the test's own that throttles (or stalls) what the server sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

/**
 * server -> client throttled to RATE bytes/s in 512-byte pieces; after STALL bytes (0: never) nothing more is passed on;
 * after SLOW bytes (0: never) no longer throttled, so that how long the rest takes does not depend on how many sockets
 * other tests hold on this host (the remote ss lists them all; CI runs two test files at once).
 */
const PROXY = `import os, select, socket, sys, time
rate = float(sys.argv[1]); stall = int(sys.argv[2]); port = int(sys.argv[3]); slow = int(sys.argv[4])
s = socket.create_connection(('127.0.0.1', port))
sent = 0; start = time.time()
while time.time() - start < 120:
    r, _, _ = select.select([0, s], [], [], 1)
    if 0 in r:
        d = os.read(0, 65536)
        if not d: s.shutdown(socket.SHUT_WR)
        else: s.sendall(d)
    if s in r:
        if stall and sent >= stall:
            time.sleep(0.5); continue
        d = s.recv(512)
        if not d: break
        os.write(1, d); sent += len(d)
        ahead = sent / rate - (time.time() - start)
        if ahead > 0 and not (slow and sent >= slow): time.sleep(ahead)
`;

let sshd: TestSshd | undefined;
let dir = '';
const listeners: Server[] = [];

async function setup(): Promise<string> {
  if (sshd) return sshd.clientConfig;
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'sockscope-slow-'));
  writeFileSync(join(dir, 'proxy.py'), PROXY);
  const host = (name: string, rate: number, stall: number, slow = 0) =>
    [
      `Host ${name}`,
      '  HostName 127.0.0.1',
      `  User ${sshd!.user}`,
      `  HostKeyAlias [127.0.0.1]:${sshd!.port}`,
      `  ProxyCommand python3 ${join(dir, 'proxy.py')} ${rate} ${stall} ${sshd!.port} ${slow}`,
      ...['IdentityFile', 'IdentitiesOnly', 'UserKnownHostsFile', 'StrictHostKeyChecking'].map((k) => `  ${k} ${optionOf(k)}`),
    ].join('\n');
  const { readFileSync } = await import('node:fs');
  const base = readFileSync(sshd.clientConfig, 'utf8');
  const optionOf = (k: string) => new RegExp(`^\\s*${k} (.*)$`, 'm').exec(base)![1];
  appendFileSync(sshd.clientConfig, `\n${host('slow', 3000, 0, 24_000)}\n${host('stalls', 100_000, 6000)}\n`);
  // 80 listeners: the TCP part of the remote ss output is some 15 KB more, sent in packets of up to 32 KB.
  for (let i = 0; i < 80; i++) {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    listeners.push(s);
  }
  return sshd.clientConfig;
}

test.after(() => {
  for (const s of listeners) s.close();
  sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - t0 });
    }),
  );
}

test('--ssh-timeout 3s over a 3 KB/s link that keeps carrying data: the host is read, not "no answer"', { timeout: 120_000 }, async () => {
  const config = await setup();
  const r = await runCli(['analyze-states', '--host', 'slow', '--ssh-config', config, '--ssh-timeout', '3s']);
  assert.equal(r.status, 0, `${r.stderr} (after ${r.ms} ms)`);
  assert.doesNotMatch(r.stderr, /no answer/);
  assert.ok(r.ms > 6000, `the link is slow: ${r.ms} ms (the output has tens of KB)`);
});

test('--ssh-timeout 3s over a link that stops carrying data after the login: still given up after about 3 s', { timeout: 120_000 }, async () => {
  const config = await setup();
  const r = await runCli(['analyze-states', '--host', 'stalls', '--ssh-config', config, '--ssh-timeout', '3s']);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /ssh stalls: no answer for 3 s/);
  assert.ok(r.ms < 10_000, `given up in ${r.ms} ms`);
});

// The idle limit counted ssh's own start-up reads (rchar: libraries, ssh_config, openssl.cnf, some 58 KB) as
// link activity, so every "no answer for N s" came 0.75-1 s late. A server that sends its banner and then
// nothing: given up at the limit.
test('--ssh-timeout 3s, a server that sends its banner and then nothing: "no answer for 3 s" in under 3.6 s', { timeout: 60_000 }, async () => {
  const config = await setup();
  const held: import('node:net').Socket[] = [];
  const banner = createServer((s) => {
    held.push(s.on('error', () => {}));
    s.write('SSH-2.0-OpenSSH_9.2\r\n');
  });
  await new Promise<void>((r) => banner.listen(0, '127.0.0.1', r));
  appendFileSync(config, `\nHost banner\n  HostName 127.0.0.1\n  Port ${(banner.address() as { port: number }).port}\n  User nobody\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n`);
  try {
    const r = await runCli(['analyze-states', '--host', 'banner', '--ssh-config', config, '--ssh-timeout', '3s']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /ssh banner: no answer for 3 s/);
    assert.ok(r.ms < 3600, `given up in ${r.ms} ms`);
  } finally {
    for (const s of held) s.destroy();
    banner.close();
  }
});
