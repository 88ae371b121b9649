// A real OpenSSH server on a loopback port with generated host and user keys, for --host tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './free-port.js';
import { connect } from 'node:net';

export interface TestSshd {
  port: number;
  user: string;
  /** An ssh client config (ssh -F) naming the key, port and known_hosts for host alias "sockscope-test". */
  clientConfig: string;
  stop(): void;
}

/**
 * Starts sshd -D on 127.0.0.1 with a fresh host key and an authorized user key. Throws when sshd is missing.
 * `prefix`: a command that execs its last argument list (e.g. `unshare -u` and a hostname setter), so the
 * "remote host" can differ from this one; it must exec sshd in place (the pid is the one stopped).
 */
export async function startSshd(prefix: readonly string[] = []): Promise<TestSshd> {
  const sshd = '/usr/sbin/sshd';
  const probe = spawnSync(sshd, ['-V']);
  if (probe.error) throw new Error('sshd is not installed (Debian package openssh-server; .ci/install-deps installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-sshd-'));
  chmodSync(dir, 0o700);
  const keygen = (file: string) => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  };
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'user_key'));
  const { readFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  chmodSync(join(dir, 'authorized_keys'), 0o600);
  mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  const user = userInfo().username;
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim();
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host sockscope-test',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  User ${user}`,
      `  IdentityFile ${join(dir, 'user_key')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  StrictHostKeyChecking yes',
      '',
    ].join('\n'),
  );
  const [file, ...args] = [...prefix, sshd, '-D', '-e', '-f', join(dir, 'sshd_config')];
  const child: ChildProcess = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await waitFor(`sshd on 127.0.0.1:${port} (${err})`, () =>
    new Promise<true | undefined>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(undefined));
    }),
  10_000);
  return {
    port,
    user,
    clientConfig: join(dir, 'ssh_config'),
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
