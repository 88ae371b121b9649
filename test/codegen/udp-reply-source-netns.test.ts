// Generated UDP servers bound to a wildcard reply from the address each datagram was sent to (review-ipv6
// #1): in a network namespace this test creates (and deletes), one interface (lo) carries two more IPv4
// and two IPv6 addresses; a connect()ed UDP client bound to the first address sends to the second and
// must get the reply (a connected socket drops a reply from any other source, as resolvers, nc -u,
// firewalls and NAT do). 127.0.0.2, only routed to lo, is asked too: the C and Python servers answer
// from it (IP_PKTINFO); Node binds one socket per configured address, so 127.0.0.2 gets ICMP port
// unreachable (refused), never a reply from the wrong address. Every C event loop (and the POSIX side
// of the portable files), the three Python io models and Node, for 0.0.0.0, :: (IPv6 only) and
// dual-stack ::. Needs root (as CI), iproute2 and python3: without root it fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateServer, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import * as h from './harness.js';

const NS = `sgen-src-${process.pid}`;

before(() => {
  // On lo: the one interface every kernel has (CI's may lack the dummy module); the routing is the same.
  createNetns(NS, [
    ['addr', 'add', '192.0.2.1/24', 'dev', 'lo'],
    ['addr', 'add', '192.0.2.10/24', 'dev', 'lo'],
    ['addr', 'add', 'fd77::1/64', 'dev', 'lo', 'nodad'],
    ['addr', 'add', 'fd77::10/64', 'dev', 'lo', 'nodad'],
  ]);
});

after(() => {
  deleteNetns(NS);
  assert.ok(!spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(NS), 'namespace deleted');
});

/**
 * Runs in NS: for each "FAMILY:DST@SRC", a UDP socket bound to SRC (port 0) and connect()ed to DST:port
 * sends "ping"; the result is the reply, "refused" (ICMP port unreachable) or "timeout". Three tries a
 * second apart, so that a loaded machine is not mistaken for a reply that was dropped.
 */
const CLIENT = `
import json, socket, sys
port = int(sys.argv[1]); out = {}
for spec in sys.argv[2:]:
    fam, rest = spec.split(":", 1)
    dst, src = rest.rsplit("@", 1)
    s = socket.socket(socket.AF_INET6 if fam == "6" else socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.bind((src, 0))
    s.connect((dst, port))
    got = "timeout"
    for _ in range(3):
        s.send(b"ping")
        try:
            got = s.recv(64).decode()
            break
        except ConnectionRefusedError:
            got = "refused"
            break
        except socket.timeout:
            pass
    out[spec] = got
    s.close()
print(json.dumps(out))
`;

function ask(port: number, specs: string[]): Record<string, string> {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'python3', '-c', CLIENT, String(port), ...specs], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** One address of lo from another, and 127.0.0.2 (only routed to lo, not configured) from 127.0.0.1. */
const V4 = ['4:192.0.2.10@192.0.2.1', '4:192.0.2.1@192.0.2.10', '4:127.0.0.2@127.0.0.1'];
const V6 = ['6:fd77::10@fd77::1', '6:fd77::1@fd77::10', '6:::1@::1'];
/** IPv4 through the dual-stack socket, from an IPv6 client (v4-mapped on both ends). */
const MAPPED = ['6:::ffff:192.0.2.10@::ffff:192.0.2.1'];

type Family = 'v4' | 'v6' | 'dual';
const FAMILY_INPUT: Record<Family, GeneratorInput> = { v4: {}, v6: { ipv6: true }, dual: { dualStack: true } };
const FAMILY_SPECS: Record<Family, string[]> = { v4: V4, v6: V6, dual: [...V4, ...V6, ...MAPPED] };

async function check(input: GeneratorInput, family: Family): Promise<void> {
  const r = generateServer({ port: 0, type: 'udp', ...input, ...FAMILY_INPUT[family] }, { config: DEFAULT_CONFIG });
  const { dir } = h.materialize(r);
  try {
    h.build(r, dir);
    const srv = await h.startServer({ ...r, runCommand: `ip netns exec ${NS} ${r.runCommand}` }, dir, '127.0.0.1');
    try {
      const got = ask(srv.port, FAMILY_SPECS[family]);
      const want: Record<string, string> = {};
      for (const spec of FAMILY_SPECS[family]) {
        // Node serves the addresses configured at start only: 127.0.0.2 is refused, not answered from 127.0.0.1.
        want[spec] = input.language === 'node' && spec.includes('127.0.0.2') ? 'refused' : 'ping';
      }
      assert.deepEqual(got, want, `stderr: ${srv.stderr()}`);
      if (input.language === 'node') assert.match(srv.stdout(), family === 'v6' ? /bound addresses: .*fd77::10/ : /bound addresses: .*192\.0\.2\.10/);
    } finally {
      await srv.kill();
    }
  } finally {
    h.cleanup(dir);
  }
}

const VARIANTS: [string, GeneratorInput][] = [
  ['c epoll', { language: 'c', ioModel: 'epoll' }],
  ['c poll', { language: 'c', ioModel: 'poll' }],
  ['c select', { language: 'c', ioModel: 'select' }],
  ['c io_uring', { language: 'c', ioModel: 'io_uring' }],
  ['c portable poll (POSIX side)', { language: 'c', ioModel: 'poll', platform: 'portable' }],
  ['python asyncio', { language: 'python', ioModel: 'asyncio' }],
  ['python selectors', { language: 'python', ioModel: 'selectors' }],
  ['python threads', { language: 'python', ioModel: 'threads' }],
  ['node', { language: 'node' }],
];

describe('generated UDP servers on a wildcard reply from the address the datagram was sent to', () => {
  for (const [label, input] of VARIANTS) {
    for (const family of ['v4', 'v6', 'dual'] as const) {
      test(`${label} ${family}: a connected client that sent to the second address of an interface gets the reply`, { timeout: 60_000 }, () =>
        check(input, family),
      );
    }
  }
});
