// A unix listener's accept queue in the ports table (review s14-tui #3): a stream LISTEN socket with
// backlog 16 and 3 connections not accepted showed `3 B` in QUEUE (bytes, as for UDP) while `ss -xl` shows
// `LISTEN 3 16` and the port view said "accept queue 3/16". It is connections over the backlog, as for
// TCP: `3/16`, and its fill (3/16) is what the queue sort orders by. A real abstract unix listener
// (python3), the netlink collector.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createSource } from '../../src/collect/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { summarizeUnix } from '../../src/ui/derive.js';
import { listenQueue, queueFill } from '../../src/ui/tables/ports.js';
import { waitFor } from '../helpers/free-port.js';
import { FakeSource } from './fakes.js';
import { KEY, mount } from './harness.js';

const NAME = `sockscope-uxq-${process.pid}`;
let py: ChildProcess;
let snap: Snapshot;

before(async () => {
  const script = [
    'import socket, sys, time',
    `s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind('\\0${NAME}'); s.listen(16)`,
    'cs = []',
    'for i in range(3):',
    `    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect('\\0${NAME}'); cs.append(c)`,
    "print('ready', flush=True)",
    'sys.stdin.read()',
  ].join('\n');
  py = spawn('python3', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    py.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    py.on('exit', (code) => reject(new Error(`python3 exited ${code}`)));
  });
  const source = createSource('netlink');
  snap = await waitFor(
    'the listener with 3 connections queued',
    async () => {
      const s = await source.collect({ protocols: ['unix'], processes: 'listeners' });
      const l = s.sockets.find((k) => k.protocol === 'unix' && k.state === 'LISTEN' && k.local.address === `@${NAME}`);
      return l && l.recvQ === 3 ? s : undefined;
    },
    10_000,
    50,
  );
});

after(() => {
  py?.stdin?.end();
  py?.kill();
});

describe('a unix listener with backlog 16 and 3 connections waiting for accept()', () => {
  it('the collector sees LISTEN 3 16, as ss -xl does', () => {
    const l = snap.sockets.find((k) => k.protocol === 'unix' && k.state === 'LISTEN' && k.local.address === `@${NAME}`)!;
    assert.deepEqual([l.recvQ, l.sendQ], [3, 16]);
  });

  it('QUEUE is 3/16 (connections/backlog), and the queue sort orders by its fill', () => {
    const row = summarizeUnix(snap.sockets).find((r) => r.path === `@${NAME}`)!;
    assert.ok(row, 'a unix row for the listener');
    assert.equal(listenQueue(row.summary), '3/16');
    assert.equal(queueFill(row.summary), 3 / 16);
  });

  it('the monitor (x: unix shown) draws 3/16 in the row and accept queue 3/16 in its port view', async () => {
    const h = await mount(new FakeSource(() => snap), { columns: 100, rows: 20, protocols: { tcp: false, udp: false, unix: true } });
    try {
      await h.press('/', NAME, KEY.enter);
      let f = await h.until((x) => /LOCAL PORTS 1 of/.test(x));
      const line = f.split('\n').find((l) => l.includes(`@${NAME}`));
      assert.ok(line, f);
      assert.match(line, /\s3\/16\s/, line);
      assert.doesNotMatch(line, /\s3 B\s/, line);
      await h.press(KEY.enter);
      f = await h.until((x) => x.includes('accept queue'));
      assert.match(f, /accept queue 3\/16 \(queued\/backlog\)/, f);
    } finally {
      h.unmount();
    }
  });
});
