// The monitor never raised udp-socket-drops: its home view collects without details, so its UDP sockets had no
// socket memory (skmem d, the drop counter the rule reads) and a UDP port dropping 180 datagrams a second stayed
// marked fine, while the exporter, which reads UDP with socket memory, named it. collectWithUdpMemory gives the
// home view's UDP sockets their skmem from a UDP-only dump. A real UDP socket on loopback with a 4 KiB receive
// buffer that is never read, datagrams sent to it; the built monitor in tmux.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createSource } from '../../src/collect/index.js';
import { collectWithUdpMemory } from '../../src/collect/udp-memory.js';
import { socketDrops } from '../../src/model/socket.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { hasTmux, ROOT, tmuxServer, tmuxSkip, until as poll } from '../helpers/tmux.js';

const HOLDER = `
import json, socket, sys, os
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
print(json.dumps({"pid": os.getpid(), "port": s.getsockname()[1]}), flush=True)
sys.stdin.read()
`;

describe('UDP drops in the monitor', () => {
  let sender: dgram.Socket;
  let timer: NodeJS.Timeout | undefined;
  let port = 0;
  let pid = 0;
  let holder: ChildProcess | undefined;
  const tmux = tmuxServer('sockscope-udp-drops');
  const capture = () => tmux('capture-pane', '-p', '-t', 'mon', '-J').stdout;

  before(async () => {
    port = await freeLowPort();
    holder = spawn('python3', ['-c', HOLDER, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const h = await new Promise<{ pid: number; port: number }>((resolve, reject) => {
      createInterface({ input: holder!.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
      holder!.once('exit', (code) => reject(new Error(`python3 exited with ${code}`)));
    });
    pid = h.pid;
    sender = dgram.createSocket('udp4');
    const payload = Buffer.alloc(900, 0x61);
    // 100 datagrams a second, for at most 60 s (the tests end it sooner): the 4 KiB buffer overflows at once.
    const end = Date.now() + 60_000;
    timer = setInterval(() => {
      if (Date.now() > end) clearInterval(timer);
      sender.send(payload, port, '127.0.0.1');
    }, 10);
  });
  after(() => {
    if (timer) clearInterval(timer);
    sender?.close();
    holder?.stdin?.end();
    holder?.kill('SIGKILL');
    tmux('kill-server');
  });

  it('collectWithUdpMemory: the home view\'s collection gets the drop counter in one collection (netlink, ss), the owner stays', async () => {
    const opts = { protocols: ['udp', 'tcp'], processes: 'listeners' } as const;
    for (const name of ['netlink', 'ss'] as const) {
      const source = createSource(name);
      const plain = await source.collect({ ...opts, protocols: [...opts.protocols] });
      const bare = plain.sockets.find((s) => s.protocol === 'udp' && s.local.port === port);
      assert.ok(bare, `${name}: the socket is listed`);
      assert.equal(bare.skmem, undefined, `${name}: without details or udpMemory the collection has no socket memory (the gap)`);
      let calls = 0;
      const counted = { name: source.name, collect: (o?: Parameters<typeof source.collect>[0]) => (calls++, source.collect(o)) };
      const withMem = await waitFor(`${name}: drops counted`, async () => {
        calls = 0;
        const snap = await collectWithUdpMemory(counted, { ...opts, protocols: [...opts.protocols] });
        const s = snap.sockets.find((x) => x.protocol === 'udp' && x.local.port === port);
        return s && (socketDrops(s) ?? 0) > 0 ? s : undefined;
      });
      assert.equal(calls, 1, `${name}: the memory comes with the collection itself (netlink's UDP dumps, ss's UDP run with -m)`);
      assert.ok(withMem.skmem && withMem.skmem.rcvbuf > 0, JSON.stringify(withMem.skmem));
      assert.deepEqual(withMem.processes.map((p) => p.pid), [pid], `${name}: the owner read by the collection is kept`);
    }
    // Sources without socket memory: one collection, nothing added (procfs has the drops column itself).
    for (const name of ['procfs', 'netstat'] as const) {
      const source = createSource(name);
      let calls = 0;
      const counted = { name: source.name, collect: (o?: Parameters<typeof source.collect>[0]) => (calls++, source.collect(o)) };
      const snap = await collectWithUdpMemory(counted, { ...opts, protocols: [...opts.protocols] });
      assert.equal(calls, 1, name);
      assert.equal(snap.sockets.find((x) => x.protocol === 'udp' && x.local.port === port)?.skmem, undefined, name);
    }
  });

  it('the monitor names the dropping socket (udp-socket-drops) and marks its port', { skip: tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false), timeout: 60_000 }, async () => {
    assert.ok(hasTmux);
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '200', '-y', '50', '-e', 'CI=false', '-c', ROOT, 'bin/sockscope', '--interval', '500ms', '--port', String(port));
    assert.equal(r.status, 0, r.stderr);
    const s = await poll(capture, (x) => x.includes(`UDP socket on port ${port}`) && x.includes('is dropping datagrams'), 'udp-socket-drops in the panel', 40_000);
    assert.match(s, new RegExp(`UDP socket on port ${port} \\(python3 \\(pid ${pid}\\)\\) is dropping datagrams`), s);
  });
});
