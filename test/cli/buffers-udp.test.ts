// review-udp #13: `buffers` on a UDP socket reports its rcvbuf against the caps (it said only "No TCP
// connections", and --pid/--socket-fd exited 1 with "UDP, unix, or closed meanwhile"). A real socket on
// loopback with a 4 KiB SO_RCVBUF that is never read, filled by this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { startPythonHolder } from '../helpers/python-holder.js';

const HOLDER = [
  'import socket, json, sys',
  's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
  's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
  "s.bind(('127.0.0.1', 0))",
  "print(json.dumps({'pid': __import__('os').getpid(), 'fd': s.fileno(), 'port': s.getsockname()[1]}), flush=True)",
  'sys.stdin.read()',
].join('\n');

test('buffers --pid/--socket-fd and --port on a UDP socket: exit 0, its rcvbuf, who set it, the cap, queue and drops', { timeout: 90_000 }, async (t) => {
  const h = await startPythonHolder<{ pid: number; fd: number; port: number }>(t, HOLDER);
  const tx = createSocket('udp4');
  const payload = Buffer.alloc(1000, 0x61);
  for (let i = 0; i < 50; i++) await new Promise<void>((res, rej) => tx.send(payload, h.port, '127.0.0.1', (e) => (e ? rej(e) : res())));
  tx.close();
  const run = (args: string[]) => spawnSync('bin/sockscope', ['buffers', ...args], { encoding: 'utf8', timeout: 30_000 });
  const byFd = run(['--pid', String(h.pid), '--socket-fd', String(h.fd), '--json']);
  assert.equal(byFd.status, 0, byFd.stderr);
  const notes = (JSON.parse(byFd.stdout) as { notes: string[] }).notes;
  const line = notes.find((n) => n.startsWith(`UDP 127.0.0.1:${h.port} (python3/${h.pid} fd ${h.fd}): rcvbuf 8 KiB, set by the application`));
  assert.ok(line, notes.join('\n'));
  assert.match(line, /; queued [\d.]+ (B|KiB) \(\d+(\.\d+)?%\), drops [1-9]\d*$/);
  assert.ok(notes.some((n) => n.startsWith('UDP sockets have no window and no BDP')), notes.join('\n'));
  const byPort = run(['--port', String(h.port)]);
  assert.equal(byPort.status, 0, byPort.stderr);
  assert.match(byPort.stdout, new RegExp(`No TCP connections for port ${h.port}; a UDP socket instead \\(below\\)\\.`));
  assert.match(byPort.stdout, new RegExp(`UDP 127\\.0\\.0\\.1:${h.port} \\(python3/${h.pid} fd ${h.fd}\\): rcvbuf 8 KiB`));
});
