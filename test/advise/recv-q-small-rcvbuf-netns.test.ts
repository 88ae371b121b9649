// recv-q-persistent missed a reader that stopped reading with a small SO_RCVBUF (4096): Recv-Q 4096 of skmem rb
// 8192, r 5760 (70%): the kernel shuts the window there, so queueBufferRatio (90%) was never reached. A zero
// advertised window (tcp_info rcv_wnd 0, netlink) now counts as full. Real sockets in a namespace of the test's
// own: 3 connections whose reader never reads, the server sends until EAGAIN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { netnsWithHolder } from '../helpers/netns.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('analyze --peer-port: a reader with SO_RCVBUF 4096 that stopped reading is recv-q-persistent', async (t) => {
  const ns = `sockscope-rcvwnd-${process.pid}`;
  await netnsWithHolder(
    t,
    ns,
    `s=socket.socket(); s.bind(("127.0.0.1",7181)); s.listen(8)
keep=[]
for i in range(3):
    c=socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1",7181)); a=s.accept()[0]; a.setblocking(False); keep += [c,a]
    try:
        while True: a.send(b"x"*65536)
    except BlockingIOError: pass
time.sleep(0.3)`,
  );
  const r = spawnSync('ip', ['netns', 'exec', ns, BIN, 'analyze', '--peer-port', '7181', '--samples', '3', '--sample-interval', '500ms', '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const recs = (JSON.parse(r.stdout) as { recommendations: { id: string; message: string; evidence: string }[] }).recommendations;
  const rec = recs.find((x) => x.id === 'recv-q-persistent');
  assert.ok(rec, `recv-q-persistent: ${JSON.stringify(recs.map((x) => x.id))}`);
  assert.match(rec.message, /^3 established connections .* is not reading/, rec.message);
  assert.match(rec.evidence, /Recv-Q 4 KiB, .* \(no progress\) \(receive window shut: rcv_wnd 0\)/, rec.evidence);
});
