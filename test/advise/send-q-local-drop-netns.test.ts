// send-q-persistent when a LOCAL firewall drops the packets (review s20 fix-rules2 #1). Measured (6.18, a
// namespace of its own): an established loopback connection to 8040, `nft add rule inet T out tcp dport 8040
// drop` (output hook), the client sends 1000 B: ss -tnio shows timer:(persist,...) backoff:7 with
// snd_wnd:65483 and 1.79 KiB of a 3.76 MiB sndbuf in use. The kernel arms its probe timer (ICSK_TIME_PROBE0,
// shown as persist) also when it cannot send for local reasons; a window the peer shut is snd_wnd 0. analyze
// said "the peer is not reading (Send-Q stays full)" and "Fix the reading side (the peer)".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { inNetns } from '../helpers/blackholed-bulk.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const NS = `sockscope-sqlocal-${process.pid}`;
const PORT = 8040;
const root = process.getuid?.() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const program = String.raw`
import socket, subprocess, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', ${PORT})); s.listen(16)
c = socket.create_connection(('127.0.0.1', ${PORT})); a, _ = s.accept()
subprocess.run(['nft', 'add', 'rule', 'inet', 'T', 'out', 'tcp', 'dport', '${PORT}', 'drop'], check=True)
c.send(b'y' * 1000)
print('ready', flush=True); time.sleep(50)
`;

interface Rec {
  id: string;
  message: string;
  evidence: string;
  fix: string;
}

test('send-q-persistent: zero-window-probe timer with the peer\'s window open (local nft output drop) does not blame the peer', { skip: root ? false : 'needs root (network namespace)', timeout: 60_000 }, async (t) => {
  createNetns(NS);
  let kid: ChildProcess | undefined;
  t.after(() => {
    kid?.kill('SIGKILL');
    deleteNetns(NS);
  });
  inNetns(NS, ['nft', '-f', '-'], 'table inet T {\n  chain out {\n    type filter hook output priority 0\n  }\n}\n');
  kid = spawn('ip', ['netns', 'exec', NS, 'python3', '-c', program], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res) => kid!.stdout!.once('data', () => res()));
  // The probe timer arms once the first transmit fails; wait until ss shows it.
  const deadline = Date.now() + 10_000;
  let ss = '';
  while (Date.now() < deadline) {
    ss = inNetns(NS, ['ss', '-tnioH', 'state', 'established', `( dport = :${PORT} )`]);
    if (/timer:\(persist/.test(ss)) break;
    await sleep(200);
  }
  assert.match(ss, /timer:\(persist/, `the client's probe timer: ${ss}`);
  const wnd = /snd_wnd:(\d+)/.exec(ss);
  if (wnd) assert.ok(Number(wnd[1]) > 0, `the peer's window is open: ${ss}`);
  const out = JSON.parse(inNetns(NS, ['bin/sockscope', 'analyze', '--peer-port', String(PORT), '--samples', '3', '--sample-interval', '1s', '--json'])) as { recommendations: Rec[] };
  const sq = out.recommendations.find((r) => r.id === 'send-q-persistent');
  assert.ok(sq, `send-q-persistent fires for the stuck Send-Q: ${out.recommendations.map((r) => r.id).join(', ')}`);
  assert.doesNotMatch(sq.message, /peer is not reading/, sq.message);
  assert.doesNotMatch(sq.fix, /Fix the reading side/, sq.fix);
  assert.match(sq.message, /window is open|local/i, sq.message);
  assert.match(sq.fix, /nft list ruleset/, sq.fix);
  assert.match(sq.evidence, /snd_wnd \d+/, sq.evidence);
});

// Review s20 fix-rules3 #4: two connections to one port, one whose peer never reads (window shut, snd_wnd 0)
// and one whose packets an nft output rule drops (window open): the group was classed as "no snd_wnd" and the
// message said this source does not show the peer's window, while the evidence listed snd_wnd for both.
const MIXED_PORT = 8041;
const mixed = String.raw`
import socket, subprocess, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', ${MIXED_PORT})); s.listen(16)
c1 = socket.create_connection(('127.0.0.1', ${MIXED_PORT})); a1, _ = s.accept()
c2 = socket.create_connection(('127.0.0.1', ${MIXED_PORT})); a2, _ = s.accept()
p2 = c2.getsockname()[1]
subprocess.run(['nft', 'add', 'rule', 'inet', 'T', 'out', 'tcp', 'sport', str(p2), 'drop'], check=True)
c1.setblocking(False)
try:
    while True: c1.send(b'x' * 65536)
except BlockingIOError: pass
c2.send(b'y' * 1000)
print(c1.getsockname()[1], p2, flush=True); time.sleep(50)
`;

test('send-q-persistent: one connection with a shut window, one with a local drop: the message says which is which', { skip: root ? false : 'needs root (network namespace)', timeout: 60_000 }, async (t) => {
  const ns = `${NS}-mixed`;
  createNetns(ns);
  let kid: ChildProcess | undefined;
  t.after(() => {
    kid?.kill('SIGKILL');
    deleteNetns(ns);
  });
  inNetns(ns, ['nft', '-f', '-'], 'table inet T {\n  chain out {\n    type filter hook output priority 0\n  }\n}\n');
  kid = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', mixed], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [shutPort, dropPort] = await new Promise<number[]>((res) => kid!.stdout!.once('data', (d: Buffer) => res(String(d).trim().split(' ').map(Number))));
  const deadline = Date.now() + 10_000;
  let ss = '';
  while (Date.now() < deadline) {
    ss = inNetns(ns, ['ss', '-tnioH', 'state', 'established', `( dport = :${MIXED_PORT} )`]);
    if ((ss.match(/timer:\(persist/g) ?? []).length === 2) break;
    await sleep(200);
  }
  assert.equal((ss.match(/timer:\(persist/g) ?? []).length, 2, `both clients' probe timers: ${ss}`);
  const out = JSON.parse(inNetns(ns, ['bin/sockscope', 'analyze', '--peer-port', String(MIXED_PORT), '--samples', '3', '--sample-interval', '1s', '--json'])) as { recommendations: Rec[] };
  const sq = out.recommendations.find((r) => r.id === 'send-q-persistent');
  assert.ok(sq, `send-q-persistent fires: ${out.recommendations.map((r) => r.id).join(', ')}`);
  assert.doesNotMatch(sq.message, /does not show the peer's window/, sq.message);
  assert.match(sq.message, new RegExp(`the peer's window is shut on 127\\.0\\.0\\.1:${shutPort} \\(the peer is not reading\\) and is open on 127\\.0\\.0\\.1:${dropPort} \\(this host cannot send: a local drop\\)`), sq.message);
  assert.match(sq.evidence, new RegExp(`127\\.0\\.0\\.1:${shutPort} Send-Q .*snd_wnd 0\\)`), sq.evidence);
  assert.match(sq.fix, /Where the peer's window is open .*nft list ruleset.*Fix the reading side/, sq.fix);
});
