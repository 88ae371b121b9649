// A bulk TCP transfer on loopback in a network namespace of the test's own, whose path then drops every packet:
// a server on 127.0.0.1:PORT that reads everything, a client that sends in bulk, and after 1 s an nft rule
// dropping tcp dport PORT. The client's Send-Q fills while its retransmission timer backs off (timer:(on,...,N),
// no persist): the peer reads, the path drops. Needs root, python3 and nft (as in CI); every process and the
// namespace go in the test's teardown; the programs end on their own after 50 s.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { createNetns, deleteNetns } from './netns.js';

/** Runs `args` in namespace `ns` (stdin `input`), failing the test unless it exits 0; returns its stdout. */
export function inNetns(ns: string, args: string[], input?: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', timeout: 30_000, input });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The bulk loop of whichever end sends (`x`: its socket), and of the end that reads everything. */
const sends = (x: string) => String.raw`
${x}.settimeout(1); b = b'x' * 8000; t = time.time()
while time.time() - t < 50:
    try: ${x}.send(b); time.sleep(0.0005)
    except socket.timeout: pass
`;
const reads = (x: string) => String.raw`
${x}.settimeout(1); t = time.time()
while time.time() - t < 50:
    try:
        if not ${x}.recv(65536): break
    except socket.timeout: pass
`;

const server = (port: number, serverSends: boolean) => String.raw`
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', ${port})); s.listen(16)
print('ready', flush=True)
a, _ = s.accept()
${serverSends ? sends('a') : reads('a')}`;

const client = (port: number, serverSends: boolean) => String.raw`
import socket, time
c = socket.socket(); c.connect(('127.0.0.1', ${port}))
print('ready', flush=True)
${serverSends ? reads('c') : sends('c')}`;

/**
 * Creates namespace `ns`, starts the transfer to `port`, drops its packets after 1 s; returns when the rule is in.
 * `serverSends`: the other way round (the server on PORT sends in bulk, the client reads; packets from PORT dropped).
 */
export async function blackholedBulk(t: TestContext, ns: string, port: number, o: { serverSends?: boolean } = {}): Promise<void> {
  const serverSends = o.serverSends === true;
  createNetns(ns);
  const kids: ChildProcess[] = [];
  t.after(() => {
    for (const k of kids) k.kill('SIGKILL');
    deleteNetns(ns);
  });
  for (const code of [server(port, serverSends), client(port, serverSends)]) {
    const k = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    kids.push(k);
    await new Promise<void>((res) => k.stdout!.once('data', () => res()));
  }
  await new Promise((r) => setTimeout(r, 1000));
  inNetns(ns, ['nft', '-f', '-'], `table inet rv {\n  chain in {\n    type filter hook input priority 0\n    tcp ${serverSends ? 'sport' : 'dport'} ${port} drop\n  }\n}\n`);
}
