// analyze's header summed raw queues: 12 CLOSE_WAIT sockets whose Recv-Q counts the unread FIN as 1 read
// "Recv-Q 12 B" (0 bytes unread), and SYN_SENT sockets "Send-Q N B" (their SYNs). The sums are now bytes of
// data (report/queue-bytes.ts), text and --json `queues`. Real sockets in a namespace of the test's own; the
// SYNs go to a port an nft rule drops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { netnsWithHolder } from '../helpers/netns.js';
import { inNetns } from '../helpers/blackholed-bulk.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('analyze: Recv-Q and Send-Q in the header and --json queues do not count a FIN or a SYN as a byte', async (t) => {
  const ns = `sockscope-qbytes-${process.pid}`;
  await netnsWithHolder(t, ns, '');
  inNetns(ns, ['nft', '-f', '-'], 'table inet t {\n  chain c {\n    type filter hook input priority 0\n    tcp dport 7194 drop\n  }\n}\n');
  // A holder of its own, after the rule: 12 CLOSE_WAIT (server never reads nor closes) on 7192, 3 SYN_SENT to 7194,
  // 1 ESTABLISHED pair on 7193 with 5 bytes unread on the server's side.
  const { netnsHolder } = await import('../helpers/netns.js');
  const h = await netnsHolder(
    ns,
    `s=socket.socket(); s.bind(("127.0.0.1",7192)); s.listen(64)
acc=[]
for i in range(12):
    c=socket.create_connection(("127.0.0.1",7192)); acc.append(s.accept()[0]); c.close()
e=socket.socket(); e.bind(("127.0.0.1",7193)); e.listen(4)
ec=socket.create_connection(("127.0.0.1",7193)); ea=e.accept()[0]; ec.send(b"hello")
syn=[]
for i in range(3):
    x=socket.socket(); x.setblocking(False); x.connect_ex(("127.0.0.1",7194)); syn.append(x)
time.sleep(0.3)`,
  );
  t.after(() => h.kill('SIGKILL'));
  const run = (args: string[]) => spawnSync('ip', ['netns', 'exec', ns, BIN, 'analyze', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  for (const source of ['netlink', 'procfs']) {
    const cw = run(['--port', '7192', '--source', source]);
    assert.equal(cw.status, 0, cw.stderr);
    assert.match(cw.stdout, /13 TCP sockets, .*Recv-Q 0 B, Send-Q 0 B/, `${source}: 12 CLOSE_WAIT, FINs unread\n${cw.stdout}`);
    const cwj = JSON.parse(run(['--port', '7192', '--source', source, '--json']).stdout) as { states: Record<string, number>; queues: unknown };
    assert.equal(cwj.states.CLOSE_WAIT, 12);
    assert.deepEqual(cwj.queues, { recvQ: 0, sendQ: 0 });
    const est = JSON.parse(run(['--port', '7193', '--source', source, '--json']).stdout) as { queues: unknown };
    assert.deepEqual(est.queues, { recvQ: 5, sendQ: 0 }, `${source}: data bytes still counted`);
    const syn = run(['--peer-port', '7194', '--source', source]);
    assert.equal(syn.status, 0, syn.stderr);
    assert.match(syn.stdout, /3 TCP sockets, .*Recv-Q 0 B, Send-Q 0 B/, `${source}: 3 SYN_SENT\n${syn.stdout}`);
  }
});
