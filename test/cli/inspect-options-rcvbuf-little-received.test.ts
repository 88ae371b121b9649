// SO_RCVBUF on connections that received less than tcp_info's rcv_space (review s23 #2): autotuning
// (tcp_rcv_space_adjust) grows a receive buffer only after the application read more than rcv_space within one round
// trip, so a connection that received 1 byte cannot have autotuned. An accepted socket with SO_RCVBUF 100000 was
// offered "grown by autotuning from 128 KiB ..., or setsockopt asked for exactly 97.7 KiB", and one that inherited
// SO_RCVBUFFORCE 18 MiB "grown by autotuning ... or fixed with SO_RCVBUFFORCE". Real sockets held by python3 in a
// network namespace of their own (rmem_max 4 MiB there, so 18 MiB can only come from SO_RCVBUFFORCE), read as root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { BIN } from '../collect/getsockopt-helpers.js';

const HOLDER = `
import socket as S, os, time
l = S.socket(); l.bind(('127.0.0.1', 0)); l.listen(8)
f = S.socket(); f.setsockopt(S.SOL_SOCKET, 33, 9 * 1024 * 1024); f.bind(('127.0.0.1', 0)); f.listen(8)
c = S.create_connection(l.getsockname()); a, _ = l.accept()
a.setsockopt(S.SOL_SOCKET, S.SO_RCVBUF, 100000)
c.send(b'x')
c2 = S.create_connection(f.getsockname()); a2, _ = f.accept()
c2.send(b'x'); time.sleep(0.3)
print(os.getpid(), f'set={a.fileno()}', f'force={a2.fileno()}', flush=True)
time.sleep(60)`;

function read(pid: number, fd: number): { meaning: string; unusual?: string; text: string } {
  const args = ['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', 'SO_RCVBUF'];
  const run = (a: string[]) => spawnSync('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, BIN, ...a], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  const j = run([...args, '--json']);
  assert.equal(j.status, 0, j.stderr);
  const row = (JSON.parse(j.stdout) as { options: { name: string; meaning: string; unusual?: string }[] }).options.find((o) => o.name === 'SO_RCVBUF')!;
  return { ...row, text: run(args).stdout };
}

test('SO_RCVBUF on connections that received 1 byte: autotuning is not offered as a reading', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'SO_RCVBUFFORCE and reading another process\'s socket need root (as the CI runs)');
  const script = `ip link set lo up && sysctl -qw net.core.rmem_max=4194304 net.ipv4.tcp_rmem="4096 131072 33554432" && exec python3 -c "$0"`;
  const h = labelledFds(await holderLine(t, ['unshare', '-n', 'sh', '-c', script, HOLDER]));

  const set = read(h.pid, h.fd.set);
  assert.equal(set.meaning.includes('200000') || set.meaning.startsWith('195 KiB'), true, set.meaning);
  assert.doesNotMatch(set.meaning, /grown by autotuning/, set.meaning);
  assert.match(set.meaning, /the connection has received 1 byte in all, less than the [\d.]+ KiB the application must read within one round trip before autotuning grows the buffer \(tcp_info rcv_space\), and no packet arrived out of order \(tcp_info rcv_ooopack 0[^)]*\), so autotuning has not grown it: setsockopt asked for exactly 97\.7 KiB, which fixes it/);

  const force = read(h.pid, h.fd.force);
  assert.match(force.meaning, /^18 MiB of receive buffer/, force.meaning);
  assert.doesNotMatch(force.meaning, /grown by autotuning/, force.meaning);
  assert.match(force.meaning, /so autotuning has not grown it: set with SO_RCVBUFFORCE/);
});
