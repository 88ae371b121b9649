// A real OpenSSH server on loopback that lets in users of the test's own making: each with a uid and a
// login shell (a non-root user, /usr/sbin/nologin, a shell whose PATH holds a fake or no ss). sshd runs
// in a mount namespace of its own where /etc/passwd is a copy with those users added, so the machine's
// user database is never touched (root, util-linux unshare and mount, as in CI).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';
import type { TestContext } from 'node:test';
import { freePort, waitFor } from './free-port.js';

export interface TestUser {
  name: string;
  uid: number;
  /** The login shell: a path, or a script body (#!/bin/sh ...) written to a file of its own. */
  shell: string;
}

export interface UsersSshd {
  port: number;
  /** ssh -F config for host alias "sockscope-test" (no User: name one with user@sockscope-test). */
  clientConfig: string;
  /** A directory every test user can read (fake ss binaries and such go here). */
  dir: string;
  stop(): void;
}

/**
 * Starts sshd -D on 127.0.0.1 for `users` (and root). Throws when sshd, unshare or root is missing.
 * `extraConfig`: more sshd_config lines (a `Banner FILE`), after the fixed ones.
 */
export async function startSshdWithUsers(users: readonly TestUser[], extraConfig: readonly string[] = []): Promise<UsersSshd> {
  if (process.getuid?.() !== 0) throw new Error('startSshdWithUsers needs root (as in CI): sshd switches to the test users');
  const sshd = '/usr/sbin/sshd';
  if (spawnSync(sshd, ['-V']).error) throw new Error('sshd is not installed (Debian package openssh-server; .ci/install-deps installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-sshdu-'));
  // The users read their shells, keys and fake tools from here.
  chmodSync(dir, 0o755);
  const keygen = (file: string) => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  };
  const priv = join(dir, 'private');
  mkdirSync(priv, { mode: 0o700 });
  keygen(join(priv, 'host_key'));
  keygen(join(priv, 'user_key'));
  // Read by sshd as each user (it drops to the user's uid to read authorized keys).
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(priv, 'user_key.pub')), { mode: 0o644 });
  const lines = users.map((u) => {
    let shell = u.shell;
    if (shell.startsWith('#!')) {
      shell = join(dir, `shell-${u.name}`);
      writeFileSync(shell, u.shell, { mode: 0o755 });
    }
    return `${u.name}:x:${u.uid}:${u.uid}::${dir}:${shell}`;
  });
  writeFileSync(join(dir, 'passwd'), `${readFileSync('/etc/passwd', 'utf8').trimEnd()}\n${lines.join('\n')}\n`, { mode: 0o644 });
  mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(priv, 'sshd_config'),
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${join(priv, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(priv, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'LogLevel ERROR',
      ...extraConfig,
      '',
    ].join('\n'),
  );
  const hostPub = readFileSync(join(priv, 'host_key.pub'), 'utf8').trim();
  writeFileSync(join(priv, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  const clientConfig = join(priv, 'ssh_config');
  writeFileSync(
    clientConfig,
    [
      'Host sockscope-test sockscope-test2',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  IdentityFile ${join(priv, 'user_key')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(priv, 'known_hosts')}`,
      '  StrictHostKeyChecking yes',
      '',
    ].join('\n'),
  );
  // unshare -m makes the new namespace's mounts private: the bind mount is seen by sshd and its sessions only.
  const child: ChildProcess = spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/passwd && exec "$@"', join(dir, 'passwd'), sshd, '-D', '-e', '-f', join(priv, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await waitFor(
    `sshd on 127.0.0.1:${port} (${err})`,
    () =>
      new Promise<true | undefined>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(undefined));
      }),
    10_000,
  );
  return {
    port,
    clientConfig,
    dir,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * startSshdWithUsers(users) and a unix socket listening at `<new dir named prefix...>/name`, held by this
 * process (and so root's); all stopped and removed after `t`. Keep `prefix` and `name` short: the plain
 * table cuts a long path in its middle.
 */
export async function startSshdWithUnixListener(t: TestContext, users: readonly TestUser[], prefix: string, name: string): Promise<{ sshd: UsersSshd; path: string }> {
  const sshd = await startSshdWithUsers(users);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, name);
  const server = createServer();
  await new Promise<void>((r) => server.listen(path, r));
  t.after(() => {
    server.close();
    sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { sshd, path };
}
