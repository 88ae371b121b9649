// syn-recv-high's fix named a lever the kernel does not read (review s18 #3). tcp_conn_request
// (net/ipv4/tcp_input.c) calls the SYN queue full when inet_csk_reqsk_queue_is_full(): its length past
// sk_max_ack_backlog = min(listen() backlog, net.core.somaxconn). net.ipv4.tcp_max_syn_backlog is read only
// under `!syncookies && max_syn_backlog - qlen < (max_syn_backlog >> 2)`. Measured (6.18, a namespace of its
// own): tcp_syncookies 1, tcp_max_syn_backlog 2048, final ACKs to port 7004 dropped by nft, listen(16)
// accepting, 40 clients: 17 SYN_RECV, and the fix said "sysctl -w net.ipv4.tcp_max_syn_backlog=4096",
// which changes nothing there. The levers are the listen backlog and net.core.somaxconn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { fakeSnapshot, incoming, listener } from '../helpers/fake-snapshot.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const NS = `sockscope-synlev-${process.pid}`;
const root = process.getuid?.() === 0;

function inNs(args: string[], input?: string): string {
  const r = spawnSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 30_000, input });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('syn-recv-high with SYN cookies on: the fix names the listen backlog and somaxconn, not tcp_max_syn_backlog', { skip: root ? false : 'needs root (network namespace)', timeout: 60_000 }, async (t) => {
  createNetns(NS);
  const kids: ChildProcess[] = [];
  t.after(() => {
    for (const k of kids) k.kill('SIGKILL');
    deleteNetns(NS);
  });
  inNs(['sysctl', '-qw', 'net.ipv4.tcp_syncookies=1', 'net.ipv4.tcp_max_syn_backlog=2048']);
  inNs(['nft', '-f', '-'], 'table inet synlev {\n  chain in {\n    type filter hook input priority 0\n    tcp dport 7004 tcp flags & (syn|ack) == ack drop\n  }\n}\n');
  const listen = String.raw`
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 7004)); s.listen(16); s.settimeout(1)
print('ready', flush=True)
keep = []; t = time.time()
while time.time() - t < 50:
    try: keep.append(s.accept()[0])
    except socket.timeout: pass
`;
  const clients = String.raw`
import socket, time
cs = []
for i in range(40):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', 7004))
    except BlockingIOError: pass
    cs.append(c)
print('ready', flush=True)
time.sleep(50)
`;
  for (const code of [listen, clients]) {
    const k = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    kids.push(k);
    await new Promise<void>((res) => k.stdout!.once('data', () => res()));
  }
  const deadline = Date.now() + 10_000;
  let n = 0;
  while (Date.now() < deadline) {
    n = inNs(['ss', '-tnH', 'state', 'syn-recv', '( sport = :7004 )']).split('\n').filter(Boolean).length;
    if (n >= 17) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(n, 17, 'listen(16) holds backlog + 1 half-open connections');
  const somaxconn = inNs(['sysctl', '-n', 'net.core.somaxconn']).trim();
  const out = JSON.parse(inNs(['bin/sockscope', 'analyze', '--port', '7004', '--json'])) as { recommendations: { id: string; severity: string; fix: string; evidence: string }[] };
  const r = out.recommendations.find((x) => x.id === 'syn-recv-high');
  assert.ok(r, `syn-recv-high fires: ${out.recommendations.map((x) => x.id).join(', ')}`);
  assert.equal(r.severity, 'critical');
  assert.match(r.evidence, /tcp_syncookies 1, net\.ipv4\.tcp_max_syn_backlog 2048/);
  assert.doesNotMatch(r.fix, /tcp_max_syn_backlog/, 'tcp_max_syn_backlog is not read with SYN cookies on');
  assert.match(r.fix, /listen backlog \+ 1 \(min\(listen\(\) backlog, net\.core\.somaxconn\)\): listen\(fd, 1024\)/);
  assert.match(r.fix, new RegExp(`net\\.core\\.somaxconn \\(now ${somaxconn}`));
  assert.match(r.fix, /^Keep SYN cookies on \(net\.ipv4\.tcp_syncookies 1\)/);
});

test('syn-recv-high with SYN cookies off: tcp_max_syn_backlog only when three quarters of it is below backlog + 1', () => {
  const fix = (maxSyn: number, somaxconn = 4096, backlog = 16) =>
    evaluateRules(
      makeContext({
        snapshot: fakeSnapshot({
          sysctls: { 'net.ipv4.tcp_syncookies': '0', 'net.ipv4.tcp_max_syn_backlog': String(maxSyn), 'net.core.somaxconn': String(somaxconn) },
          sockets: [listener('127.0.0.1:7004', backlog), ...incoming(backlog + 1, '127.0.0.1:7004', 'SYN_RECV', {}, '127.0.0.1')],
        }),
      }),
    ).find((x) => x.id === 'syn-recv-high')!.fix;
  // 2048: the kernel drops past 1536, far above listen(16)'s 17: the sysctl is not the bound.
  assert.doesNotMatch(fix(2048), /tcp_max_syn_backlog/);
  assert.match(fix(2048), /^Turn SYN cookies on \(sysctl -w net\.ipv4\.tcp_syncookies=1\)/);
  // 16: past 12 requests, below backlog + 1 (17): then it is a lever too.
  assert.match(fix(16), /with SYN cookies off, net\.ipv4\.tcp_max_syn_backlog \(now 16\) also bounds it .*sysctl -w net\.ipv4\.tcp_max_syn_backlog=4096/);
  // The backlog at somaxconn: raise somaxconn as well.
  assert.match(fix(2048, 128, 128), /net\.core\.somaxconn \(now 128, which the backlog has reached\): sysctl -w net\.core\.somaxconn=1024/);
});
