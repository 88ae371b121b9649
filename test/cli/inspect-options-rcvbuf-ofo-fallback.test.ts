// SO_RCVBUF of a connection with packets out of order reads the same as root (getsockopt on a borrowed duplicate) and
// as nobody (the fallback: the kernel view's tcp_info), review s23 dD #3: the kernel view's tcp_info carries
// tcpi_rcv_ooopack too (netlink; ss prints rcv_ooopack when not 0), but parseTcpInfo dropped it, so the fallback could
// neither rule autotuning out on a connection with none out of order nor name the growth on one with some. Real
// sockets held by python3 in a network namespace of their own (one segment dropped by nft, as
// inspect-options-rcvbuf-out-of-order), read through the built CLI inside it: as root by --pid/--socket-fd, and under
// setpriv as nobody by --inode (nobody cannot see root's fds), with netlink and ss. This host runs Linux 6.16+ (the growth out of order exists there only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { BIN } from '../collect/getsockopt-helpers.js';
import { HOLDER, SETUP } from './rcvbuf-ofo-scenario.js';


type Read = { method: string; inode: number; meaning: string };
function run(pid: number, args: string[], nobody: boolean): Read {
  const drop = nobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp'] : [];
  const argv = ['nsenter', `--net=/proc/${pid}/ns/net`, ...drop, process.execPath, BIN, 'inspect-options', ...args, '--options', 'SO_RCVBUF', '--json'];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { method: string; inode: number; options: { name: string; meaning: string }[] };
  return { method: doc.method, inode: doc.inode, meaning: doc.options.find((o) => o.name === 'SO_RCVBUF')!.meaning };
}
const asRoot = (pid: number, fd: number) => run(pid, ['--pid', String(pid), '--socket-fd', String(fd), '--source', 'netlink'], false);
const asNobody = (pid: number, inode: number, source: string) => run(pid, ['--inode', String(inode), '--source', source], true);

test('SO_RCVBUF with packets out of order, and without: the same verdict as root and as nobody (kernel view)', { timeout: 90_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'a network namespace, nft and setpriv need root (as the CI runs)');
  const h = labelledFds(await holderLine(t, ['unshare', '-n', 'sh', '-c', `${SETUP} && exec python3 -c "$0"`, HOLDER]));
  const rootOfo = asRoot(h.pid, h.fd.ofo);
  const rootSet = asRoot(h.pid, h.fd.set);
  assert.equal(rootOfo.method, 'pidfd_getfd');
  assert.match(rootOfo.meaning, /grown by autotuning from 64 KiB \(limit 6 MiB\) as \d+ packets? arrived out of order/, rootOfo.meaning);
  assert.match(rootSet.meaning, /no packet arrived out of order \(tcp_info rcv_ooopack 0[^)]*\), so autotuning has not grown it: setsockopt asked for exactly 97\.7 KiB/, rootSet.meaning);
  for (const source of ['netlink', 'ss']) {
    const ofo = asNobody(h.pid, rootOfo.inode, source);
    const set = asNobody(h.pid, rootSet.inode, source);
    assert.equal(ofo.method, 'fallback', source);
    assert.equal(set.method, 'fallback', source);
    assert.equal(ofo.meaning, rootOfo.meaning, source);
    // The fallback cannot read SO_RCVLOWAT (getsockopt only), so it names that reading too; the verdict is the same.
    assert.match(set.meaning, /, or raised by SO_RCVLOWAT \(not read\), which grows a receive buffer that is not fixed and leaves autotuning on, /, source);
    assert.equal(set.meaning.replace(/, or raised by SO_RCVLOWAT \(not read\), which grows a receive buffer that is not fixed and leaves autotuning on/, ''), rootSet.meaning, source);
  }
});
