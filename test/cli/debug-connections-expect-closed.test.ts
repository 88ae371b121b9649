// debug-connections --send/--expect next steps (7f24a86, review s17 diff #3): (a) a server that read the request and
// closed the connection without answering got "the service may ... answer later (a longer --timeout)", which cannot
// help once it has closed: the step now says it closed without answering (it rejected the request); (b) with --tls,
// "compare by hand: nc HOST PORT" sent plain text to a TLS port: the step is now openssl s_client, checked here against
// openssl s_server (the request typed into it reaches the server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sockscopeAsync } from '../collect/getsockopt-helpers.js';

type Verdict = { verdict: { ok: boolean; summary: string; nextSteps: string[] } };

test('a server that reads the request and closes without answering: said so, no longer --timeout', { timeout: 60_000 }, async (t) => {
  const conns = new Set<Socket>();
  const srv = createServer((c) => {
    conns.add(c);
    c.on('error', () => {});
    c.on('data', () => c.end()); // read, then FIN (not a reset: nothing is left unread)
  });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  t.after(() => {
    for (const c of conns) c.destroy();
    srv.close();
  });
  const port = (srv.address() as { port: number }).port;
  const r = await sockscopeAsync(['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'PING\\n', '--expect', 'PONG', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const v = (JSON.parse(r.stdout) as Verdict).verdict;
  assert.equal(v.ok, false);
  assert.match(v.summary, /closed the connection before the expected reply/, v.summary);
  const steps = v.nextSteps.join('\n');
  assert.match(v.nextSteps[0], /closed the connection without answering/, steps);
  assert.match(v.nextSteps[0], /logs/, steps);
  assert.doesNotMatch(steps, /--timeout|answer later/, steps);
  assert.ok(v.nextSteps.some((s) => s.includes(`nc 127.0.0.1 ${port}`)), steps);
});

test('--tls: the by-hand step is openssl s_client (which reaches openssl s_server), not nc', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-sclient-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '30', '-subj', '/CN=localhost'], { encoding: 'utf8' });
  assert.equal(gen.error, undefined, 'openssl is required');
  assert.equal(gen.status, 0, gen.stderr);
  // A free port for s_server (it cannot report one it picked).
  const probe = createServer();
  const port = await new Promise<number>((res) => probe.listen(0, '127.0.0.1', () => res((probe.address() as { port: number }).port)));
  await new Promise<void>((res) => probe.close(() => res()));
  const server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', join(dir, 'c.pem'), '-key', join(dir, 'k.pem')], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => server.kill('SIGKILL'));
  let out = '';
  server.stdout!.on('data', (d) => (out += d));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`s_server not ready: ${out}`)), 10_000);
    const check = () => {
      if (!/ACCEPT/.test(out)) return;
      clearTimeout(timer);
      server.stdout!.off('data', check);
      res();
    };
    server.stdout!.on('data', check);
  });
  // localhost: a name, for -servername (an IP address sends none).
  const r = await sockscopeAsync(['debug-connections', '--address', `localhost:${port}`, '--tls', '--send', 'PING\\n', '--expect', 'PONG', '--timeout', '1s', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const v = (JSON.parse(r.stdout) as Verdict).verdict;
  assert.equal(v.ok, false, v.summary);
  const steps = v.nextSteps.join('\n');
  assert.doesNotMatch(steps, /\bnc /, steps);
  const step = v.nextSteps.find((s) => s.includes('openssl s_client') && s.includes('-quiet'));
  assert.ok(step, steps);
  const cmd = /compare by hand: (openssl s_client [^(]*?) {2,}\(/.exec(step)?.[1];
  assert.ok(cmd, step);
  assert.equal(cmd, `openssl s_client -connect 127.0.0.1:${port} -servername localhost -quiet`);
  assert.match(step, /-crlf/, step);
  // The suggested command speaks TLS to the port: what is typed into it reaches the server.
  const client = spawn(cmd.split(' ')[0], cmd.split(' ').slice(1), { stdio: ['pipe', 'ignore', 'ignore'] });
  t.after(() => client.kill('SIGKILL'));
  client.stdin!.write('HELLO-BY-HAND\n');
  const deadline = Date.now() + 10_000;
  while (!out.includes('HELLO-BY-HAND') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  assert.ok(out.includes('HELLO-BY-HAND'), out);
});
