// factsOf (src/advise/facts.ts) against a plain reference: the groups and listeners the rules read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf } from '../../src/advise/facts.js';
import { emptyStateCounts, isListener } from '../../src/model/aggregate.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { Socket } from '../../src/model/socket.js';

/** The grouping as first written: a string key per socket. */
function reference(sockets: Socket[], firstEphemeral: number) {
  const listeners = new Map<string, Socket[]>();
  for (const s of sockets) {
    if (s.protocol === 'unix' || !isListener(s)) continue;
    const k = `${s.protocol}:${s.local.port}`;
    listeners.set(k, [...(listeners.get(k) ?? []), s]);
  }
  const groups = new Map<string, { key: string; direction: string; protocol: string; port: number; sockets: Socket[]; states: Record<string, number> }>();
  for (const s of sockets) {
    if (s.protocol === 'unix' || isListener(s)) continue;
    // A served local port: a listener, or outside the ephemeral range (isServedLocalPort).
    const incoming = listeners.has(`${s.protocol}:${s.local.port}`) || s.local.port < firstEphemeral;
    if (!incoming && s.peer.port === 0) continue;
    const direction = incoming ? 'in' : 'out';
    const port = incoming ? s.local.port : s.peer.port;
    const key = `${direction}:${s.protocol}:${port}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, direction, protocol: s.protocol, port, sockets: [], states: emptyStateCounts() }));
    g.sockets.push(s);
    g.states[s.state]++;
  }
  return { listening: new Set(listeners.keys()), listeners, groups };
}

test('factsOf groups random sockets as the plain string-keyed grouping does, in the same order', () => {
  let seed = 5;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const states: Socket['state'][] = ['ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', 'SYN_SENT', 'FIN_WAIT2', 'LISTEN', 'CLOSE'];
  const sockets: Socket[] = [];
  for (let i = 0; i < 5000; i++) {
    const protocol = rnd(5) === 0 ? 'udp' : rnd(20) === 0 ? 'unix' : 'tcp';
    const state = protocol === 'udp' ? (rnd(2) ? 'CLOSE' : 'ESTABLISHED') : states[rnd(states.length)];
    // Ports shared between TCP and UDP on purpose (tcp:53 and udp:53 are different groups).
    const local = { address: rnd(4) === 0 ? '0.0.0.0' : '10.0.0.1', port: 1 + rnd(60) };
    const peer = state === 'LISTEN' || (protocol === 'udp' && rnd(2) === 0) ? { address: '0.0.0.0', port: 0 } : { address: `10.0.1.${rnd(9)}`, port: rnd(8) === 0 ? 0 : 1 + rnd(60) };
    sockets.push({ protocol, ipVersion: 4, state, local, peer, recvQ: 0, sendQ: 0, processes: [] });
  }
  // Ports 1-29 lie below the ephemeral range (served, as a listener's), 30-60 inside it.
  const snap = { sockets, sysctls: { 'net.ipv4.ip_local_port_range': '30 65535' } } as unknown as Snapshot;
  const got = factsOf(snap);
  const want = reference(sockets, 30);
  assert.deepEqual([...got.listening], [...want.listening]);
  assert.deepEqual([...got.listeners], [...want.listeners]);
  assert.deepEqual([...got.groups.keys()], [...want.groups.keys()]);
  for (const [k, g] of want.groups) assert.deepEqual({ ...got.groups.get(k) }, g, k);
  assert.ok(got.groups.size > 50 && got.listening.size > 20, 'the random list has many groups and listeners');
});
