// review-codegen #1: sockscope_udp_socket_drops_total was the sum of sk_drops over the sockets bound to an
// address:port, so it fell when one of them closed (an SO_REUSEPORT worker restarted), and Prometheus rate()
// read the fall as a reset: members with 1,000,000 and 10 drops, the 10 one closing, made a false
// ~1,000,000-drop spike. The counter now adds each socket's rise (keyed by cookie or inode) and never falls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createSource } from '../../src/collect/index.js';
import { SocketMetrics } from '../../src/export/metrics.js';
import { startExporter } from '../../src/export/server.js';
import { fakeSnapshot, proc, udp } from '../helpers/fake-snapshot.js';

const skmem = (drops: number) => ({ rmemAlloc: 0, rcvbuf: 212992, wmemAlloc: 0, sndbuf: 212992, drops });
const member = (inode: number, d: number) => udp('127.0.0.1:5002', { inode, processes: [proc(7, 'srv', inode - 800)], skmem: skmem(d) });
const dropsOf = (text: string, port: number, address = '127.0.0.1') => {
  const m = new RegExp(`^sockscope_udp_socket_drops_total\\{port="${port}",address="${address.replace(/[.[\]]/g, '\\$&')}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

test('fixture: a member closing does not lower the total; rises, new members and identity-less sockets add up', async () => {
  const m = new SocketMetrics();
  const at = async (sockets: ReturnType<typeof member>[]) => {
    m.update(fakeSnapshot({ sockets }), []);
    return dropsOf(await m.text(), 5002);
  };
  assert.equal(await at([member(804, 1_000_000), member(805, 10)]), 1_000_010);
  // The 10-drop member closes: the old sum fell to 1,000,000.
  assert.equal(await at([member(804, 1_000_000)]), 1_000_010);
  assert.equal(await at([member(804, 1_000_005)]), 1_000_015);
  // A new member (a restarted worker) brings its whole count: sk_drops starts at 0 with the socket.
  assert.equal(await at([member(804, 1_000_005), member(806, 3)]), 1_000_018);
  // The cookie is preferred to the inode when the source gives it.
  assert.equal(await at([{ ...member(804, 1_000_006), cookie: '77' }]), 1_000_018 + 1_000_006);
  // Gone for a collection: no series meanwhile; back, it carries on from its total.
  assert.equal(await at([]), null);
  assert.equal(await at([{ ...member(804, 1_000_007), cookie: '77' }]), 1_000_018 + 1_000_006 + 1);
  // Sockets without inode or cookie (netstat): the rise of their sum, never a fall.
  const bare = (d: number) => udp('127.0.0.1:5003', { skmem: skmem(d) });
  m.update(fakeSnapshot({ sockets: [bare(50), bare(7)] }), []);
  assert.equal(dropsOf(await m.text(), 5003), 57);
  m.update(fakeSnapshot({ sockets: [bare(50)] }), []);
  assert.equal(dropsOf(await m.text(), 5003), 57);
  m.update(fakeSnapshot({ sockets: [bare(60)] }), []);
  assert.equal(dropsOf(await m.text(), 5003), 67);
});

// Two SO_REUSEPORT UDP members with 4 KiB buffers on 127.0.0.1:P (below the ephemeral range, where the
// exporter gives UDP ports series), fed from 40 source ports so that both drop; then the test names one to close.
const HOLDER = `
import json, os, random, socket, sys
def member(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind(('127.0.0.1', port))
    return s
for _ in range(200):
    p = random.randrange(20000, 32000)
    try:
        a = member(p)
        break
    except OSError:
        continue
else:
    raise SystemExit('no free port in 20000-32000')
members = {os.fstat(a.fileno()).st_ino: a}
b = member(p)
members[os.fstat(b.fileno()).st_ino] = b
print(json.dumps({'port': p}), flush=True)
for line in sys.stdin:
    w = line.split()
    if w[0] == 'feed':
        for _ in range(40):
            tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for _ in range(60): tx.sendto(b'x' * 500, ('127.0.0.1', p))
            tx.close()
    elif w[0] == 'close':
        members.pop(int(w[1])).close()
    print('done', flush=True)
`;

/** Each member's inode and drops, from ss -uame (skmem d). */
function members(port: number): { inode: number; drops: number }[] {
  const r = spawnSync('ss', ['-H', '-uaname', `sport = :${port}`], { encoding: 'utf8', timeout: 5_000 });
  assert.equal(r.status, 0, r.stderr);
  // -m puts skmem on a line of its own, indented.
  return r.stdout
    .split(/\n(?!\s)/)
    .filter((l) => l.trim())
    .map((l) => ({ inode: Number(/ino:(\d+)/.exec(l)?.[1]), drops: Number(/skmem:\([^)]*,d(\d+)\)/.exec(l)?.[1]) }));
}

test('live: an SO_REUSEPORT member with drops closes, and the exported drops counter does not fall', { timeout: 60_000 }, async (t) => {
  const py = spawn('python3', ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => py.kill('SIGKILL'));
  const lines = createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await Promise.race([lines.next(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('holder silent for 10 s')), 10_000))]);
    assert.ok(!r.done, 'holder ended');
    return r.value as string;
  };
  const { port } = JSON.parse(await next()) as { port: number };
  const ex = await startExporter({ source: createSource('auto'), host: '127.0.0.1', port: 0, intervalMs: 200 });
  t.after(() => ex.close());
  await ex.ready;
  const url = `http://127.0.0.1:${ex.address.port}/metrics`;
  /** Scrapes until `ok` holds (at most 15 s); the last text. */
  const until = async (ok: (text: string) => boolean) => {
    let text = '';
    for (const end = Date.now() + 15_000; Date.now() < end; ) {
      text = await (await fetch(url)).text();
      if (ok(text)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return text;
  };
  py.stdin!.write('feed\n');
  assert.equal(await next(), 'done');
  const before = members(port);
  assert.equal(before.length, 2, JSON.stringify(before));
  const sum = before.reduce((a, m) => a + m.drops, 0);
  // The member to close has drops of its own, or the old sum would not have fallen either.
  const gone = [...before].sort((x, y) => x.drops - y.drops).find((m) => m.drops > 0)!;
  assert.ok(gone, `no member dropped: ${JSON.stringify(before)}`);
  const v1 = dropsOf(await until((x) => dropsOf(x, port) === sum), port);
  assert.equal(v1, sum);

  py.stdin!.write(`close ${gone.inode}\n`);
  assert.equal(await next(), 'done');
  assert.equal(members(port).length, 1);
  // Once the exporter has seen the member gone (one UDP socket on the port), the counter is where it was.
  const after = await until((x) => new RegExp(`^sockscope_sockets\\{protocol="udp",port="${port}",state="CLOSE"\\} 1$`, 'm').test(x));
  assert.match(after, new RegExp(`^sockscope_sockets\\{protocol="udp",port="${port}",state="CLOSE"\\} 1$`, 'm'));
  assert.equal(dropsOf(after, port), v1, `fell from ${v1} after closing a member with ${gone.drops} drops`);

  // The remaining member's new drops still count.
  py.stdin!.write('feed\n');
  assert.equal(await next(), 'done');
  const rest = members(port)[0];
  const grown = v1! + rest.drops - before.find((m) => m.inode === rest.inode)!.drops;
  assert.ok(grown > v1!, `the remaining member did not drop more: ${JSON.stringify(rest)}`);
  assert.equal(dropsOf(await until((x) => dropsOf(x, port) === grown), port), grown);
});
