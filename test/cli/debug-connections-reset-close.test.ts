// debug-connections against loopback servers that reset the connection after the request was sent, the two ways a
// live server does it: close() while the request is still unread in its receive buffer (the kernel sends RST instead of
// FIN: the commonest cause, named first), and close() with SO_LINGER {1, 0} after reading it. Both python3 servers are
// real processes on 127.0.0.1 (ephemeral ports); the wording must be true of both. Needs python3.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { sockscope } from '../collect/getsockopt-helpers.js';

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** A python3 server on 127.0.0.1 running `handle(c)` for each accepted connection in a thread; resolves with its port and pid. */
async function server(handle: string): Promise<{ port: number; pid: number }> {
  const code = `import socket, struct, threading, time, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
def handle(c):
${handle.split('\n').map((l) => `    ${l}`).join('\n')}
print(s.getsockname()[1], flush=True)
end = time.time() + 60
while time.time() < end:
    c, _ = s.accept(); threading.Thread(target=handle, args=(c,), daemon=True).start()
`;
  const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('server not ready in 10 s')), 10_000);
    child.once('error', rej);
    child.stdout!.once('data', (d) => {
      clearTimeout(timer);
      res(Number(String(d).trim()));
    });
  });
  return { port, pid: child.pid! };
}

function probe(port: number) {
  const r = sockscope(['debug-connections', '--address', `127.0.0.1:${port}`, '--send', 'GET / HTTP/1.0\\r\\n\\r\\n', '--expect', '200', '--timeout', '2s', '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const CAUSES =
  'it closed the connection with the request still unread (it did not read it, or closed after an error: the kernel then resets instead of sending a FIN), an abortive close (SO_LINGER {1, 0}) or a crash';

for (const [kind, handle] of [
  ['closes 0.3 s after accepting, without reading the request', 'time.sleep(0.3); c.close()'],
  ['reads the request, then closes with SO_LINGER {1, 0}', 'c.recv(4096); c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()'],
] as const)
  test(`a server that ${kind}: the reset after the request names the unread-request close first, then SO_LINGER {1, 0}, then a crash`, { timeout: 60_000 }, async () => {
    const s = await server(handle);
    const j = probe(s.port);
    const a = j.addresses[0];
    assert.equal(a.connect.ok, true);
    assert.match(a.exchange.error, /^ECONNRESET/);
    assert.equal(j.verdict.ok, false);
    assert.equal(j.verdict.summary, `127.0.0.1:${s.port} accepts TCP connections, but 127.0.0.1 reset the connection after the request was sent (python3/${s.pid}): ${CAUSES} (${a.exchange.error})`);
    assert.doesNotMatch(j.verdict.summary, /: an abortive close \(SO_LINGER \{1, 0\}\) or a crash/);
    const steps: string[] = j.verdict.nextSteps;
    assert.ok(steps.some((x) => x.startsWith(`look at python3/${s.pid}: its logs, whether it reads the request before close()`) && x.includes(`-p ${s.pid}`)), steps.join('\n'));
    assert.ok(steps.some((x) => x.startsWith('nstat -az TcpExtTCPAbortOnClose TcpExtTCPAbortOnData')), steps.join('\n'));
  });
