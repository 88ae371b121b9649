// SO_BINDTODEVICE of a real socket bound to interfaces named in UTF-8 ("eé0") and with a byte that is not
// UTF-8 (e\xff1), in a network namespace of this test's own: inspect-options shows the names as they are
// (the value decoded as latin1 showed "eÃ©0"). Needs root (ip netns), python3, iproute2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sockscope } from './getsockopt-helpers.js';

// Creates the two interfaces (bytes, so e\xff1 reaches the kernel as is), binds a listener to each, prints
// their fds, and stays until stdin closes (at most 60 s).
const SCRIPT = String.raw`
import socket, subprocess, sys, os, threading
keep = []
for dev, peer in [(b'e\xc3\xa90', b'p0'), (b'e\xff1', b'p1')]:
    subprocess.run([b'ip', b'link', b'add', dev, b'type', b'veth', b'peer', b'name', peer], check=True)
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev); s.bind(('0.0.0.0', 0)); s.listen(1); keep.append(s)
print(' '.join(str(s.fileno()) for s in keep), flush=True)
threading.Timer(60, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

test('SO_BINDTODEVICE names in UTF-8 and with a non-UTF-8 byte are shown as they are (real sockets)', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'creating a network namespace needs root (as in CI)');
  const ns = `sockscope-ifutf8-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  assert.equal(add.error, undefined, 'ip (iproute2) is required');
  assert.equal(add.status, 0, add.stderr);
  t.after(() => spawnSync('ip', ['netns', 'delete', ns]));
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const fds = await new Promise<number[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 listeners not ready in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l.split(' ').map(Number));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`python3 exited with ${code}`)));
  });
  // ip netns exec runs python3 in place (exec), so the child's pid is python's.
  const read = (fd: number) => {
    const r = sockscope(['inspect-options', '--pid', String(child.pid), '--socket-fd', String(fd), '--options', 'SO_BINDTODEVICE', '--json'], { netns: ns });
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(r.stdout) as { options: { name: string; value?: unknown }[] }).options.find((o) => o.name === 'SO_BINDTODEVICE')?.value;
  };
  assert.equal(read(fds[0]), 'eé0');
  assert.equal(read(fds[1]), 'e\udcff1', 'the 0xFF byte kept (U+DCFF)');
  const text = sockscope(['inspect-options', '--pid', String(child.pid), '--socket-fd', String(fds[1]), '--options', 'SO_BINDTODEVICE'], { netns: ns });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /only through interface e\\xff1/);
});
