// listen-overflows-rising is host-wide (TcpExt ListenOverflows), but `analyze --port P` collects only P's
// sockets: its "fullest listeners" evidence named P's idle listener (or "none now" on a port without one)
// while the overflowing listener sat on another port (review s16). In a namespace of its own: a listener
// on 127.0.0.1:47012 with listen(1) that never accepts and a new client every 0.2 s, an idle one on 47013.
// Needs root and iproute2 (as CI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { netnsWithHolder } from '../helpers/netns.js';

const NS = `sockscope-lovf-${process.pid}`;
const run = (...args: string[]) => spawnSync('ip', ['netns', 'exec', NS, 'bin/sockscope', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });

const HOLDER = `
import threading
full = socket.socket(); full.bind(('127.0.0.1', 47012)); full.listen(1)
idle = socket.socket(); idle.bind(('127.0.0.1', 47013)); idle.listen(64)
held = []
def clients():
    while True:
        c = socket.socket(); c.setblocking(False)
        try: c.connect(('127.0.0.1', 47012))
        except BlockingIOError: pass
        held.append(c); time.sleep(0.2)
threading.Thread(target=clients, daemon=True).start()
time.sleep(1)`;

interface Rec {
  id: string;
  evidence: string;
}

function overflowFinding(...args: string[]): Rec {
  const r = run('analyze', ...args, '--samples', '3', '--sample-interval', '1s', '--json');
  assert.equal(r.status, 0, r.stderr);
  const rec = (JSON.parse(r.stdout).recommendations as Rec[]).find((x) => x.id === 'listen-overflows-rising');
  assert.ok(rec, `listen-overflows-rising fires (${args.join(' ') || 'no scope'}): ${r.stdout}`);
  return rec;
}

test('listen-overflows-rising under --port P does not name P\'s idle listener (or "none now") as the fullest', async (t) => {
  await netnsWithHolder(t, NS, HOLDER);
  const ss = spawnSync('ip', ['netns', 'exec', NS, 'ss', '-ltnH', 'sport = :47012'], { encoding: 'utf8' });
  assert.match(ss.stdout, /^LISTEN\s+2\s+1\s+127\.0\.0\.1:47012/m, 'the kernel holds 47012 full (Recv-Q 2 of backlog 1)');

  // The whole host: the full listener is named.
  assert.match(overflowFinding().evidence, /fullest listeners: 127\.0\.0\.1:47012 Recv-Q 2\/1/);

  // --port 47013 (an idle listener): its listener is shown as that port's, and the evidence says the other
  // ports' listeners were not collected and how to see them.
  const onIdle = overflowFinding('--port', '47013').evidence;
  assert.doesNotMatch(onIdle, /fullest listeners: 127\.0\.0\.1:47013/);
  assert.match(onIdle, /listeners on port 47013: 127\.0\.0\.1:47013 Recv-Q 0\/64; listeners on other ports were not collected \(--port 47013\): sockscope analyze without --port, or ss -ltn, names the fullest/);

  // --port 47011: nothing listens there; "none now" would be false.
  const onNone = overflowFinding('--port', '47011').evidence;
  assert.doesNotMatch(onNone, /none now/);
  assert.match(onNone, /no listener on port 47011; listeners on other ports were not collected \(--port 47011\)/);
});
