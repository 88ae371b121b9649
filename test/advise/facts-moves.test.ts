// The group moves of src/advise/facts.ts (moveBetweenGroups, shared by regroupClosedServerPorts and withServedPort)
// against a plain reference written from what they are meant to do: a closed server port's CLOSE_WAIT sockets
// become its incoming group, and a port a view is scoped to takes every outgoing socket on it. Groups whose
// sockets all move and groups that keep some, TCP and UDP, an incoming group joined, a window entry (counts
// without sockets), and more sockets than one call's arguments can hold (push(...spread) threw RangeError).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { factsOf, windowEntry, type ConnGroup } from '../../src/advise/facts.js';
import { emptyStateCounts, isListener, type StateCounts } from '../../src/model/aggregate.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import type { Socket } from '../../src/model/socket.js';
import { fakeSnapshot, listener, tcp, udp } from '../helpers/fake-snapshot.js';

type Group = Pick<ConnGroup, 'key' | 'direction' | 'protocol' | 'port' | 'sockets' | 'states'>;

const counts = (sockets: Socket[]): StateCounts => {
  const c = emptyStateCounts();
  for (const s of sockets) c[s.state]++;
  return c;
};

/** The grouping with the closed-port regrouping, written plainly (ephemeral range 32768-60999, STOCK_SYSCTLS). */
function referenceBase(sockets: Socket[]): Map<string, Group> {
  const listening = new Set(sockets.filter((s) => s.protocol !== 'unix' && isListener(s)).map((s) => `${s.protocol}:${s.local.port}`));
  const groups = new Map<string, Group>();
  const add = (key: string, direction: 'in' | 'out', s: Socket, port: number): void => {
    const g = groups.get(key) ?? { key, direction, protocol: s.protocol, port, sockets: [], states: emptyStateCounts() };
    groups.set(key, g);
    g.sockets.push(s);
    g.states = counts(g.sockets);
  };
  for (const s of sockets) {
    if (s.protocol === 'unix' || isListener(s)) continue;
    const incoming = listening.has(`${s.protocol}:${s.local.port}`) || s.local.port < 32768 || s.local.port > 60999;
    if (!incoming && s.peer.port === 0) continue;
    if (incoming) add(`in:${s.protocol}:${s.local.port}`, 'in', s, s.local.port);
    else add(`out:${s.protocol}:${s.peer.port}`, 'out', s, s.peer.port);
  }
  // CLOSE_WAIT sockets each alone (as CLOSE_WAIT) in their outgoing group, peer port 1024 or above and not
  // listened on, by local port and then local address; two or more on one address and port are that port's.
  const alone = (s: Socket) => {
    const g = groups.get(`out:tcp:${s.peer.port}`);
    return s.protocol === 'tcp' && s.state === 'CLOSE_WAIT' && g !== undefined && g.sockets.includes(s) && s.peer.port >= 1024 && !listening.has(`tcp:${s.peer.port}`) && g.states.CLOSE_WAIT === 1;
  };
  const byPort = new Map<number, Map<string, Socket[]>>();
  for (const s of sockets.filter(alone)) {
    const byAddress = byPort.get(s.local.port) ?? new Map<string, Socket[]>();
    byPort.set(s.local.port, byAddress);
    byAddress.set(s.local.address, [...(byAddress.get(s.local.address) ?? []), s]);
  }
  for (const [port, byAddress] of byPort) {
    const take = [...byAddress.values()].filter((l) => l.length >= 2).flat();
    if (take.length === 0) continue;
    for (const s of take) {
      const g = groups.get(`out:tcp:${s.peer.port}`)!;
      const left = g.sockets.filter((x) => x !== s);
      if (left.length === 0) groups.delete(g.key);
      else groups.set(g.key, { ...g, sockets: left, states: counts(left) });
    }
    groups.set(`in:tcp:${port}`, { key: `in:tcp:${port}`, direction: 'in', protocol: 'tcp', port, sockets: take, states: counts(take) });
  }
  return groups;
}

/** `base` with every outgoing socket on local `port` in the port's incoming group (joining the one it has). */
function referenceServed(base: Map<string, Group>, port: number): Map<string, Group> {
  const groups = new Map<string, Group>();
  const incoming: Group[] = [];
  for (const [key, g] of base) {
    const go = g.direction === 'out' ? g.sockets.filter((s) => s.local.port === port) : [];
    if (go.length === 0) {
      groups.set(key, g);
      continue;
    }
    const stay = g.sockets.filter((s) => s.local.port !== port);
    if (stay.length > 0) groups.set(key, { ...g, sockets: stay, states: counts(stay) });
    let into = incoming.find((i) => i.protocol === g.protocol);
    if (!into) {
      const had = base.get(`in:${g.protocol}:${port}`);
      incoming.push((into = { key: `in:${g.protocol}:${port}`, direction: 'in', protocol: g.protocol, port, sockets: had ? [...had.sockets] : [], states: emptyStateCounts() }));
    }
    into.sockets.push(...go);
  }
  for (const g of incoming) groups.set(g.key, { ...g, states: counts(g.sockets) });
  return groups;
}

const plain = (groups: ReadonlyMap<string, Group>): [string, Group][] => [...groups].map(([k, g]) => [k, { key: g.key, direction: g.direction, protocol: g.protocol, port: g.port, sockets: g.sockets, states: g.states }]);

