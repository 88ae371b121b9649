// Node --keepalive: socket.setKeepAlive(true, ms) sets SO_KEEPALIVE and TCP_KEEPIDLE only, and libuv (Node 20)
// sets TCP_KEEPINTVL 1 s and TCP_KEEPCNT 10 itself. `--keepalive 30,5,3` used to be accepted for Node: the
// header said keepalive=30s/5s/3 and a comment that interval and count stayed the kernel's sysctls, while the
// server ran with 1 s / 10 probes. Now INTERVAL,COUNT are refused for Node (exit 2 naming --keepalive and what
// Node allows), `--keepalive IDLE` works, and the header and comment give what libuv sets, read back here from
// a running generated server's accepted socket with inspect-options (pidfd_getfd + getsockopt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as h from './harness.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });

test('generate-server --language node --keepalive IDLE,INTERVAL,COUNT is exit 2 naming --keepalive and what Node allows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-ka-'));
  try {
    const r = run(['generate-server', '--type', 'tcp', '--language', 'node', '--keepalive', '30,5,3', '--port', '0', '--output', join(dir, 'k.mjs')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--keepalive 30,5,3: Node sets only the idle time \(libuv fixes the probes at 1 s apart, 10 of them\); use --keepalive 30/);
    assert.deepEqual(readdirSync(dir), [], 'nothing written');
    // C and Python set all three, so IDLE alone is refused there rather than left to the sysctls silently.
    const py = run(['generate-server', '--type', 'tcp', '--language', 'python', '--keepalive', '30', '--port', '0', '--output', join(dir, 'k.py')]);
    assert.equal(py.status, 2, py.stderr);
    assert.match(py.stderr, /--keepalive needs IDLE,INTERVAL,COUNT for python/);
    const bad = run(['generate-server', '--type', 'tcp', '--language', 'node', '--keepalive', '30,5', '--port', '0', '--output', join(dir, 'k.mjs')]);
    assert.equal(bad.status, 2, bad.stderr);
  } finally {
    h.cleanup(dir);
  }
});

test('generate-server --language node --keepalive 30: the accepted socket has what the header says (30 s idle, libuv\'s 1 s / 10 probes), read by inspect-options', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-ka-'));
  const file = join(dir, 'server.mjs');
  try {
    const g = run(['generate-server', '--type', 'tcp', '--language', 'node', '--keepalive', '30', '--port', '0', '--bind', h.LOOPBACK4, '--output', file]);
    assert.equal(g.status, 0, g.stderr);
    const src = readFileSync(file, 'utf8');
    assert.match(src, /keepalive=30s\/1s\/10/);
    assert.match(src, /--keepalive 30 /, 'the Regenerate line repeats IDLE alone');
    assert.match(src, /libuv sets TCP_KEEPINTVL 1 s and TCP_KEEPCNT 10/);
    const srv = await h.startServer({ files: [], buildCommand: null, runCommand: `node ${file}` } as never, dir);
    const client = net.connect({ port: srv.port, host: h.LOOPBACK4 });
    try {
      await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
      const local = `127.0.0.1:${client.localPort}`;
      // The server's accepted socket: the one whose peer is our client, found through inspect-options itself.
      let found: { options: { name: string; value: unknown }[] } | null = null;
      for (let k = 0; k < 50 && !found; k++) {
        for (const fd of readdirSync(`/proc/${srv.pid}/fd`)) {
          let link = '';
          try {
            link = readlinkSync(`/proc/${srv.pid}/fd/${fd}`);
          } catch {
            continue;
          }
          if (!link.startsWith('socket:')) continue;
          const r = run(['inspect-options', '--pid', String(srv.pid), '--socket-fd', fd, '--options', 'SO_KEEPALIVE,TCP_KEEPIDLE,TCP_KEEPINTVL,TCP_KEEPCNT', '--json']);
          if (r.status !== 0) continue;
          const d = JSON.parse(r.stdout) as { socket?: { peer?: string }; options: { name: string; value: unknown }[] };
          if (d.socket?.peer === local) found = d;
        }
        if (!found) await h.sleep(50);
      }
      assert.ok(found, `no accepted socket with peer ${local}`);
      const v = Object.fromEntries(found.options.map((o) => [o.name, o.value]));
      const asked = ['SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT'].map((k) => [k, v[k]]);
      assert.deepEqual(Object.fromEntries(asked), { SO_KEEPALIVE: true, TCP_KEEPIDLE: 30, TCP_KEEPINTVL: 1, TCP_KEEPCNT: 10 });
    } finally {
      client.destroy();
      await srv.kill();
    }
  } finally {
    h.cleanup(dir);
  }
});
