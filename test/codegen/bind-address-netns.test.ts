// What --bind means at run time, in a network namespace this test creates (and deletes):
// - a link-local address with a zone (fe80::1%lo) binds in every language (review-ipv6 #5: Python's
//   bind((HOST, PORT)) dropped the zone, EINVAL);
// - --bind localhost, where /etc/hosts maps localhost to both ::1 and 127.0.0.1 (as most distributions
//   do), gives the same family in every language: IPv4 (127.0.0.1), or IPv6 (::1) with --ipv6 (review-ipv6
//   #7: C and Node listened on ::1, Python on 127.0.0.1).
// Needs root (as CI), iproute2 and python3: without root it fails. `ip netns exec` bind-mounts
// /etc/netns/NS/hosts over /etc/hosts, which is how the namespace gets its own localhost.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { generateServer, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { createNetns, deleteNetns } from '../helpers/netns.js';
import * as h from './harness.js';

const NS = `sgen-bind-${process.pid}`;
const HOSTS_DIR = `/etc/netns/${NS}`;

before(() => {
  createNetns(NS, [['addr', 'add', 'fe80::1/64', 'dev', 'lo', 'nodad']]);
  mkdirSync(HOSTS_DIR, { recursive: true });
  writeFileSync(`${HOSTS_DIR}/hosts`, '::1 localhost\n127.0.0.1 localhost\n');
});

after(() => {
  deleteNetns(NS);
  rmSync(HOSTS_DIR, { recursive: true, force: true });
  assert.ok(!spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(NS), 'namespace deleted');
});

/**
 * Runs in NS: for each "tcp|udp,ADDRESS" a client sends "ping" to ADDRESS:port (getaddrinfo, so a zone
 * works) and reports the echo, "refused" or "timeout" (UDP: three tries a second apart).
 */
const CLIENT = `
import json, socket, sys
port = int(sys.argv[1]); out = {}
for spec in sys.argv[2:]:
    kind, address = spec.split(",", 1)
    typ = socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM
    fam, _, _, _, sa = socket.getaddrinfo(address, port, 0, typ)[0]
    s = socket.socket(fam, typ)
    s.settimeout(1.0)
    got = "timeout"
    try:
        s.connect(sa)
        for _ in range(3 if typ == socket.SOCK_DGRAM else 1):
            s.send(b"ping")
            try:
                got = s.recv(64).decode()
                break
            except socket.timeout:
                pass
    except ConnectionRefusedError:
        got = "refused"
    out[spec] = got
    s.close()
print(json.dumps(out))
`;

function ask(port: number, specs: string[]): Record<string, string> {
  const r = spawnSync('ip', ['netns', 'exec', NS, 'python3', '-c', CLIENT, String(port), ...specs], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Starts input in NS and returns what the clients got, and the server's "listening on" line. */
async function serve(input: GeneratorInput, specs: (port: number) => string[]): Promise<{ got: Record<string, string>; listening: string }> {
  const r = generateServer({ port: 0, ...input }, { config: DEFAULT_CONFIG });
  const { dir } = h.materialize(r);
  try {
    h.build(r, dir);
    const srv = await h.startServer({ ...r, runCommand: `ip netns exec ${NS} ${r.runCommand}` }, dir, '127.0.0.1');
    try {
      const got = ask(srv.port, specs(srv.port));
      return { got, listening: /listening on .*/.exec(srv.stdout())![0] };
    } finally {
      await srv.kill();
    }
  } finally {
    h.cleanup(dir);
  }
}

const LANGUAGES: [string, GeneratorInput][] = [
  ['c epoll', { language: 'c', ioModel: 'epoll' }],
  ['python asyncio', { language: 'python', ioModel: 'asyncio' }],
  ['python selectors', { language: 'python', ioModel: 'selectors' }],
  ['python threads', { language: 'python', ioModel: 'threads' }],
  ['node', { language: 'node' }],
];

describe('--bind fe80::1%lo (link-local with a zone) binds in every language', () => {
  for (const [label, input] of LANGUAGES) {
    for (const type of ['tcp', 'udp'] as const) {
      test(`${label} ${type}`, { timeout: 60_000 }, async () => {
        const { got, listening } = await serve({ ...input, type, bindAddress: 'fe80::1%lo' }, () => [`${type},fe80::1%lo`]);
        assert.deepEqual(got, { [`${type},fe80::1%lo`]: 'ping' });
        assert.match(listening, /listening on fe80::1(%lo)? port \d+/);
      });
    }
  }
});

describe('--bind localhost listens on the same family in every language (localhost is ::1 and 127.0.0.1)', () => {
  for (const [label, input] of LANGUAGES) {
    for (const type of ['tcp', 'udp'] as const) {
      test(`${label} ${type}: IPv4 by default, IPv6 with --ipv6`, { timeout: 60_000 }, async () => {
        const specs = () => [`${type},127.0.0.1`, `${type},::1`];
        const v4 = await serve({ ...input, type, bindAddress: 'localhost' }, specs);
        assert.deepEqual(v4.got, { [`${type},127.0.0.1`]: 'ping', [`${type},::1`]: 'refused' }, v4.listening);
        const v6 = await serve({ ...input, type, bindAddress: 'localhost', ipv6: true }, specs);
        assert.deepEqual(v6.got, { [`${type},127.0.0.1`]: 'refused', [`${type},::1`]: 'ping' }, v6.listening);
      });
    }
  }
});
