// --host against logins that write around sockscope's script, over a real sshd on loopback whose key carries a
// command= wrapper (authorized_keys, rewritten per case; sshd reads it at every login):
// - text printed without a newline before the script (an xterm title from .bashrc) ran into the first section
//   header: the ss output was dropped and the host read as 0 sockets, exit 0;
// - a login that loses the ss section's header is an error naming the host, not an empty reading;
// - a remote ss that never stops printing: a byte limit, the ssh killed, one line naming the host (V8 died
//   at ~5 GB before, or "Cannot create a string longer than 0x1fffffe8 characters" without the host);
// - ssh's error text with a byte that is not UTF-8: \udc9b in --json (it was the literal "\x9b"), \x9b in text;
// - --host root@-x and ssh://root@-x are invalid hosts (exit 2), as --host=-x is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { MAX_REMOTE_OUTPUT_BYTES, RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { splitSections } from '../../src/parse/remote-bundle.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const NONCE = 'feedfacefeedfacefeedfacefeedface';
const h = (n: string) => `@@sockscope@@ ${NONCE} ${n}\n`;

/** Runs the CLI without blocking this process (its listener must keep answering). */
function runCli(args: string[], prefix: string[] = []): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  const [file, ...rest] = [...prefix, BIN, ...args];
  const child = spawn(file, rest, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - t0 });
    }),
  );
}

/** The test sshd's user key with a forced command (authorized_keys options: only \" is an escape there), as an admin's wrapper would run. */
function forceCommand(sshd: TestSshd, command: string): void {
  const dir = dirname(sshd.clientConfig);
  const key = readFileSync(join(dir, 'user_key.pub'), 'utf8').trim();
  writeFileSync(join(dir, 'authorized_keys'), `command="${command.replace(/"/g, '\\"')}" ${key}\n`, { mode: 0o600 });
}