/**
 * A server on 40000 (ephemeral, listener closed): CLOSE_WAIT from client ports 50000-50029, of which 50000-50009
 * also have an ESTABLISHED socket of this host's to that port (their groups keep it); one more on another address
 * alone (stays outgoing). Local port 45000, the port a view is scoped to: outgoing TCP to 443 (its group keeps
 * others), to 5432 (all of its group moves), UDP to 53 (all moves) and to 123 (some), and 3 CLOSE_WAIT regrouped.
 */
function built(): Snapshot {
  const sockets: Socket[] = [listener('0.0.0.0:8080', 128), tcp('10.0.0.1:8080', '10.0.0.9:50500', 'ESTABLISHED')];
  for (let i = 0; i < 30; i++) sockets.push(tcp('10.0.0.1:40000', `10.0.2.${i}:${50000 + i}`, 'CLOSE_WAIT'));
  for (let i = 0; i < 10; i++) sockets.push(tcp(`10.0.0.1:${33000 + i}`, `10.0.3.1:${50000 + i}`, 'ESTABLISHED'));
  sockets.push(tcp('10.0.0.2:40000', '10.0.2.99:50099', 'CLOSE_WAIT'));
  for (let i = 0; i < 5; i++) sockets.push(tcp('10.0.0.1:45000', `10.0.4.${i}:443`, i % 2 ? 'ESTABLISHED' : 'TIME_WAIT'));
  for (let i = 0; i < 5; i++) sockets.push(tcp(`10.0.0.1:${34000 + i}`, `10.0.4.${i}:443`, 'ESTABLISHED'));
  for (let i = 0; i < 4; i++) sockets.push(tcp('10.0.0.1:45000', `10.0.5.${i}:5432`, 'ESTABLISHED'));
  for (let i = 0; i < 3; i++) sockets.push(tcp('10.0.0.1:45000', `10.0.6.${i}:${51000 + i}`, 'CLOSE_WAIT'));
  sockets.push(udp('10.0.0.1:45000', { peer: { address: '10.0.7.1', port: 53 }, state: 'ESTABLISHED' }));
  sockets.push(udp('10.0.0.1:45000', { peer: { address: '10.0.7.2', port: 123 }, state: 'ESTABLISHED' }));
  sockets.push(udp('10.0.0.1:35000', { peer: { address: '10.0.7.2', port: 123 }, state: 'ESTABLISHED' }));
  return fakeSnapshot({ sockets });
}

test('regrouping and a served port move the same sockets and counts as the plain reference, in the same order', () => {
  const snap = built();
  const base = referenceBase(snap.sockets);
  assert.deepEqual(plain(factsOf(snap).groups), plain(base));
  // The cases this is meant to hold: a group emptied and one kept, per path.
  assert.equal(base.get('in:tcp:40000')?.sockets.length, 30);
  assert.equal(base.get('out:tcp:50000')?.sockets.length, 1);
  assert.ok(!base.has('out:tcp:50020') && base.has('out:tcp:50099'));
  assert.equal(base.get('in:tcp:45000')?.sockets.length, 3);
  for (const port of [45000, 40000, 33000, 50000]) assert.deepEqual(plain(factsOf(snap, port).groups), plain(referenceServed(base, port)), `served port ${port}`);
  const served = referenceServed(base, 45000);
  assert.deepEqual([served.get('in:tcp:45000')?.sockets.length, served.get('in:udp:45000')?.sockets.length], [12, 2]);
  assert.ok(!served.has('out:tcp:5432') && !served.has('out:udp:53') && served.get('out:tcp:443')?.sockets.length === 5 && served.get('out:udp:123')?.sockets.length === 1);
  // The cached base facts are not changed by a served port's moves.
  assert.deepEqual(plain(factsOf(snap).groups), plain(base));
});

test('a window entry (counts, no TCP sockets) moves the same counts', () => {
  const snap = built();
  const entry = windowEntry(snap);
  const want = referenceServed(referenceBase(snap.sockets), 45000);
  const got = factsOf(entry, 45000).groups;
  const summary = (groups: ReadonlyMap<string, Group>) =>
    [...groups.values()].map((g) => [g.key, g.states, g.protocol === 'udp' ? g.sockets.length : 0] as const).sort((a, b) => a[0].localeCompare(b[0]));
  assert.deepEqual(summary(got), summary(want));
});

test('a served port whose outgoing group moves 150,000 sockets at once', () => {
  // One local port reused towards 150,000 peers on 443: push(...sockets) passed them as arguments and threw
  // "Maximum call stack size exceeded" from about 125,000 on (Node 20).
  const sockets: Socket[] = [];
  for (let i = 0; i < 150_000; i++) sockets.push(tcp('10.0.0.1:45000', `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:443`, 'ESTABLISHED'));
  sockets.push(tcp('10.0.0.1:33000', '10.200.0.1:443', 'ESTABLISHED'));
  const snap = fakeSnapshot({ sockets });
  const f = factsOf(snap, 45000);
  assert.equal(f.groups.get('in:tcp:45000')?.sockets.length, 150_000);
  assert.equal(f.groups.get('in:tcp:45000')?.states.ESTABLISHED, 150_000);
  assert.deepEqual(f.groups.get('out:tcp:443')?.sockets, [sockets[150_000]]);
  assert.equal(factsOf(snap).groups.get('out:tcp:443')?.sockets.length, 150_001);
});
