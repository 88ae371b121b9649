// What --host leaves running (diff-review-collect #2, #3, #6, #10), with real processes:
// - an ssh still reading when sockscope exits is killed, and RemoteSource.close() kills it before;
// - ssh ends by itself on a dead link (ServerAliveInterval) and the user's ssh_config decides Compression;
// - the remote script's watchdog ends with the ss it guards (no `sleep N` left on the server);
// - the stdio-inode map of exec.ts stays bounded in a process that only reads remote hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remoteScript, RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { runStreaming, stdioInodesHeld } from '../../src/collect/exec.js';
import { alive } from '../helpers/pid-alive.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOT = new URL('../..', import.meta.url).pathname;

/** Polls `cond` every 50 ms for at most `ms`. */
async function within(ms: number, cond: () => boolean): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (cond()) return true;
  return cond();
}

/** A stand-in for ssh that writes its pid and then hangs (a login that never answers). */
function hangingSsh(dir: string): { path: string; pidFile: string } {
  const pidFile = join(dir, 'ssh.pid');
  const path = join(dir, 'ssh');
  writeFileSync(path, `#!/bin/sh\necho $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}\nexec sleep 777\n`);
  chmodSync(path, 0o755);
  return { path, pidFile };
}

test('an ssh still reading when sockscope exits (the monitor quitting) is killed with it', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-rc-'));
  const ssh = hangingSsh(dir);
  let pid = 0;
  try {
    const script = join(dir, 'quit.mts');
    writeFileSync(
      script,
      `import { existsSync } from 'node:fs';
const { RemoteSource } = await import(${JSON.stringify(join(ROOT, 'src/collect/remote.ts'))});
const { parseRemoteTarget } = await import(${JSON.stringify(join(ROOT, 'src/collect/remote-target.ts'))});
const src = new RemoteSource(parseRemoteTarget('hung'), { sshPath: ${JSON.stringify(ssh.path)}, timeoutMs: 60_000 });
void src.collect({}).catch(() => {});
for (let i = 0; i < 200 && !existsSync(${JSON.stringify(ssh.pidFile)}); i++) await new Promise((r) => setTimeout(r, 25));
process.exit(0);
`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    pid = Number(readFileSync(ssh.pidFile, 'utf8'));
    assert.ok(pid > 0);
    assert.ok(await within(2000, () => !alive(pid)), `the ssh (pid ${pid}) outlived sockscope`);
  } finally {
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('RemoteSource.close() kills the ssh of a collection still running; the collection rejects', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-rc-'));
  const ssh = hangingSsh(dir);
  let pid = 0;
  try {
    const src = new RemoteSource(parseRemoteTarget('hung'), { sshPath: ssh.path, timeoutMs: 60_000 });
    const pending = src.collect({});
    assert.ok(await within(5000, () => existsSync(ssh.pidFile)));
    pid = Number(readFileSync(ssh.pidFile, 'utf8'));
    src.close();
    await assert.rejects(pending, /ssh hung: .*was stopped/);
    assert.ok(await within(2000, () => !alive(pid)), `the ssh (pid ${pid}) still runs`);
  } finally {
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ssh ends by itself on a dead link, and Compression is left to the user's ssh_config", () => {
  const args = new RemoteSource(parseRemoteTarget('web1')).sshArgs().join(' ');
  assert.match(args, /-o ServerAliveInterval=\d+ -o ServerAliveCountMax=\d+/);
  // ssh takes the first value it obtains for an option, the command line's first: -o Compression=yes
  // here meant `Compression no` in ~/.ssh/config could never win.
  assert.doesNotMatch(args, /Compression/);
});

/** Runs the remote script with `sh`/`bash` locally, a fake `ss` first in PATH, in a process group of its own. */
async function runScript(shell: string, ssBody: string, timeoutMs: number): Promise<{ out: string; pgid: number; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-wd-'));
  writeFileSync(join(dir, 'ss'), `#!/bin/sh\n${ssBody}\n`);
  chmodSync(join(dir, 'ss'), 0o755);
  const t0 = Date.now();
  const child = spawn(shell, ['-s'], { detached: true, stdio: ['pipe', 'pipe', 'ignore'], env: { PATH: `${dir}:/usr/bin:/bin` } });
  child.stdin.end(remoteScript({ timeoutMs }, '0123456789abcdef0123456789abcdef'));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await new Promise((r) => child.once('close', r));
  clearTimeout(killer);
  rmSync(dir, { recursive: true, force: true });
  return { out, pgid: child.pid!, ms: Date.now() - t0 };
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

for (const shell of ['/bin/sh', '/bin/bash'].filter((s) => existsSync(s))) {
  test(`${shell}: the watchdog of each remote ss ends with it (no sleep left on the server)`, { timeout: 40_000 }, async () => {
    // A limit of 4321 s: the old watchdog's `sleep 4321` stayed after `kill $w` (one per ss run).
    const { out, pgid } = await runScript(shell, 'exit 0', 4_321_000);
    try {
      assert.match(out, /@@sockscope@@ 0123456789abcdef0123456789abcdef end/);
      assert.ok(await within(3000, () => !groupAlive(pgid)), `${spawnSync('ps', ['-o', 'pid,args', '-g', String(pgid)], { encoding: 'utf8' }).stdout}`);
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  });

  test(`${shell}: the watchdog still kills an ss that hangs, at the limit`, { timeout: 40_000 }, async () => {
    const { out, pgid, ms } = await runScript(shell, 'exec sleep 60', 1000);
    try {
      assert.match(out, /@@sockscope@@ 0123456789abcdef0123456789abcdef ss-exit\n137\n/);
      assert.ok(ms < 15_000, `took ${ms} ms`);
      assert.ok(await within(3000, () => !groupAlive(pgid)));
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  });
}

test('the stdio-inode map stays bounded when only ssh runs add to it (nothing lists local unix sockets)', { timeout: 60_000 }, async () => {
  const realNow = Date.now;
  const runs = async (n: number) => {
    for (let i = 0; i < n; i++) await runStreaming('true', [], { onStdout: () => {}, stdioSockets: true });
  };
  try {
    await runs(70); // 4 inodes each: 280 held, all within their grace minute
    const held = stdioInodesHeld();
    assert.ok(held >= 200, `held ${held}`);
    // A minute and more later: those have expired; adding more must drop them.
    Date.now = () => realNow() + 61_000;
    await runs(70);
    // At most the second batch's: before the fix 560, the first batch's 280 too (nothing in the remote path removed any).
    assert.ok(stdioInodesHeld() <= 4 * 70, `held ${stdioInodesHeld()}`);
  } finally {
    Date.now = realNow;
  }
});
