// The generated Node UDP server binds one socket per local address (dgram has no IP_PKTINFO). Which
// addresses, in a network namespace this test creates (and deletes) (review of the codegen diff, #2, #3, #7):
// - one address on two interfaces (a VIP on lo and on an up veth) is bound once, not twice: the second
//   bind collided with the server's own socket and it exited with EADDRINUSE;
// - an address added after start is served after SIGHUP (and every RESCAN_MS), and "listening on" names
//   the addresses bound, not 0.0.0.0 (which is not bound);
// - with port 0, a port another program holds on a later address makes the server pick another port
//   instead of exiting: with the namespace's ephemeral range cut to 2 ports and one of them held on the
//   later address, every start must come up on the other port (without the retry, half of them exit).
// Needs root (as CI), iproute2 and python3: without root it fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateServer, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { createNetns, deleteNetns, netnsHolder } from '../helpers/netns.js';
import * as h from './harness.js';

const NS = `sgen-nodeaddr-${process.pid}`;
const VIP = '10.9.9.9';

before(() => {
  createNetns(NS, [
    ['link', 'add', 'sgv0', 'type', 'veth', 'peer', 'name', 'sgv1'],
    ['link', 'set', 'sgv0', 'up'],
    ['link', 'set', 'sgv1', 'up'], // both ends up: libuv leaves out an interface that is not running
    ['addr', 'add', `${VIP}/32`, 'dev', 'lo'],
    ['addr', 'add', `${VIP}/32`, 'dev', 'sgv0'],
    ['addr', 'add', '192.0.2.1/24', 'dev', 'lo'],
  ]);
});

after(() => {
  deleteNetns(NS);
  assert.ok(!spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(NS), 'namespace deleted');
});

function ip(...args: string[]): void {
  const r = spawnSync('ip', ['-n', NS, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
}

/** In NS: a UDP socket bound to SRC, connect()ed to DST:port, sends "ping"; the reply, "refused" or "timeout". */
const CLIENT = `
import json, socket, sys
port = int(sys.argv[1]); out = {}
for spec in sys.argv[2:]:
    dst, src = spec.rsplit("@", 1)
    s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
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

async function withServer(input: GeneratorInput, body: (srv: h.RunningServer) => Promise<void>): Promise<void> {
  const r = generateServer({ port: 0, type: 'udp', language: 'node', ...input }, { config: DEFAULT_CONFIG });
  const { dir } = h.materialize(r);
  try {
    const srv = await h.startServer({ ...r, runCommand: `ip netns exec ${NS} ${r.runCommand}` }, dir, '127.0.0.1');
    try {
      await body(srv);
    } finally {
      await srv.kill();
    }
  } finally {
    h.cleanup(dir);
  }
}

function listed(srv: h.RunningServer): string[] {
  const m = /listening on (\S+) port \d+/.exec(srv.stdout());
  assert.ok(m, srv.stdout());
  return m[1].split(',');
}

describe('generated Node UDP server: the addresses it binds', () => {
  test('an address on two interfaces is bound once and served (no EADDRINUSE with its own socket)', { timeout: 60_000 }, () =>
    withServer({}, async (srv) => {
      assert.deepEqual(ask(srv.port, [`${VIP}@${VIP}`, `${VIP}@192.0.2.1`]), { [`${VIP}@${VIP}`]: 'ping', [`${VIP}@192.0.2.1`]: 'ping' }, srv.stderr());
      assert.equal(listed(srv).filter((a) => a === VIP).length, 1, srv.stdout());
      assert.equal(srv.stderr(), '');
    }),
  );

  test('an address added after start is served after SIGHUP; "listening on" lists the bound addresses', { timeout: 60_000 }, () =>
    withServer({ dualStack: true }, async (srv) => {
      const addrs = listed(srv);
      assert.ok(addrs.includes('192.0.2.1') && addrs.includes('127.0.0.1') && addrs.includes('::1'), srv.stdout());
      assert.ok(!addrs.includes('0.0.0.0') && !addrs.includes('::'), `the wildcard is not bound, so not listed: ${srv.stdout()}`);
      assert.deepEqual(ask(srv.port, ['192.0.2.20@192.0.2.1']), { '192.0.2.20@192.0.2.1': 'refused' }, 'not configured yet');
      ip('addr', 'add', '192.0.2.20/24', 'dev', 'lo');
      ip('addr', 'add', 'fd77::20/64', 'dev', 'lo', 'nodad');
      process.kill(srv.pid, 'SIGHUP');
      const deadline = Date.now() + 10_000;
      while (!(srv.stdout().includes('now serving 192.0.2.20') && srv.stdout().includes('now serving fd77::20')) && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 50));
      }
      const want = { '192.0.2.20@192.0.2.1': 'ping', 'fd77::20@::1': 'ping', '::ffff:192.0.2.20@::ffff:127.0.0.1': 'ping' };
      assert.deepEqual(ask(srv.port, Object.keys(want)), want, `stdout: ${srv.stdout()}\nstderr: ${srv.stderr()}`);
      assert.equal(srv.proc.exitCode, null, 'still running after SIGHUP');
    }),
  );

  test('port 0: a port held by another program on a later address makes it pick another port, every time', { timeout: 120_000 }, async () => {
    const sysctl = spawnSync('ip', ['netns', 'exec', NS, 'sysctl', '-w', 'net.ipv4.ip_local_port_range=40000 40001'], { encoding: 'utf8' });
    assert.equal(sysctl.status, 0, sysctl.stderr);
    // VIP comes after 127.0.0.1 (lo's first address) in os.networkInterfaces().
    const holder = await netnsHolder(NS, `s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(("${VIP}", 40000))`);
    try {
      for (let i = 0; i < 8; i++) {
        await withServer({}, async (srv) => {
          assert.equal(srv.port, 40001, `run ${i}: stdout: ${srv.stdout()}\nstderr: ${srv.stderr()}`);
          assert.ok(listed(srv).includes(VIP), srv.stdout());
        });
      }
    } finally {
      holder.kill('SIGKILL');
      spawnSync('ip', ['netns', 'exec', NS, 'sysctl', '-w', 'net.ipv4.ip_local_port_range=32768 60999']);
    }
  });
});
