// A targeted collection (one-shot commands such as `analyze --port P`) starts reading the likely owner
// of the wanted sockets while the netlink dump still runs (ProcessAttributor.prefetch): the owners are
// the same as without it, and the pass after the dump does not read that process again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { NetlinkSource } from '../../src/collect/netlink.js';
import { ProcessAttributor, sharedAttributor } from '../../src/collect/processes.js';

/** A child process serving on a loopback port with `n` connections to itself (2n + 1 socket fds). */
async function server(n: number): Promise<{ pid: number; port: number; close: () => void }> {
  const script = `
    const net = require('node:net');
    const keep = [];
    const srv = net.createServer((c) => keep.push(c)).listen(0, '127.0.0.1', async () => {
      const port = srv.address().port;
      for (let i = 0; i < ${n}; i++) await new Promise((r) => { const c = net.connect(port, '127.0.0.1', r); keep.push(c); });
      // Ready once every connection is accepted too (the server side holds an fd only after accept()).
      while (keep.length < 2 * ${n}) await new Promise((r) => setTimeout(r, 10));
      process.stdout.write(JSON.stringify({ port }) + '\\n');
    });
    setTimeout(() => process.exit(0), 60000).unref();
    process.stdin.on('end', () => process.exit(0)).resume();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { port } = JSON.parse(line.toString()) as { port: number };
  return { pid: child.pid!, port, close: () => child.kill() };
}

test('prefetch: a targeted netlink collection names the same owners and reads the owner once', { skip: process.platform !== 'linux' && 'Linux only' }, async () => {
  const srv = await server(200);
  try {
    const src = new NetlinkSource(undefined, { prefetchMinInodes: 50 });
    const snap = await src.collect({ port: srv.port, protocols: ['tcp'], processes: 'all', attribution: 'targeted' });
    const onPort = snap.sockets.filter((s) => s.local.port === srv.port);
    assert.equal(onPort.length, 201, 'the listener and 200 accepted connections');
    for (const s of onPort) assert.ok(s.processes.some((p) => p.pid === srv.pid), `socket ${s.inode} names the server`);
    const shared = sharedAttributor().stats();

    // The same sockets attributed by a fresh attributor without prefetch: the same owners, and the
    // server's 401 fds read by that pass, which the pass after the prefetch did not read again.
    const again = onPort.map((s) => ({ ...s, processes: [] }));
    const fresh = new ProcessAttributor();
    await fresh.attribute(again, 'all', { targeted: true });
    assert.deepEqual(
      again.map((s) => s.processes),
      onPort.map((s) => s.processes),
    );
    const alone = fresh.stats();
    // Both passes also probe every process left unread once (the listener's fd number: pidsSkipped of
    // them) and read the server's ancestors (this test process, the test runner...). Processes of the
    // tests running alongside start and end between the two passes, and the runner's fd count moves as
    // it starts and reaps test files: the probes are taken out by pidsSkipped, and the ancestors' fd
    // counts may differ by a few dozen. Without the prefetch the server's 401 fds would be read by both
    // passes (difference about 6 sampled probes).
    const own = (s: typeof alone) => s.readlinks - s.pidsSkipped;
    const saved = own(alone) - own(shared);
    assert.ok(
      saved >= 401 - 40,
      `the pass after the prefetch read ${shared.readlinks} links (${shared.pidsSkipped} pids skipped), a pass alone ${alone.readlinks} (${alone.pidsSkipped} skipped): ${saved} fewer, not the server's 401`,
    );
  } finally {
    srv.close();
  }
});
