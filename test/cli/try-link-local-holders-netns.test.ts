// `sockscope try bind` of a scoped link-local address that a listener holds, in a network namespace of this test:
// the same fe80::5 on both ends of a veth pair, a listener on each. The holders used to lose their zone
// ("[fe80::5]:P" against the target "[fe80::5%IF]:P"), so the EADDRINUSE read "no socket on it is visible". Now
// the holder on the target's interface (by name or by index) is named with its zone, and the one on the other
// link is another address. Needs root (as CI), iproute2, python3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';

const NS = `ss-llh-${process.pid}`;
const IA = `lla${process.pid % 100000}`;
const IB = `llb${process.pid % 100000}`;
const PORT = 20020;
const BTD_PORT = 20021; // [::]:BTD_PORT with SO_BINDTODEVICE IA
const children: ChildProcess[] = [];
let holderPid = 0;

function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  assert.equal(r.error, undefined, 'ip (iproute2) is required');
  assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  createNetns(NS);
  ip('-n', NS, 'link', 'add', IA, 'type', 'veth', 'peer', 'name', IB);
  for (const i of [IA, IB]) {
    ip('-n', NS, 'addr', 'add', 'fe80::5/64', 'dev', i, 'nodad');
    ip('-n', NS, 'link', 'set', i, 'up');
  }
  // A 4-tuple with the interface index: a 2-tuple bind of "fe80::5%IF" is EINVAL.
  const bind = (name: string, i: string) => `${name} = socket.socket(socket.AF_INET6); ${name}.bind(("fe80::5", ${PORT}, 0, socket.if_nametoindex("${i}"))); ${name}.listen(8)`;
  const btd = `c = socket.socket(socket.AF_INET6); c.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"${IA}"); c.bind(("::", ${BTD_PORT})); c.listen(8)`;
  const h = await netnsHolder(NS, [bind('a', IA), bind('b', IB), btd].join('\n'));
  children.push(h);
  holderPid = h.pid!; // `ip netns exec` execs python3: the same process
});

after(() => {
  for (const c of children) c.kill('SIGKILL');
  deleteNetns(NS);
});

const ifindex = (i: string) => Number(/^(\d+):/.exec(ip('-n', NS, '-o', 'link', 'show', i))![1]);

test('try bind [fe80::5%IF]:P on a held scoped address: EADDRINUSE names the listener on that interface, with its zone', { timeout: 60_000 }, () => {
  const r = sockscope(['try', 'bind', `[fe80::5%${IA}]:${PORT}`], { netns: NS });
  assert.equal(r.status, 0, r.stdout + r.stderr); // the call ran and was explained: exit 0
  assert.match(r.stdout, /EADDRINUSE/, r.stdout);
  assert.match(r.stdout, new RegExp(`Failed: port ${PORT} is held by pid ${holderPid} \\(python3\\), LISTEN on \\[fe80::5%${IA}\\]:${PORT}\\n`), r.stdout);
  assert.doesNotMatch(r.stdout, /no socket on it is visible/, r.stdout);
  // The listener on the other link holds another address: listed apart, not as the conflict.
  assert.match(r.stdout, new RegExp(`Sockets on \\[fe80::5%${IA}\\] port ${PORT}:\\n  LISTEN +\\[fe80::5%${IA}\\]:${PORT}  python3/${holderPid}\\n  \\(1 more on other local addresses`), r.stdout);
  assert.doesNotMatch(r.stdout, new RegExp(`also LISTEN on \\[fe80::5%${IB}\\]`), r.stdout);
});

test('the zone by index: the same holder, and --json gives each holder its zone, device and scopeId', { timeout: 60_000 }, () => {
  const idx = ifindex(IA);
  const r = sockscope(['try', 'bind', `[fe80::5%${idx}]:${PORT}`, '--json'], { netns: NS });
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.call.errno, 'EADDRINUSE');
  assert.match(doc.interpretation.summary, new RegExp(`held by pid ${holderPid} \\(python3\\), LISTEN on \\[fe80::5%${IA}\\]:${PORT}$`));
  const byLocal = Object.fromEntries(doc.context.holders.map((h: { local: string; device?: string; scopeId?: number }) => [h.local, [h.device, h.scopeId]]));
  assert.deepEqual(byLocal, { [`[fe80::5%${IA}]:${PORT}`]: [IA, idx], [`[fe80::5%${IB}]:${PORT}`]: [IB, ifindex(IB)] });
});

test('a zone on an address that needs no scope is ignored, as the kernel does: [::%lo] conflicts with [::] bound to another device', { timeout: 60_000 }, () => {
  // The kernel uses sin6_scope_id only for addresses that need a scope (__ipv6_addr_needs_scope_id: fe80::/10,
  // interface- and link-local multicast); for :: or ::1 the socket is bound to no interface and conflicts with the
  // SO_BINDTODEVICE listener on any. The listener is named with its device as a zone ([::%IA]), as ss writes
  // [::]%IA: the device it is bound to, which the target's zone does not escape.
  for (const target of [`[::%lo]:${BTD_PORT}`, `[::1%${IB}]:${BTD_PORT}`, `[::%${ifindex(IB)}]:${BTD_PORT}`]) {
    const r = sockscope(['try', 'bind', target], { netns: NS });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /EADDRINUSE/, r.stdout);
    assert.match(r.stdout, new RegExp(`Failed: port ${BTD_PORT} is held by pid ${holderPid} \\(python3\\), LISTEN on \\[::%${IA}\\]:${BTD_PORT}\\n`), `${target}:\n${r.stdout}`);
    assert.doesNotMatch(r.stdout, /no socket on it is visible|other local addresses/, r.stdout);
    assert.match(r.stdout, new RegExp(`^  LISTEN +\\[::%${IA}\\]:${BTD_PORT}  python3/${holderPid}$`, 'm'), r.stdout);
  }
});

test('a holder zone that holds a control character is escaped once in every line, and kept as it is in --json', { timeout: 60_000 }, () => {
  // Renamed last: the tests above use IB's plain name. The kernel allows ESC in an interface name.
  const hostile = `e\x1b${process.pid % 1000}`;
  const idx = ifindex(IB); // a rename keeps the index
  ip('-n', NS, 'link', 'set', IB, 'down');
  ip('-n', NS, 'link', 'set', IB, 'name', hostile);
  ip('-n', NS, 'link', 'set', hostile, 'up');
  ip('-n', NS, 'addr', 'replace', 'fe80::5/64', 'dev', hostile, 'nodad'); // down dropped the IPv6 address, not the listener
  const shown = `[fe80::5%e\\\\x1b${process.pid % 1000}]:${PORT}`; // as a regex: one backslash, then x1b
  const r = sockscope(['try', 'bind', `[fe80::5%${idx}]:${PORT}`], { netns: NS });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /\x1b/, 'no raw ESC reaches the terminal');
  assert.doesNotMatch(r.stdout, /\\\\x1b/, `escaped twice:\n${r.stdout}`);
  assert.match(r.stdout, new RegExp(`^Failed: .*LISTEN on ${shown.replace(/[[\]]/g, '\\$&')}$`, 'm'), r.stdout);
  assert.match(r.stdout, new RegExp(`^  LISTEN +${shown.replace(/[[\]]/g, '\\$&')}  python3/${holderPid}$`, 'm'), r.stdout);
  const doc = JSON.parse(sockscope(['try', 'bind', `[fe80::5%${idx}]:${PORT}`, '--json'], { netns: NS }).stdout);
  assert.ok(doc.context.holders.some((h: { local: string }) => h.local === `[fe80::5%${hostile}]:${PORT}`), JSON.stringify(doc.context.holders));
});
