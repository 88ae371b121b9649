// The socket view of an orphan (review-churn #5): a real loopback connection whose server side was closed by
// its process while the client keeps its end. The kernel holds that FIN_WAIT2 socket as a timewait socket
// (ss: timer:(timewait,...) ino:0), with no tcp_info, no skmem and no process. The drill-down said "not
// available from this collector" for tcp_info and memory (another --source would not help) and "another
// user's process without root" for fd flags and options (false as root). And once the client closed and
// the socket turned TIME_WAIT, the reason read when the view opened stayed on screen.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSource } from '../../src/collect/index.js';
import type { Socket } from '../../src/model/socket.js';
import { localInspector } from '../../src/cli/commands/monitor-run.js';
import { socketLines } from '../../src/ui/socket-lines.js';
import type { SocketDetails } from '../../src/ui/inspector.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The text under one heading of the socket view, up to the next blank line. */
function section(lines: ReturnType<typeof socketLines>, heading: string): string {
  const texts = lines.map((l) => l.text);
  const i = texts.indexOf(heading);
  assert.ok(i >= 0, `no ${heading} in\n${texts.join('\n')}`);
  const end = texts.indexOf('', i);
  return texts.slice(i + 1, end < 0 ? undefined : end).join('\n');
}

describe('drill-down on an orphaned socket (FIN_WAIT2 after close(), then TIME_WAIT)', { skip: process.platform !== 'linux' && 'Linux only' }, () => {
  let server: net.Server;
  let client: net.Socket;
  let port = 0;
  let clientPort = 0;
  before(async () => {
    server = net.createServer((accepted) => accepted.destroy()); // close() right after accept()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
    // allowHalfOpen: the client reads the server's FIN and keeps its end open (Node would end() it otherwise).
    client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    client.on('error', () => {});
    client.resume();
    await new Promise<void>((r) => client.once('connect', () => r()));
    clientPort = client.localPort!;
  });
  after(() => {
    client?.destroy();
    server?.close();
  });

  /** The server side of the connection in a fresh snapshot of `source` (bounded: 5 s). */
  async function serverSide(source: string, state: string): Promise<Socket> {
    const src = createSource(source as 'netlink');
    for (let i = 0; i < 50; i++) {
      const snap = await src.collect({ protocols: ['tcp'], processes: 'all', details: true, port });
      const s = snap.sockets.find((x) => x.local.port === port && x.peer.port === clientPort && x.state === state);
      if (s) return s;
      await sleep(100);
    }
    throw new Error(`${source}: no ${state} socket on 127.0.0.1:${port}`);
  }

  const ctx = (source: 'netlink' | 'ss' | 'procfs') => ({ attribution: 'all' as const, source, detailsSeen: source !== 'procfs' });
  let orphanDetails: SocketDetails | undefined;
  let orphan: Socket | undefined;

  for (const source of ['netlink', 'ss', 'procfs'] as const)
    it(`${source}: FIN_WAIT2 orphan: tcp_info and memory say the kernel keeps none, fd flags and options that no process holds it`, async () => {
      const s = await serverSide(source, 'FIN_WAIT2');
      assert.equal(s.processes.length, 0);
      assert.ok(!s.inode, `inode ${s.inode}`);
      assert.equal(s.timer?.name, 'timewait', JSON.stringify(s.timer));
      const details = await localInspector.inspect(s);
      const lines = socketLines(s, details, ctx(source));
      for (const [heading, what] of [
        ['TCP_INFO', 'tcp_info'],
        ['MEMORY AND BUFFERS', 'skmem'],
      ]) {
        const text = section(lines, heading);
        assert.match(text, new RegExp(`none: the kernel keeps this FIN_WAIT2 orphan as a timewait socket \\(timer timewait\\), with no ${what}, as in TIME_WAIT`), text);
        assert.doesNotMatch(text, /not available from this collector|not collected/);
      }
      for (const heading of ['FD FLAGS (/proc/PID/fdinfo)', 'SOCKET OPTIONS (getsockopt)']) {
        const text = section(lines, heading);
        assert.equal(text, '  no process holds it: its process closed it (an orphan the kernel finishes)');
        assert.doesNotMatch(text, /another user/);
      }
      // What the inspector itself says (fd flags and options are read once, when the view opens).
      assert.match(details.fdMissing ?? '', /its process closed it/);
      assert.match(details.optionsMissing ?? '', /its process closed it/);
      if (source === 'netlink') {
        orphan = s;
        orphanDetails = details;
      }
    });

  it('the client closes: the socket turns TIME_WAIT and the view words it as TIME_WAIT with the details read as FIN_WAIT2', async () => {
    assert.ok(orphan && orphanDetails, 'the netlink case ran first');
    client.destroy();
    const s = await serverSide('netlink', 'TIME_WAIT');
    // The view keeps the details read when it opened (useSocketDetails reads once per socket and owner).
    const lines = socketLines(s, orphanDetails, ctx('netlink'));
    for (const heading of ['FD FLAGS (/proc/PID/fdinfo)', 'SOCKET OPTIONS (getsockopt)']) {
      const text = section(lines, heading);
      assert.equal(text, '  a TIME_WAIT socket belongs to no process any more');
      assert.doesNotMatch(text, /closed by its process|another user/);
    }
    assert.match(section(lines, 'TCP_INFO'), /none: the kernel keeps no tcp_info for a TIME_WAIT socket/);
    // A snapshot where no socket carries tcp_info (the TIME_WAIT alone on its port) does not make it "not collected yet".
    assert.match(section(socketLines(s, orphanDetails, { ...ctx('netlink'), detailsSeen: false }), 'MEMORY AND BUFFERS'), /none: the kernel keeps no skmem for a TIME_WAIT socket/);
  });
});
