// Sockets on one port bound to different devices (SO_BINDTODEVICE) are different services, named with their device
// as a zone (0.0.0.0%dA:P), as ss writes them and the exporter labels them (review s25 rA #1): analyze-states' UDP
// note listed two such sockets as "0.0.0.0:8001 python3/PID; 0.0.0.0:8001 python3/PID", and `try bind` and export's
// port-in-use message said "LISTEN on 0.0.0.0:8000" for each of two listeners. And an IPv6 literal whose zone holds a
// control character is a zone that names no interface, not a name that "does not resolve (ENOTFOUND)" (rA #2).
// In a namespace of this test with two veth devices; needs root (as CI), iproute2, python3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { netnsWithHolder } from '../helpers/netns.js';
import { spawnSync } from 'node:child_process';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

const NS = `ss-bdev-${process.pid}`;
const DA = `bda${process.pid % 100000}`;
const DB = `bdb${process.pid % 100000}`;

test('sockets bound to different devices on one port are named with their device', { timeout: 60_000 }, async (t) => {
  const code = [
    'k = []',
    `for d in (b"${DA}", b"${DB}"):`,
    '    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
    '    u.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, d); u.bind(("0.0.0.0", 8001)); k.append(u)',
    '    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
    '    l.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, d); l.bind(("0.0.0.0", 8000)); l.listen(8); k.append(l)',
  ].join('\n');
  const holder = await netnsWithHolderAndDevices(t, code);
  const pid = holder.pid!;

  const states = sockscope(['analyze-states', '--port', '8001'], { netns: NS });
  assert.equal(states.status, 0, states.stderr);
  assert.match(states.stdout, new RegExp(`2 UDP sockets on port 8001 \\(0\\.0\\.0\\.0%(${DA}|${DB}):8001 python3/${pid}; 0\\.0\\.0\\.0%(${DA}|${DB}):8001 python3/${pid}\\)`), states.stdout);
  assert.ok(states.stdout.includes(`%${DA}:8001`) && states.stdout.includes(`%${DB}:8001`), states.stdout);
  const json = JSON.parse(sockscope(['analyze-states', '--port', '8001', '--json'], { netns: NS }).stdout) as { notes: string[] };
  assert.ok(json.notes.some((n) => n.includes(`0.0.0.0%${DA}:8001`) && n.includes(`0.0.0.0%${DB}:8001`)), JSON.stringify(json.notes));

  // try bind: the port's holders, each with its device.
  const tryBind = sockscope(['try', 'bind', '0.0.0.0:8000'], { netns: NS });
  assert.equal(tryBind.status, 0, tryBind.stdout + tryBind.stderr);
  assert.match(tryBind.stdout, new RegExp(`^Failed: port 8000 is held by pid ${pid} \\(python3\\), LISTEN on 0\\.0\\.0\\.0%(${DA}|${DB}):8000$`, 'm'), tryBind.stdout);
  assert.match(tryBind.stdout, new RegExp(`^  - also LISTEN on 0\\.0\\.0\\.0%(${DA}|${DB}):8000: pid ${pid} \\(python3\\)$`, 'm'), tryBind.stdout);
  for (const d of [DA, DB]) assert.match(tryBind.stdout, new RegExp(`^  LISTEN +0\\.0\\.0\\.0%${d}:8000  python3/${pid}$`, 'm'), tryBind.stdout);

  // export's port-in-use message is the same interpretation.
  const exp = sockscope(['export', '--listen', '0.0.0.0:8000'], { netns: NS, timeoutMs: 20_000 });
  assert.equal(exp.status, 1, exp.stdout + exp.stderr);
  assert.match(exp.stderr, new RegExp(`LISTEN on 0\\.0\\.0\\.0%(${DA}|${DB}):8000`), exp.stderr);
});

test('an IPv6 literal whose zone holds a control character: the zone names no interface (exit 2), not ENOTFOUND', { timeout: 30_000 }, () => {
  for (const args of [['export', '--listen', '[fe80::1%\x1b[31m]:9464'], ['try', 'bind', '[fe80::1%\x1b[31m]:9464']]) {
    const r = sockscope(args);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /the zone '\\x1b\[31m' after % names no network interface of this host/, r.stderr);
    assert.doesNotMatch(r.stderr, /ENOTFOUND|does not resolve/, r.stderr);
    assert.doesNotMatch(r.stderr, /\x1b/, 'escaped');
  }
});

/** The namespace and its holder, which first adds the two devices (veth pairs) inside it, then binds to them. */
async function netnsWithHolderAndDevices(t: Parameters<typeof netnsWithHolder>[0], code: string) {
  const setup = `import subprocess\nfor d in ("${DA}", "${DB}"):\n    subprocess.run(["ip", "link", "add", d, "type", "veth", "peer", "name", d + "p"], check=True)\n`;
  return netnsWithHolder(t, NS, setup + code);
}

test("zones Node's isIP refuses (an interface name with '_') and zones by index: try takes them, export says what it can take", { timeout: 60_000 }, async (t) => {
  // Linux allows '_' in an interface name (br_lan); Node's isIP does not take it in a zone, and libuv makes a zone a
  // scope id with if_nametoindex, so export's Node server cannot listen on fe80::2%d_b, and took fe80::1%3 as scope 0
  // (EINVAL). try (its own socket calls) binds either. Review s25 dB #3: --v6only said "applies to IPv6 addresses only".
  const ns = `ss-bdz-${process.pid}`;
  const plain = `dz${process.pid % 100000}`;
  const under = `d_${process.pid % 100000}`;
  await netnsWithHolder(t, ns, 'pass');
  const ip = (...a: string[]) => assert.equal(spawnSync('ip', ['-n', ns, ...a]).status, 0, a.join(' '));
  ip('link', 'add', plain, 'type', 'veth', 'peer', 'name', under);
  for (const [d, a] of [[plain, 'fe80::1'], [under, 'fe80::2']]) {
    ip('link', 'set', d, 'up');
    ip('addr', 'add', `${a}/64`, 'dev', d, 'nodad');
  }
  const tryBind = sockscope(['try', 'bind', `[fe80::2%${under}]:9464`, '--v6only'], { netns: ns });
  assert.equal(tryBind.status, 0, tryBind.stdout + tryBind.stderr);
  assert.match(tryBind.stdout, new RegExp(`^Result: bind on \\[fe80::2%${under}\\]:9464 succeeded`, 'm'), tryBind.stdout);
  const refused = sockscope(['export', '--listen', `[fe80::2%${under}]:9464`], { netns: ns });
  assert.equal(refused.status, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, new RegExp(`--listen: the zone '${under}' names interface '${under}', which Node's server cannot take as a zone`), refused.stderr);
  // By index: served on the interface's name.
  const index = /^(\d+):/.exec(spawnSync('ip', ['-n', ns, '-o', 'link', 'show', plain], { encoding: 'utf8' }).stdout)![1];
  const served = spawnSync('ip', ['netns', 'exec', ns, 'timeout', '-s', 'INT', '3', process.execPath, BIN, 'export', '--listen', `[fe80::1%${index}]:9464`], { encoding: 'utf8', timeout: 20_000 });
  assert.match(served.stderr, new RegExp(`serving http://\\[fe80::1%${plain}\\]:9464/metrics`), served.stderr);
  assert.doesNotMatch(served.stderr, /EINVAL/, served.stderr);
});
