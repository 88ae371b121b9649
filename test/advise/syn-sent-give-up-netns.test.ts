// syn-sent-unanswered's fix said connect() waits for "net.ipv4.tcp_syn_retries (6: about 127 s)" whatever the host's
// sysctls; with tcp_syn_linear_timeouts (6.5+) the kernel retransmits more and waits longer. The time is now computed
// from the snapshot's tcp_syn_retries and tcp_syn_linear_timeouts, checked here against a real connect() in a
// namespace of the test's own (tcp_syn_retries 2, linear 4: the kernel gives up after ~7 s and 5 retransmissions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { netnsWithHolder } from '../helpers/netns.js';
import { inNetns } from '../helpers/blackholed-bulk.js';
import { synGiveUp } from '../../src/advise/syn-timeout.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('synGiveUp matches the kernel measured in namespaces', () => {
  assert.deepEqual(synGiveUp(2, 4), { seconds: 7, retransmissions: 5 });
  assert.deepEqual(synGiveUp(2, 0), { seconds: 7, retransmissions: 2 });
  assert.deepEqual(synGiveUp(1, 2), { seconds: 3, retransmissions: 2 });
  assert.deepEqual(synGiveUp(3, 1), { seconds: 16, retransmissions: 4 });
  assert.deepEqual(synGiveUp(6, 4), { seconds: 131, retransmissions: 10 });
  assert.deepEqual(synGiveUp(6, 0), { seconds: 127, retransmissions: 6 });
  assert.equal(synGiveUp(null, 4), null);
});

test('syn-sent-unanswered: the fix gives the time from this host\'s sysctls, and a real connect() takes it', async (t) => {
  const ns = `sockscope-synto-${process.pid}`;
  const holder = await netnsWithHolder(t, ns, '');
  holder.kill('SIGKILL');
  inNetns(ns, ['sysctl', '-qw', 'net.ipv4.tcp_syn_retries=2', 'net.ipv4.tcp_syn_linear_timeouts=4']);
  // SYNs to 10.77.1.2 leave by a veth link (its other end has no address) to a permanent neighbour: no answer, no error.
  for (const a of [['link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd1'], ['link', 'set', 'd0', 'up'], ['link', 'set', 'd1', 'up'], ['addr', 'add', '10.77.1.1/24', 'dev', 'd0'], ['neigh', 'add', '10.77.1.2', 'lladdr', '02:00:00:00:00:02', 'dev', 'd0', 'nud', 'permanent']]) inNetns(ns, ['ip', ...a]);
  const { spawn } = await import('node:child_process');
  // Only the main thread prints: print() from several threads interleaves (CPython writes the text and its "\n"
  // separately), and "failed 7.12failed 7.12\n\n" left the test waiting for a third line after python3 had exited.
  const py = `import socket,time,threading
got=[]
def one():
    c=socket.socket(); t=time.time()
    try: c.connect(("10.77.1.2",7005)); got.append("connected %.2f" % (time.time()-t))
    except Exception as e: got.append("failed %.2f %s" % (time.time()-t, type(e).__name__))
ts=[threading.Thread(target=one) for i in range(3)]
for x in ts: x.start()
print("ready", flush=True)
for x in ts: x.join()
for l in got: print(l, flush=True)`;
  const p = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => p.kill('SIGKILL'));
  const lines = createInterface({ input: p.stdout! });
  const got: string[] = [];
  const failed = () => got.filter((x) => x.startsWith('failed'));
  // Settles when the three connect() calls have failed, or says what python3 printed if it ends before.
  const done = new Promise<void>((res, rej) => {
    lines.on('line', (l) => (got.push(l), failed().length === 3 && res()));
    p.once('close', (code, signal) => rej(new Error(`python3 ended (${code ?? signal}) before 3 connect() failures; it printed ${JSON.stringify(got)}`)));
  });
  done.catch(() => undefined); // awaited below; a rejection before then is not unhandled
  await new Promise((r) => setTimeout(r, 1500));
  const r = spawnSync('ip', ['netns', 'exec', ns, BIN, 'analyze', '--peer-port', '7005', '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const rec = (JSON.parse(r.stdout) as { recommendations: { id: string; fix: string }[] }).recommendations.find((x) => x.id === 'syn-sent-unanswered');
  assert.ok(rec, r.stdout);
  assert.match(rec.fix, /connect\(\) waits for net\.ipv4\.tcp_syn_retries \(2, net\.ipv4\.tcp_syn_linear_timeouts 4 on this host: about 7 s, 5 SYN retransmissions\)/, rec.fix);
  assert.doesNotMatch(rec.fix, /127 s/);
  await done;
  for (const l of failed()) {
    const s = Number(l.split(' ')[1]);
    assert.ok(s >= 7 && s < 8.5, `connect() gave up after ${s} s, computed 7 s`);
  }
});
