// A UDP socket's drop counter (sk_drops) with the procfs source: /proc/net/udp carries it in its last
// column, so udp-socket-drops can name the socket without socket memory (netlink/ss give skmem d).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { ProcfsSource } from '../../src/collect/procfs.js';
import { socketDrops } from '../../src/model/socket.js';
import { parseProcNet } from '../../src/parse/procfs-net.js';
import { fakeHistory, proc, udp } from '../helpers/fake-snapshot.js';

const fx = (name: string) => readFileSync(new URL(`../fixtures/procfs/${name}`, import.meta.url), 'utf8');

test('/proc/net/udp: the drops column becomes Socket.drops; TCP lines have no drops', () => {
  const socks = parseProcNet(fx('edge-udp.txt'), 'udp');
  assert.deepEqual(socks.map((s) => [s.local.port, s.drops, socketDrops(s)]), [
    [53, 7, 7],
    [40000, 0, 0],
  ]);
  // The same place on a TCP line holds rto (not a drop count).
  for (const s of parseProcNet(fx('edge-tcp.txt'), 'tcp')) assert.equal(s.drops, undefined);
});

test('udp-socket-drops fires on the drops of a source without socket memory, and says the buffer is not visible', () => {
  const h = fakeHistory(4, (i) => ({
    snmp: { Udp: { InErrors: i * 300, RcvbufErrors: i * 300 } },
    sockets: [udp('0.0.0.0:514', { processes: [proc(88, 'rsyslogd')], recvQ: 4096, drops: i * 300 })],
  }));
  const recs = evaluateRules(makeContext({ snapshot: h[3], history: h }));
  assert.deepEqual(recs.map((r) => r.id), ['udp-receive-errors', 'udp-socket-drops']);
  assert.match(recs[0].evidence, /sockets dropping: udp port 514 rsyslogd \(pid 88\) drops 900, queued 4 KiB \(rcvbuf not visible to this source\)/);
  assert.match(recs[1].message, /UDP socket on port 514 \(rsyslogd \(pid 88\)\) is dropping datagrams: \+900 in 30 s/);
});

test('procfs collector: a real UDP socket that overflows its receive buffer shows its drops, as ss -uam does', { timeout: 30_000 }, async () => {
  // A receiver with a 4 KiB SO_RCVBUF that never reads; 200 datagrams of 1000 bytes overflow it.
  const py = spawn('python3', ['-c', [
    'import socket, sys, time',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
    "s.bind(('127.0.0.1', 0))",
    'print(s.getsockname()[1], flush=True)',
    'time.sleep(20)',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(py.stdout!, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    assert.ok(port > 0, `receiver port: ${line}`);
    const tx = createSocket('udp4');
    const payload = Buffer.alloc(1000, 0x61);
    for (let i = 0; i < 200; i++) await new Promise<void>((res, rej) => tx.send(payload, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
    tx.close();
    const snap = await new ProcfsSource().collect({ protocols: ['udp'], port, processes: 'none' });
    const s = snap.sockets.find((x) => x.protocol === 'udp' && x.local.port === port);
    assert.ok(s, 'the receiver is seen');
    assert.ok((s.drops ?? 0) > 100, `drops ${s.drops}`);
    // ss -uam prints the same counter as skmem d.
    const ss = spawn('ss', ['-uamnH', 'sport', '=', `:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    ss.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await once(ss, 'close');
    const d = /skmem:\([^)]*\bd(\d+)\)/.exec(out);
    assert.ok(d, `ss -uam: ${out}`);
    assert.equal(s.drops, Number(d[1]));
  } finally {
    py.kill();
  }
});
