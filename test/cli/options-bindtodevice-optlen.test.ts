// `options SO_BINDTODEVICE` said "char[] (NUL-padded name); getsockopt optlen 16", but the kernel writes the name
// plus its NUL with optlen strlen+1 (b'lo\0', 3) and optlen 0 when the socket is not bound; a bound socket read with
// a buffer under IFNAMSIZ fails with EINVAL. Checked against real sockets of a python3 process (with the optlen the
// process itself gets back), and inspect-options' own reading of the same sockets agrees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sockscope } from '../collect/getsockopt-helpers.js';

const HOLDER = String.raw`
import ctypes, ctypes.util, json, os, socket, sys, threading
libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
def read(s, n):
    buf = ctypes.create_string_buffer(b'\xaa' * n, n); ln = ctypes.c_uint32(n)
    rc = libc.getsockopt(s.fileno(), socket.SOL_SOCKET, socket.SO_BINDTODEVICE, buf, ctypes.byref(ln))
    return {'rc': rc, 'errno': ctypes.get_errno() if rc else 0, 'optlen': ln.value, 'bytes': buf.raw[:ln.value].hex() if rc == 0 else ''}
dev = socket.socket(); dev.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'lo'); dev.bind(('127.0.0.1', 0)); dev.listen(8)
nodev = socket.socket(); nodev.bind(('127.0.0.1', 0)); nodev.listen(8)
print(json.dumps({'pid': os.getpid(), 'dev': dev.fileno(), 'nodev': nodev.fileno(),
  'bound16': read(dev, 16), 'bound4': read(dev, 4), 'unbound16': read(nodev, 16)}), flush=True)
threading.Timer(60, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

test('SO_BINDTODEVICE: the reference says name plus NUL (optlen strlen+1, 0 when not bound, pass 16 bytes), as the kernel does', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'SO_BINDTODEVICE and borrowing another process\'s sockets need root (as in CI)');
  const child = spawn('python3', ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  const h = await new Promise<{ pid: number; dev: number; nodev: number; bound16: Record<string, unknown>; bound4: Record<string, unknown>; unbound16: Record<string, unknown> }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('python3 holder not ready in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(JSON.parse(l));
    });
    child.once('error', reject);
  });
  // The kernel: name + NUL, optlen 3; nothing and optlen 0 unbound; EINVAL (22) with a 4-byte buffer when bound.
  assert.deepEqual(h.bound16, { rc: 0, errno: 0, optlen: 3, bytes: '6c6f00' });
  assert.deepEqual(h.unbound16, { rc: 0, errno: 0, optlen: 0, bytes: '' });
  assert.equal(h.bound4.rc, -1);
  assert.equal(h.bound4.errno, 22);

  // The reference says so.
  const r = spawnSync('bin/sockscope', ['options', 'SO_BINDTODEVICE'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /NUL-padded|getsockopt optlen 16/);
  assert.match(r.stdout, /^ {2}type {7}char\[\]: a name ending in NUL; pass 16 bytes, optlen comes back as the bytes written$/m);
  assert.match(r.stdout, /^ {2}default {4}not bound \(any interface\): getsockopt writes nothing and sets optlen 0$/m);
  const text = r.stdout.replace(/\s+/g, ' ');
  assert.match(text, /getsockopt writes the interface name plus its NUL and sets optlen to strlen\+1 \(3 for lo\), or writes nothing and sets optlen 0 when the socket is not bound; pass an IFNAMSIZ \(16\) byte buffer: a smaller one fails with EINVAL when the socket is bound/);
  const json = JSON.parse(spawnSync('bin/sockscope', ['options', 'SO_BINDTODEVICE', '--json'], { encoding: 'utf8', timeout: 20_000 }).stdout);
  assert.equal(json.size, 16); // the buffer to pass (what inspect-options passes)

  // inspect-options reads the same sockets: the name when bound, an empty value when not.
  const read = (fd: number) => {
    const x = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(fd), '--options', 'SO_BINDTODEVICE', '--json']);
    assert.equal(x.status, 0, x.stderr);
    return (JSON.parse(x.stdout).options as { name: string; value?: unknown; missing?: string }[]).find((o) => o.name === 'SO_BINDTODEVICE');
  };
  assert.equal(read(h.dev)?.value, 'lo');
  assert.equal(read(h.nodev)?.value, '');
});
