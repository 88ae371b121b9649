// Python threads TCP server when a thread cannot be started (RLIMIT_NPROC reached): thread.start() raised
// "RuntimeError: can't start new thread" out of main(), the server exited 1 dropping every client and the
// thread stayed in the registry. Now that one connection is closed, one line goes to stderr, the thread is
// deregistered, and the server carries on and serves again once threads end. Run as nobody under
// `prlimit --nproc=40` (prlimit and setpriv exec, so the pid is python's; a real limit, not a mock) with --max-connections 50: a failed thread left registered
// would fill the pool after a round or two, and the last round (30 clients at once) would be refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { generateServer } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import * as h from './harness.js';

/** Connects n clients at once, sends a line on each; 'echoed' when it comes back, 'closed' when the server closed it. */
async function round(port: number, n: number): Promise<{ echoed: number; closed: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      h.within(
        10_000,
        new Promise<'echoed' | 'closed'>((resolve) => {
          const payload = `client ${i}\n`;
          const sock = net.connect(port, h.LOOPBACK4, () => sock.write(payload));
          sockets.push(sock);
          let got = '';
          sock.setEncoding('utf8');
          sock.on('data', (d: string) => {
            got += d;
            if (got === payload) resolve('echoed');
          });
          sock.on('error', () => resolve('closed'));
          sock.on('close', () => resolve('closed'));
        }),
        `client ${i}`,
      ),
    ),
  );
  return { echoed: results.filter((r) => r === 'echoed').length, closed: results.filter((r) => r === 'closed').length, sockets };
}

/** Waits (up to 5 s) until the process is down to its main thread. */
async function threadsEnded(pid: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (readdirSync(`/proc/${pid}/task`).length > 1 && Date.now() < deadline) await h.sleep(20);
  assert.equal(readdirSync(`/proc/${pid}/task`).length, 1, 'the served threads did not end');
}

test('python threads: no thread for a connection (ulimit -u 40, as nobody) closes that one, logs a line, keeps serving', { timeout: 120_000 }, async () => {
  const r = generateServer({ language: 'python', ioModel: 'threads', type: 'tcp', port: 0, bindAddress: h.LOOPBACK4, maxConnections: 50 }, { config: DEFAULT_CONFIG });
  const { dir } = h.materialize(r);
  chmodSync(dir, 0o755); // nobody reads server.py
  try {
    const runCommand = `prlimit --nproc=40 setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 ${r.files[0].path}`;
    const srv = await h.startServer({ ...r, runCommand }, dir);
    try {
      let closedTotal = 0;
      for (let i = 0; i < 3; i++) {
        const got = await round(srv.port, 60);
        assert.equal(srv.proc.exitCode, null, `round ${i + 1}: the server exited\nstderr: ${srv.stderr()}`);
        assert.ok(got.echoed >= 10, `round ${i + 1}: only ${got.echoed} of 60 served\nstderr: ${srv.stderr()}`);
        closedTotal += got.closed;
        for (const s of got.sockets) s.destroy();
        await threadsEnded(srv.pid); // the served threads see EOF and end
      }
      assert.ok(closedTotal > 0, `no connection went without a thread: the limit did not bite\nstderr: ${srv.stderr()}`);
      // Every failed thread was deregistered: 20 clients fit in the pool of 50 and get threads.
      const last = await round(srv.port, 20);
      for (const s of last.sockets) s.destroy();
      assert.equal(last.echoed, 20, `after the rounds: ${last.echoed} of 20 served\nstderr: ${srv.stderr()}`);
      assert.equal(srv.proc.exitCode, null, 'the server is still running');
      assert.doesNotMatch(srv.stderr(), /Traceback|RuntimeError:/);
      const lines = srv.stderr().split('\n').filter((l) => l !== '');
      assert.ok(lines.length > 0 && lines.every((l) => /^cannot start a thread for a connection \(can't start new thread\): closed it$/.test(l)), srv.stderr());
      assert.ok(lines.length <= closedTotal, `${lines.length} lines for ${closedTotal} closed connections`);
    } finally {
      await srv.kill();
    }
  } finally {
    h.cleanup(dir);
  }
});
