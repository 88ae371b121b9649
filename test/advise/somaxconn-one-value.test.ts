// One report gave two net.core.somaxconn values: with somaxconn 8 and a listen(1024) that never accepts,
// accept-queue-full said `sysctl -w net.core.somaxconn=1024` and listen-backlog-capped "Only if the accept queue
// fills: sysctl -w net.core.somaxconn=32" (somaxconn x 4, below the 1024 asked for) of a queue full at 9/8.
// Both rules now give the same value, and listen-backlog-capped says the queue is full when it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { fakeSnapshot, listener, proc } from '../helpers/fake-snapshot.js';
import { inNetns } from '../helpers/blackholed-bulk.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const values = (text: string) => [...text.matchAll(/net\.core\.somaxconn=(\d+)/g)].map((m) => Number(m[1]));

test('accept-queue-full and listen-backlog-capped suggest one somaxconn; a full queue is not "only if it fills"', () => {
  const full = evaluateRules(makeContext({ snapshot: fakeSnapshot({ sysctls: { 'net.core.somaxconn': '8' }, sockets: [listener('127.0.0.1:9015', 8, 9, [proc(7, 'app')])] }) }));
  const aq = full.find((r) => r.id === 'accept-queue-full')!;
  const cap = full.find((r) => r.id === 'listen-backlog-capped')!;
  assert.deepEqual(values(aq.fix), [1024]);
  assert.deepEqual(values(cap.fix), [1024]);
  assert.doesNotMatch(cap.fix, /Only if the accept queue fills/);
  assert.match(cap.fix, /^Its accept queue is full \(Recv-Q 9 of backlog 8; see accept-queue-full\): raise the cap to at least the backlog the application passes to listen\(\) \(the kernel shows only the capped 8\): sysctl -w net\.core\.somaxconn=1024/);
  assert.match(cap.evidence, /accept queue now 9 \(full: the kernel queues backlog \+ 1\)$/);
  // An idle capped listener: still the same value, offered only if the queue fills.
  const idle = evaluateRules(makeContext({ snapshot: fakeSnapshot({ sysctls: { 'net.core.somaxconn': '8' }, sockets: [listener('127.0.0.1:9015', 8, 0)] }) })).find((r) => r.id === 'listen-backlog-capped')!;
  assert.match(idle.fix, /^Only if the accept queue fills: .*sysctl -w net\.core\.somaxconn=1024/);
  // A large cap: both rules still agree (4096 -> 16384).
  const big = evaluateRules(makeContext({ snapshot: fakeSnapshot({ sockets: [listener('0.0.0.0:80', 4096, 4097)] }) }));
  assert.deepEqual(values(big.find((r) => r.id === 'accept-queue-full')!.fix), values(big.find((r) => r.id === 'listen-backlog-capped')!.fix));
});

const NS = `sockscope-somax-${process.pid}`;
const BIN = resolve('bin/sockscope');

test('in a namespace with net.core.somaxconn 8: listen(1024) never accepting, 30 clients: one somaxconn value in the report', { timeout: 90_000 }, async (t) => {
  let holder: ChildProcess | undefined;
  t.after(() => {
    holder?.kill('SIGKILL');
    deleteNetns(NS);
  });
  createNetns(NS);
  inNetns(NS, ['sysctl', '-qw', 'net.core.somaxconn=8']);
  holder = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', String.raw`
import socket, time
l = socket.socket(); l.bind(('127.0.0.1', 9015)); l.listen(1024)
cs = []
for i in range(30):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', 9015))
    except BlockingIOError: pass
    cs.append(c)
time.sleep(0.5)
print('ready', flush=True)
time.sleep(60)
`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    holder!.stdout!.once('data', () => res());
    holder!.once('exit', (code) => rej(new Error(`holder exited with ${code}`)));
  });
  const r = spawnSync('ip', ['netns', 'exec', NS, BIN, 'analyze', '--json'], { encoding: 'utf8', timeout: 60_000 });
  assert.ok(r.stdout, r.stderr);
  const recs = (JSON.parse(r.stdout) as { recommendations: { id: string; port?: number; evidence: string; fix: string }[] }).recommendations.filter((x) => x.port === 9015);
  const aq = recs.find((x) => x.id === 'accept-queue-full');
  const cap = recs.find((x) => x.id === 'listen-backlog-capped');
  assert.ok(aq && cap, recs.map((x) => x.id).join(', '));
  assert.match(aq.evidence, /Recv-Q 9 > backlog \(Send-Q\) 8/);
  const all = new Set(recs.flatMap((x) => values(x.fix)));
  assert.deepEqual([...all], [1024], `${aq.fix}\n${cap.fix}`);
  assert.doesNotMatch(cap.fix, /Only if the accept queue fills/);
  assert.match(cap.fix, /^Its accept queue is full \(Recv-Q 9 of backlog 8/);
});
