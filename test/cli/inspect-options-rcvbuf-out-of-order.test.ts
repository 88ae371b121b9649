// SO_RCVBUF on a connection whose receive buffer grew from packets that arrived out of order (review s23 dB #1): since
// Linux 6.16 tcp_data_queue_ofo grows it (tcp_rcvbuf_grow) before those bytes count in tcpi_bytes_received, so
// "fewer bytes received than rcv_space" no longer proves that autotuning did not grow it. With one segment dropped by
// an nft rule and the next ones queued out of order, the receiver read rb 84316 with bytes_received 1, rcv_space
// 14480, rcv_ooopack 33, and sockscope said "so autotuning has not grown it: setsockopt asked for exactly 41.2 KiB, or
// net.ipv4.tcp_rmem[1] was 82.3 KiB": both false. Real sockets held by python3 in a network namespace of their own
// (loopback MTU 1500, tcp_rmem "4096 65536 6291456"), read as root through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { BIN } from '../collect/getsockopt-helpers.js';
import { HOLDER, SETUP } from './rcvbuf-ofo-scenario.js';


function read(pid: number, fd: number): { rcvbuf: { meaning: string }; info: { rcvOoopack?: number; bytesReceived?: number; rcvSpace: number } } {
  const r = spawnSync('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, BIN, 'inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', 'SO_RCVBUF', '--json'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { options: { name: string; meaning: string }[]; tcpInfo: { rcvOoopack?: number; bytesReceived?: number; rcvSpace: number } };
  // Only SO_RCVBUF is shown; tcp_info is read along (not shown) and is in --json's tcpInfo.
  assert.deepEqual(doc.options.map((o) => o.name), ['SO_RCVLOWAT', 'SO_RCVBUF']);
  return { rcvbuf: doc.options.find((o) => o.name === 'SO_RCVBUF')!, info: doc.tcpInfo };
}

test('SO_RCVBUF grown by packets out of order is not said to be set or an old default', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'a network namespace, nft and reading another process\'s socket need root (as the CI runs)');
  const h = labelledFds(await holderLine(t, ['unshare', '-n', 'sh', '-c', `${SETUP} && exec python3 -c "$0"`, HOLDER]));

  const ofo = read(h.pid, h.fd.ofo);
  // The situation of the finding: few bytes in order, packets out of order.
  assert.ok((ofo.info.rcvOoopack ?? 0) > 0, JSON.stringify(ofo.info));
  assert.ok((ofo.info.bytesReceived ?? 0) < ofo.info.rcvSpace, JSON.stringify(ofo.info));
  assert.doesNotMatch(ofo.rcvbuf.meaning, /autotuning has not grown it/, ofo.rcvbuf.meaning);
  assert.match(ofo.rcvbuf.meaning, /grown by autotuning from 64 KiB \(limit 6 MiB\) as \d+ packets? arrived out of order \(tcp_info rcv_ooopack/, ofo.rcvbuf.meaning);

  // Nothing out of order: fewer bytes than rcv_space still rules autotuning out.
  const set = read(h.pid, h.fd.set);
  assert.equal(set.info.rcvOoopack, 0);
  assert.match(set.rcvbuf.meaning, /received 1 byte in all, less than the [\d.]+ KiB .* \(tcp_info rcv_space\), and no packet arrived out of order \(tcp_info rcv_ooopack 0[^)]*\), so autotuning has not grown it: setsockopt asked for exactly 97\.7 KiB/, set.rcvbuf.meaning);
});
