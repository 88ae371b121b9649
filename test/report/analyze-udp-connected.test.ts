// analyze on a connected UDP socket (connect(): ss lists it as ESTAB): it counted in "1 UDP socket" and in the
// top peers, but no table or JSON field showed its queue, buffer, drops or owner (only unconnected sockets had
// the UDP table). A python3 socket with SO_RCVBUF 4096, connected to the test's own UDP socket and never read,
// is fed a bounded burst from that socket until the kernel drops; analyze --port (its local port) and
// --peer-port (the test socket's port) list it with the whole receive side, as text and as --json checked
// against the exported schema. Needs python3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AnalyzeReportSchema } from '../../src/report/schema.js';

const CLI = fileURLToPath(new URL('../../bin/sockscope', import.meta.url));

// Binds 127.0.0.1:0 with SO_RCVBUF 4096, connects to 127.0.0.1:PEER (argv[1]), never reads; prints
// {pid, fd, port}; exits when stdin closes or after 60 s.
const CONNECTED = String.raw`
import json, os, socket, sys, threading
threading.Timer(60, lambda: os._exit(0)).start()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(('127.0.0.1', 0))
s.connect(('127.0.0.1', int(sys.argv[1])))
print(json.dumps({'pid': os.getpid(), 'fd': s.fileno(), 'port': s.getsockname()[1]}), flush=True)
sys.stdin.read()
os._exit(0)
`;

function analyze(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'analyze', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('analyze lists a connected UDP socket with its queue, rcvbuf, drops and owner (--port and --peer-port, text and --json)', { timeout: 60_000 }, async (t) => {
  const peer: DgramSocket = createSocket('udp4');
  await new Promise<void>((res) => peer.bind(0, '127.0.0.1', res));
  t.after(() => peer.close());
  const peerPort = peer.address().port;
  const child = spawn('python3', ['-c', CONNECTED, String(peerPort)], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  const info = await new Promise<{ pid: number; fd: number; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 did not start in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    child.once('error', reject);
  });
  // 200 datagrams of 200 B from the connected peer: far over the 8 KiB the kernel applies, so it drops.
  for (let i = 0; i < 200; i++) await new Promise<void>((res, rej) => peer.send(Buffer.alloc(200), info.port, '127.0.0.1', (e) => (e ? rej(e) : res())));

  const json = analyze(['--port', String(info.port), '--json']);
  assert.equal(json.status, 0, json.stderr);
  const report = AnalyzeReportSchema.parse(JSON.parse(json.stdout));
  assert.equal(report.udpConnectedCount, 1);
  const [c] = report.udpConnected;
  assert.equal(c.local, `127.0.0.1:${info.port}`);
  assert.equal(c.peer, `127.0.0.1:${peerPort}`);
  assert.ok(c.recvQ > 0, `recvQ ${c.recvQ}`);
  assert.ok(c.rcvbuf !== null && c.rcvbuf <= 16384, `rcvbuf ${c.rcvbuf}`);
  assert.ok(c.drops !== null && c.drops > 0, `drops ${c.drops}`);
  assert.deepEqual(c.process, { pid: info.pid, name: 'python3', fd: info.fd });
  assert.equal(c.ownerHidden, false);
  assert.deepEqual(report.listeners, [], 'a connected socket is no listener');

  const text = analyze(['--port', String(info.port)]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^Connected UDP sockets \(1\)$/m);
  const row = text.stdout.split('\n').find((l) => l.includes(`127.0.0.1:${info.port}`) && l.includes(`127.0.0.1:${peerPort}`));
  assert.ok(row, text.stdout);
  assert.match(row!, / full /);
  assert.match(row!, new RegExp(`python3/${info.pid} fd ${info.fd}`));

  // --peer-port: this host's sockets connected to the peer's port; the same socket, seen from its peer's side.
  const byPeer = AnalyzeReportSchema.parse(JSON.parse(analyze(['--peer-port', String(peerPort), '--json']).stdout));
  assert.deepEqual(byPeer.udpConnected.map((x) => x.local), [`127.0.0.1:${info.port}`]);

  // A source without socket memory: the queue and owner still, rcvbuf unknown (null), never a guess.
  const procfs = AnalyzeReportSchema.parse(JSON.parse(analyze(['--port', String(info.port), '--json', '--source', 'procfs']).stdout));
  assert.equal(procfs.udpConnected.length, 1);
  assert.equal(procfs.udpConnected[0].rcvbuf, null);
  assert.ok(procfs.udpConnected[0].recvQ > 0);
});
