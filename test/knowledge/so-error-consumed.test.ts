// inspect-options --options SO_ERROR on a real connected UDP socket of a python3 process that got an ICMP port
// unreachable (review-udp #7): the errno is named (111 ECONNREFUSED, from the errno tables), the cause is the
// ICMP error for an earlier datagram, and the text says that reading it consumed it, which the owner then
// confirms: its recv() gives EAGAIN, where a second socket with the same error, not read, gives ECONNREFUSED.
// Needs root (pidfd_getfd on another process) and python3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { formatInspect, inspectJson, runInspect } from '../../src/cli/commands/inspect-options-run.js';

// Two connected UDP sockets to a loopback port nothing listens on (a port just released), one datagram each;
// waits (at most 5 s, with poll: POLLERR does not clear the error) until both hold the error, prints
// {pid, fd, control, port}; on a line from stdin, recv(MSG_DONTWAIT) on both and prints the errno names.
const HOLDER = String.raw`
import errno, json, os, select, socket, sys, threading
threading.Timer(30, lambda: os._exit(0)).start()
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); probe.bind(('127.0.0.1', 0)); port = probe.getsockname()[1]; probe.close()
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(('127.0.0.1', port)); s.send(b'x'); socks.append(s)
for s in socks:
    p = select.poll(); p.register(s, select.POLLERR)
    if not p.poll(5000): print(json.dumps({'error': 'no ICMP error in 5 s'}), flush=True); os._exit(1)
print(json.dumps({'pid': os.getpid(), 'fd': socks[0].fileno(), 'control': socks[1].fileno(), 'port': port}), flush=True)
sys.stdin.readline()
out = []
for s in socks:
    try:
        s.recv(100, socket.MSG_DONTWAIT); out.append('data')
    except OSError as e:
        out.append(errno.errorcode.get(e.errno, str(e.errno)))
print(json.dumps(out), flush=True)
os._exit(0)
`;

test('SO_ERROR on a connected UDP socket after ICMP port unreachable: named ECONNREFUSED, said consumed, and the owner indeed no longer sees it', async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test borrows another process\'s socket and must run as root (as the CI does)');
  const child = spawn('python3', ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (what: string): Promise<unknown> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`python3 holder: no ${what} in 10 s`)), 10_000)));
    try {
      const r = await Promise.race([lines.next(), timeout]);
      assert.ok(!r.done, `python3 holder ended before its ${what}`);
      return JSON.parse(r.value);
    } finally {
      clearTimeout(timer);
    }
  };
  const h = (await next('sockets')) as { pid: number; fd: number; control: number; port: number; error?: string };
  assert.equal(h.error, undefined);

  const r = await runInspect({ pid: h.pid, 'socket-fd': h.fd, options: 'SO_ERROR', source: 'netlink' } as Parameters<typeof runInspect>[0]);
  const text = formatInspect(r);
  assert.match(text, /SO_ERROR\s+111 \(ECONNREFUSED\)/, text);
  assert.match(text, new RegExp(`pending error ECONNREFUSED \\(111, Connection refused\\): an ICMP port unreachable came back for an earlier datagram: nothing listened on UDP 127\\.0\\.0\\.1:${h.port}`), text);
  assert.match(text, /reading it here consumed it: the owning process will not see it/, text);
  assert.doesNotMatch(text, /will see it on its next call/, text);
  const json = inspectJson(r) as { unusual: string[] };
  assert.ok(json.unusual.some((u) => /SO_ERROR held ECONNREFUSED \(111, Connection refused\), and reading it here consumed it/.test(u)), JSON.stringify(json.unusual));

  // What the text claims, checked on the owner: the inspected socket's recv() no longer fails; the other one's does.
  child.stdin!.write('go\n');
  assert.deepEqual(await next('recv results'), ['EAGAIN', 'ECONNREFUSED']);
});