async function listen(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const portOf = (s: Server) => (s.address() as { port: number }).port;

test('the first section header is found at the end of text the login printed without a newline, later ones only as whole lines', () => {
  const junk = '\x1b]0;root@web1\x07';
  const text = `${junk}${h('ss')}tcp LISTEN 0 5 127.0.0.1:80 0.0.0.0:*\nx${h('ss-exit').trimEnd()}\n${h('ss-exit')}0\n${h('end')}`;
  const { sections } = splitSections(text, NONCE);
  assert.equal(sections.get('ss'), `tcp LISTEN 0 5 127.0.0.1:80 0.0.0.0:*\nx${h('ss-exit').trimEnd()}`, 'a header inside a section must be a whole line');
  assert.equal(sections.get('ss-exit'), '0');
  assert.ok(sections.has('end'));
});

test('--host root@-x and ssh://root@-x are invalid hosts (exit 2), as --host=-x is; ssh would refuse the name', async () => {
  for (const bad of ['root@-x', 'ssh://root@-x', 'ssh://root@-x:22', 'a@b@-x']) assert.throws(() => parseRemoteTarget(bad), /invalid host/, bad);
  assert.deepEqual(parseRemoteTarget('root@x-1'), { destination: 'root@x-1' });
  for (const host of ['root@-x', 'ssh://root@-x']) {
    const r = await runCli(['analyze-states', '--host', host]);
    assert.equal(r.status, 2, `${host}: ${r.stderr}`);
    assert.match(r.stderr, /^sockscope: --host: invalid host "[^"]+" \(expected user@server/, host);
    assert.equal(r.stderr.split('\n').length, 2, 'one line');
  }
});

test('logins that write around the script, an ss that never stops, ssh text that is not UTF-8 (real sshd)', { timeout: 300_000 }, async (t) => {
  const sshd = await startSshd();
  t.after(() => sshd.stop());
  const dir = dirname(sshd.clientConfig);
  const server = await listen();
  t.after(() => server.close());
  const port = portOf(server);
  const cfg = ['--ssh-config', sshd.clientConfig];

  await t.test('an xterm title without a newline before the script: the host\'s sockets are read, not none', async () => {
    forceCommand(sshd, `printf '\\033]0;root@web1\\007'; sh -c "$SSH_ORIGINAL_COMMAND"`);
    const snap = await new RemoteSource(parseRemoteTarget('sockscope-test'), { configFile: sshd.clientConfig }).collect({ port, protocols: ['tcp'] });
    assert.ok(
      snap.sockets.some((s) => s.state === 'LISTEN' && s.local.port === port),
      `the listener on ${port}: ${snap.sockets.length} sockets`,
    );
    const r = await runCli(['analyze', '--port', String(port), '--host', 'sockscope-test', ...cfg, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.listeners.length, 1, r.stdout.slice(0, 400));
    assert.equal(report.listeners[0].port, port);
  });

  await t.test('a login that loses the ss section header: an error naming the host, exit 1, not 0 sockets', async () => {
    forceCommand(sshd, `sh -c "$SSH_ORIGINAL_COMMAND" | sed '/^@@sockscope@@ [0-9a-f]* ss$/d'`);
    const r = await runCli(['analyze', '--port', String(port), '--host', 'sockscope-test', ...cfg]);
    assert.equal(r.status, 1, r.stdout);
    assert.equal(r.stderr, 'sockscope: ssh sockscope-test: the output has no section "ss" (its header line was not found): not trusted\n');
    assert.equal(r.stdout, '');
  });

  await t.test('an ss that never stops printing: stopped at the byte limit, one line naming the host and the limit, memory bounded', async () => {
    const bin = join(dir, 'floodbin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ss'), "#!/bin/sh\nexec yes 'tcp ESTAB 0 0 127.0.0.1:1234 127.0.0.1:5678 '\n", { mode: 0o755 });
    forceCommand(sshd, `env PATH=${bin}:/usr/sbin:/usr/bin:/sbin:/bin sh -c "$SSH_ORIGINAL_COMMAND"`);
    const time = spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0 ? ['/usr/bin/time', '-f', 'maxrss %M KB'] : [];
    const r = await runCli(['analyze', '--port', String(port), '--host', 'sockscope-test', ...cfg], time);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('maxrss ') && !l.startsWith('Command exited'));
    assert.deepEqual(lines, [
      `sockscope: ssh sockscope-test: more than ${MAX_REMOTE_OUTPUT_BYTES / 1024 / 1024} MiB of output, sockscope's limit for one host (some 450,000 sockets with every detail); ssh was stopped: does ss there print something other than sockets?`,
    ]);
    assert.ok(r.ms < 60_000, `stopped at the limit, not at a timeout: ${r.ms} ms`);
    const rss = /maxrss (\d+) KB/.exec(r.stderr);
    if (rss) assert.ok(Number(rss[1]) < 1.5 * 1024 * 1024, `max RSS ${rss[1]} KB`);
    console.log(`# flood: ${r.ms} ms, ${rss ? `max RSS ${rss[1]} KB` : 'max RSS not measured'}`);
  });

  await t.test("ssh's error text with a byte that is not UTF-8: \\udc9b in --json, \\x9b in text", async () => {
    // The session ends with 255, as ssh itself fails, after a line with byte 0x9b on stderr: ssh's error text.
    forceCommand(sshd, "printf 'refused \\233x\\n' >&2; exit 255");
    const closed = 'root@127.0.0.1:1';
    const r = await runCli(['analyze-states', '--host', 'sockscope-test', '--host', closed, ...cfg, '--json']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /"error": "ssh sockscope-test: refused \\udc9bx"/, r.stdout);
    const failed = JSON.parse(r.stdout).find((o: { target: string }) => o.target === 'sockscope-test');
    assert.equal(failed.error, 'ssh sockscope-test: refused \udc9bx');
    const text = await runCli(['analyze-states', '--host', 'sockscope-test', '--host', closed, ...cfg]);
    assert.equal(text.status, 1, text.stderr);
    assert.match(text.stdout, /^error: ssh sockscope-test: refused \\x9bx$/m, text.stdout);
    const one = await runCli(['analyze-states', '--host', 'sockscope-test', ...cfg]);
    assert.equal(one.status, 1);
    assert.equal(one.stderr, 'sockscope: ssh sockscope-test: refused \\x9bx\n');
    assert.doesNotMatch(r.stdout + one.stderr + text.stdout, /\ufffd/);
  });

  await t.test("ssh's error text with a backslash and a control character: escaped once in the multi-host text, as for one host", async () => {
    // The multi-host text ran escapeControl on the message the collector had escaped already: ssh's `\` read
    // `\\\\` there, `\\` in the one-host error line. Byte 0x9b is still \x9b, ESC still \x1b.
    forceCommand(sshd, "printf 'refused \\233x back\\\\slash ctl\\033[31m\\n' >&2; exit 255");
    const closed = 'root@127.0.0.1:1';
    const message = 'ssh sockscope-test: refused \\x9bx back\\\\slash ctl\\x1b[31m';
    const one = await runCli(['analyze-states', '--host', 'sockscope-test', ...cfg]);
    assert.equal(one.status, 1);
    assert.equal(one.stderr, `sockscope: ${message}\n`);
    const text = await runCli(['analyze-states', '--host', 'sockscope-test', '--host', closed, ...cfg]);
    assert.equal(text.status, 1, text.stderr);
    const line = text.stdout.split('\n').find((l) => l.startsWith('error: ssh sockscope-test:'));
    assert.equal(line, `error: ${message}`, text.stdout);
    assert.doesNotMatch(text.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'no raw control character');
    const json = await runCli(['analyze', '--host', 'sockscope-test', '--host', closed, ...cfg, '--json']);
    assert.equal(json.status, 1, json.stderr);
    const failed = JSON.parse(json.stdout).find((o: { target: string }) => o.target === 'sockscope-test');
    assert.equal(failed.error, 'ssh sockscope-test: refused \udc9bx back\\\\slash ctl\\x1b[31m');
  });
});
