// A buffer set with SO_RCVBUFFORCE / SO_SNDBUFFORCE (root) was described as "grown by autotuning from 16 KiB (limit
// 4 MiB)" with a value of 16 MiB, and "Unusual: nothing" (review s19): bufferVerdict said autotuning for any value
// above twice net.core.[rw]mem_max before asking whether autotuning can reach it (it stops at tcp_[rw]mem[2]) or has
// run at all (a connection that received nothing has not grown its receive buffer). A value above tcp_[rw]mem[2] alone
// is no proof (autotuning may have grown it before the sysctl was lowered: inspect-options-buffer-readings): the
// connected FORCE cases are proved by tcp_info (nothing received with SO_RCVLOWAT 1, nothing sent), 1 GiB asked by
// the request ceiling 2147483646. Real sockets held by python3
// on loopback, read as root through inspect-options, sizes chosen from the host's own sysctls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { sockscope } from '../collect/getsockopt-helpers.js';

const sysctl = (name: string) => readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim().split(/\s+/).map(Number);
const MiB = 1 << 20;

// Asked sizes: above each cap (so that only FORCE can set them) and, for the 8 MiB of the review, its own case.
const rmemMax = sysctl('net.core.rmem_max')[0];
const wmemMax = sysctl('net.core.wmem_max')[0];
const RCV = Math.max(8 * MiB, rmemMax + MiB);
const SND = Math.max(8 * MiB, wmemMax + MiB);

const HOLDER = `
import socket as S, os, time
SO_SNDBUFFORCE, SO_RCVBUFFORCE = 32, 33
l = S.socket(); l.bind(('127.0.0.1', 0)); l.listen(8)
def client(rcv=None, snd=None, plain_rcv=None):
    c = S.socket()
    if rcv is not None: c.setsockopt(S.SOL_SOCKET, SO_RCVBUFFORCE, rcv)
    if snd is not None: c.setsockopt(S.SOL_SOCKET, SO_SNDBUFFORCE, snd)
    if plain_rcv is not None: c.setsockopt(S.SOL_SOCKET, S.SO_RCVBUF, plain_rcv)
    c.connect(l.getsockname()); a, _ = l.accept()
    return c, a
forced, a1 = client(${RCV}, ${SND})
huge, a2 = client(1 << 30, 1 << 30)
plain, a3 = client(plain_rcv=100000)
default, a4 = client()
u = S.socket(S.AF_INET, S.SOCK_DGRAM); u.setsockopt(S.SOL_SOCKET, SO_RCVBUFFORCE, ${RCV}); u.bind(('127.0.0.1', 0))
socks = {'forced': forced, 'huge': huge, 'plain': plain, 'default': default, 'udp': u}
print(os.getpid(), ' '.join(f'{k}={s.fileno()}' for k, s in socks.items()), flush=True)
time.sleep(60)`;

interface Row {
  name: string;
  value?: number;
  meaning: string;
  unusual?: string;
}

function read(pid: number, fd: number): { rows: Record<string, Row>; unusual: string[]; text: string } {
  const args = ['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', 'SO_RCVBUF,SO_SNDBUF'];
  const j = sockscope([...args, '--json']);
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout) as { options: Row[]; unusual: string[] };
  const t = sockscope(args);
  assert.equal(t.status, 0, t.stderr);
  return { rows: Object.fromEntries(doc.options.map((o) => [o.name, o])), unusual: doc.unusual, text: t.stdout };
}

test('SO_RCVBUFFORCE / SO_SNDBUFFORCE beyond the caps are named as such, never "grown by autotuning from" the default (real sockets)', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'SO_*BUFFORCE and reading another process\'s socket need root (as the CI runs)');
  const h = labelledFds(await holderLine(t, ['python3', '-c', HOLDER]));

  // The review's case: FORCE 8 MiB each (or more than the caps), connected, no data: 16 MiB each.
  const f = read(h.pid, h.fd.forced);
  assert.equal(f.rows.SO_RCVBUF.value, 2 * RCV);
  assert.equal(f.rows.SO_SNDBUF.value, 2 * SND);
  for (const [opt, row] of [['SO_RCVBUF', f.rows.SO_RCVBUF], ['SO_SNDBUF', f.rows.SO_SNDBUF]] as const) {
    assert.doesNotMatch(`${row.meaning} ${row.unusual}`, /grown by autotuning from/, `${opt}: ${row.meaning}`);
    // Named FORCE, but not proved fixed (review s19 diffE): a socket created while tcp_[rw]mem[1] was 16 MiB keeps it.
    assert.match(row.meaning, new RegExp(`set with ${opt}FORCE \\(needs CAP_NET_ADMIN.*\\), which fixes it \\(autotuning off\\).*, or net\\.ipv4\\.tcp_${opt === 'SO_RCVBUF' ? 'r' : 'w'}mem\\[1\\] was 16 MiB when the socket was created`));
    assert.equal(row.unusual, undefined, `${opt}: ${row.unusual}`);
  }
  assert.match(f.rows.SO_RCVBUF.meaning, /the connection has received no data, so autotuning has not grown it: /);
  assert.equal(f.rows.SO_RCVLOWAT?.value, 1);
  assert.doesNotMatch(f.text, /SO_[RS][CN][VD]BUF fixed/);

  // FORCE 1 GiB: the kernel caps the request at INT_MAX/2 and doubles it.
  const g = read(h.pid, h.fd.huge);
  for (const opt of ['SO_RCVBUF', 'SO_SNDBUF'] as const) {
    assert.equal(g.rows[opt].value, 2147483646);
    assert.match(g.rows[opt].unusual!, new RegExp(`^${opt} fixed at 2 GiB \\(set with ${opt}FORCE.*it asked for 1 GiB or more.*: 2147483646 is the ceiling of a request .*, not a size autotuning grows to \\(it stops at net\\.ipv4\\.tcp_${opt === 'SO_RCVBUF' ? 'r' : 'w'}mem\\[2\\]=.*\\)$`));
  }

  // SO_RCVBUF 100000 (below the cap) on a connection that has received nothing: set, or the default it was created with.
  const p = read(h.pid, h.fd.plain);
  assert.equal(p.rows.SO_RCVBUF.value, 200000);
  assert.equal(p.rows.SO_RCVBUF.unusual, undefined);
  assert.match(p.rows.SO_RCVBUF.meaning, /received no data, so autotuning has not grown it: setsockopt asked for exactly 97\.7 KiB, which fixes it \(autotuning off\), or net\.ipv4\.tcp_rmem\[1\] was 195 KiB when the socket was created/);
  // A connection nothing set: the default, not unusual.
  const d = read(h.pid, h.fd.default);
  assert.equal(d.rows.SO_RCVBUF.value, sysctl('net.ipv4.tcp_rmem')[1]);
  assert.equal(d.rows.SO_RCVBUF.unusual, undefined);
  assert.equal(d.rows.SO_SNDBUF.unusual, undefined);

  // UDP has no autotuning: the value above twice rmem_max is FORCE's.
  const u = read(h.pid, h.fd.udp);
  assert.equal(u.rows.SO_RCVBUF.value, 2 * RCV);
  assert.match(u.rows.SO_RCVBUF.unusual!, new RegExp(`^SO_RCVBUF is .*, more than twice net\\.core\\.rmem_max=.*: set with SO_RCVBUFFORCE, which needs CAP_NET_ADMIN`));
});
