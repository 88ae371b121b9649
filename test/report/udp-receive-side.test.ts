// analyze and `sockscope --json` on a real UDP socket that drops (review-udp #6, review-api #8): a python3
// reader with SO_RCVBUF 4096 that never reads, fed a bounded burst on loopback until the kernel drops. The
// one-shot analyze showed it only as a "Listeners" row with "accept queue 7488 B", never its drops or rcvbuf,
// and the recommendations were the TCP "normal" lines; --json had Recv-Q bytes in acceptQueue only.
// Now: a UDP table with queue, rcvbuf, fill and drops; recvQBytes/rcvbuf/drops in the JSON (acceptQueue keeps
// its value); a note that the queue is full, with the --samples command; the monitor's column says QUEUE and
// the UDP cell carries its unit. Needs python3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createSource } from '../../src/collect/index.js';
import { summarizePorts } from '../../src/model/aggregate.js';
import { buildAnalyzeReport, type AnalyzeListener } from '../../src/report/analyze.js';
import { formatAnalyzeReport } from '../../src/report/print-analyze.js';
import { buildSnapshotReport, SnapshotReportSchema } from '../../src/report/snapshot-report.js';
import { listenQueue, PORT_COLUMNS } from '../../src/ui/tables/ports.js';

// A UDP socket on 127.0.0.1 with SO_RCVBUF 4096 (the kernel applies 8192), never read; prints
// {pid, fd, port, rcvbuf}; exits when stdin closes or after 60 s.
const READER = String.raw`
import json, os, socket, sys, threading
threading.Timer(60, lambda: os._exit(0)).start()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(('127.0.0.1', 0))
print(json.dumps({'pid': os.getpid(), 'fd': s.fileno(), 'port': s.getsockname()[1], 'rcvbuf': s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)}), flush=True)
sys.stdin.read()
os._exit(0)
`;

interface Reader {
  pid: number;
  fd: number;
  port: number;
  rcvbuf: number;
}

async function startReader(t: { after: (fn: () => void) => void }): Promise<Reader> {
  const child = spawn('python3', ['-c', READER], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    child.stdin!.end();
    child.kill('SIGKILL');
  });
  return new Promise<Reader>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the python3 reader did not start in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as Reader);
    });
    child.once('error', reject);
  });
}

/** Sends `count` datagrams of `size` bytes to 127.0.0.1:port, one after the other (bounded: 200 x 200 B). */
async function burst(port: number, count = 200, size = 200): Promise<void> {
  const c = createSocket('udp4');
  try {
    const payload = Buffer.alloc(size, 0x61);
    for (let i = 0; i < count; i++) await new Promise<void>((resolve, reject) => c.send(payload, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  } finally {
    c.close();
  }
}

/** /proc/net/udp's drops column for a socket (the kernel's sk_drops, what the report must show). */
function procDrops(inodeOf: number): number {
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (Number(f[9]) === inodeOf) return Number(f[12]);
  }
  throw new Error(`inode ${inodeOf} not in /proc/net/udp`);
}

for (const source of ['netlink', 'ss'] as const)
test(`a UDP reader that drops: analyze shows its queue, rcvbuf and drops under a UDP heading, JSON carries them, a one-shot note says it is full (--source ${source})`, async (t) => {
  const r = await startReader(t);
  await burst(r.port);
  await new Promise((res) => setTimeout(res, 100));

  const snap = await createSource(source).collect({ port: r.port, protocols: ['tcp', 'udp'], processes: 'all', details: true });
  const report = buildAnalyzeReport(snap, { port: r.port });
  assert.equal(report.listeners.length, 1);
  const l = report.listeners[0] as AnalyzeListener;
  const sock = snap.sockets.find((s) => s.protocol === 'udp' && s.local.port === r.port)!;
  const drops = procDrops(sock.inode!);
  assert.ok(drops > 0, 'the burst made the kernel drop (the test needs drops)');
  assert.equal(l.protocol, 'udp');
  assert.equal(l.rcvbuf, r.rcvbuf, 'skmem rb is what getsockopt(SO_RCVBUF) returns in the owner');
  assert.equal(l.drops, drops);
  assert.ok(l.recvQBytes! >= 0.9 * r.rcvbuf, `queue ${l.recvQBytes} of ${r.rcvbuf}`);
  assert.equal(l.acceptQueue, l.recvQBytes, 'acceptQueue keeps what it carried for UDP (compatibility)');
  assert.deepEqual(l.process, { pid: r.pid, name: 'python3', fd: r.fd });

  const text = formatAnalyzeReport(report);
  assert.doesNotMatch(text, /accept queue/, 'no accept queue for a UDP socket');
  assert.doesNotMatch(text, /^Listeners$/m, 'no TCP listener table on a UDP-only port');
  assert.match(text, /^UDP sockets \(bound, not connected\)$/m);
  assert.match(text, /│ address\s+│ port\s+│ recv queue\s+│ rcvbuf\s+│ fill\s+│ drops\s+│ process\s+│/);
  const row = text.split('\n').find((x) => x.includes(`│ ${r.port} `))!;
  assert.match(row, new RegExp(`│ 127\\.0\\.0\\.1 +│ ${r.port} +│ [\\d.]+ KiB +│ 8 KiB +│ 9\\d% full +│ ${drops} +│ python3/${r.pid} fd ${r.fd} +│`), row);
  const note = report.notes.find((n) => n.startsWith(`UDP 127.0.0.1:${r.port}`));
  assert.ok(note, report.notes.join('\n'));
  assert.match(note!, new RegExp(`^UDP 127\\.0\\.0\\.1:${r.port} \\(pid ${r.pid} fd ${r.fd}\\): its receive queue is full \\([\\d.]+ KiB queued of rcvbuf 8 KiB \\(9\\d%\\)\\) and the kernel has dropped ${drops} datagrams on it since it was opened \\(sk_drops\\)`));
  assert.match(note!, new RegExp(`sockscope analyze --port ${r.port} --samples 5 --sample-interval 1s`));
  // In the text, beside its row (before the recommendations, which are TCP's "normal" lines here), not as a last note.
  assert.ok(text.indexOf(`  ! UDP 127.0.0.1:${r.port} (pid ${r.pid} fd ${r.fd}): its receive queue is full`) > text.indexOf(row), text);
  assert.ok(text.indexOf(`  ! UDP 127.0.0.1:${r.port}`) < text.indexOf('Recommendations'), text);
  assert.doesNotMatch(text, /^note: UDP /m);

  // With a series the rules judge the drops: no one-shot note.
  assert.equal(buildAnalyzeReport(snap, { port: r.port }, [snap, snap]).notes.filter((n) => n.startsWith('UDP ')).length, 0);

  // sockscope --json: the same fields on ports[].listeners, valid against its schema (built here from the
  // snapshot with socket memory; the command itself collects without it: null, as the schema says).
  const doc = SnapshotReportSchema.parse(buildSnapshotReport(snap, [], { port: r.port }));
  const pl = doc.ports.find((p) => p.protocol === 'udp' && p.port === r.port)!.listeners[0];
  assert.deepEqual([pl.recvQBytes, pl.rcvbuf, pl.drops], [l.recvQBytes, r.rcvbuf, drops]);
  const plain = await createSource(source).collect({ port: r.port, protocols: ['tcp', 'udp'], processes: 'all', attribution: 'targeted' });
  const pj = SnapshotReportSchema.parse(buildSnapshotReport(plain, [], { port: r.port })).ports.find((p) => p.protocol === 'udp')!.listeners[0];
  assert.deepEqual([pj.recvQBytes! > 0, pj.rcvbuf, pj.drops], [true, null, null]);

  // The monitor's column: QUEUE, and the UDP cell says bytes.
  assert.equal(PORT_COLUMNS.find((c) => c.id === 'queue')!.title, 'QUEUE');
  const summary = summarizePorts(snap.sockets).find((p) => p.protocol === 'udp' && p.port === r.port)!;
  assert.match(listenQueue(summary), /^[\d.]+ KiB$/);
});

test('netstat: neither rcvbuf nor drops (null, "?"), and no note claims anything it cannot see', async (t) => {
  const r = await startReader(t);
  await burst(r.port);
  await new Promise((res) => setTimeout(res, 100));
  const snap = await createSource('netstat').collect({ port: r.port, protocols: ['tcp', 'udp'], processes: 'all', details: true });
  const report = buildAnalyzeReport(snap, { port: r.port });
  const l = report.listeners[0] as AnalyzeListener;
  assert.deepEqual([l.protocol, l.recvQBytes! > 0, l.rcvbuf, l.drops], ['udp', true, null, null]);
  const row = formatAnalyzeReport(report).split('\n').find((x) => x.includes(`│ ${r.port} `))!;
  assert.match(row, /│ [\d.]+ KiB +│ \? +│ \? +│ \? +│/, row);
  assert.equal(report.notes.filter((n) => n.startsWith('UDP ')).length, 0);
});

test('procfs: no socket memory, so rcvbuf is unknown (null, "?"), while /proc/net/udp still gives the drops', async (t) => {
  const r = await startReader(t);
  await burst(r.port);
  await new Promise((res) => setTimeout(res, 100));
  const snap = await createSource('procfs').collect({ port: r.port, protocols: ['tcp', 'udp'], processes: 'all', details: true });
  const report = buildAnalyzeReport(snap, { port: r.port });
  const l = report.listeners[0] as AnalyzeListener;
  const sock = snap.sockets.find((s) => s.protocol === 'udp' && s.local.port === r.port)!;
  assert.equal(l.rcvbuf, null);
  assert.equal(l.drops, procDrops(sock.inode!));
  assert.ok(l.drops! > 0);
  const row = formatAnalyzeReport(report).split('\n').find((x) => x.includes(`│ ${r.port} `))!;
  assert.match(row, new RegExp(`│ [\\d.]+ KiB +│ \\? +│ \\? +│ ${l.drops} +│`), row);
  // Dropped, full unknown: the note gives the total and the way to see whether it rises.
  assert.ok(report.notes.some((n) => n.includes(`the kernel has dropped ${l.drops} datagrams on it since it was opened (sk_drops)`) && n.includes('The counter is a total')), report.notes.join('\n'));
});

test('a port with a TCP listener and UDP sockets: the Listeners table is TCP only, each UDP socket has its row, an IPv6 one its bracketed, escaped note', async () => {
  const { fakeSnapshot, listener, proc, udp } = await import('../helpers/fake-snapshot.js');
  const skmem = (r: number, rb: number, d: number) => ({ rmemAlloc: r, rcvbuf: rb, wmemAlloc: 0, sndbuf: 212992, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops: d });
  const tcpL = listener('0.0.0.0:5353', 128, 0, [proc(10, 'dnsd', 5)]);
  const v4 = udp('0.0.0.0:5353', { inode: 101, recvQ: 100, skmem: skmem(100, 212992, 0), processes: [proc(10, 'dnsd', 6)] });
  // Full, with drops, on a zoned link-local address whose interface name carries an escape sequence.
  const v6 = udp('[fe80::1]:5353', { inode: 102, ipVersion: 6, local: { address: 'fe80::1', port: 5353, scope: 'v\u001b[31m' }, recvQ: 7488, skmem: skmem(7488, 8192, 12), processes: [proc(10, 'dnsd', 7)] });
  const report = buildAnalyzeReport(fakeSnapshot({ sockets: [tcpL, v4, v6] }), { port: 5353 });
  const byFd = (fd: number) => report.listeners.find((l) => l.process?.fd === fd) as AnalyzeListener;
  assert.equal(byFd(5).recvQBytes, undefined, 'no UDP fields on a TCP listener');
  assert.deepEqual([byFd(6).recvQBytes, byFd(6).rcvbuf, byFd(6).drops], [100, 212992, 0]);
  assert.deepEqual([byFd(7).recvQBytes, byFd(7).rcvbuf, byFd(7).drops], [7488, 8192, 12]);
  const text = formatAnalyzeReport(report);
  assert.ok(!text.includes('\u001b'), text);
  const listeners = text.slice(text.indexOf('\nListeners\n'), text.indexOf('\nUDP sockets ('));
  assert.match(listeners, /│ tcp +│ 0\.0\.0\.0 +│ 5353 +│ 128 +│ 0\/128 +│ dnsd\/10 +│/);
  assert.doesNotMatch(listeners, /udp/);
  assert.match(text, /│ 0\.0\.0\.0 +│ 5353 +│ 100 B +│ 208 KiB +│ 0% +│ 0 +│ dnsd\/10 fd 6 +│/);
  assert.match(text, /│ fe80::1%v\\x1b\[31m +│ 5353 +│ 7\.31 KiB +│ 8 KiB +│ 91% full +│ 12 +│ dnsd\/10 fd 7 +│/);
  assert.match(text, /^ {2}! UDP \[fe80::1%v\\x1b\[31m\]:5353 \(pid 10 fd 7\): its receive queue is full \(7\.31 KiB queued of rcvbuf 8 KiB \(91%\)\) and the kernel has dropped 12 datagrams/m);
  assert.equal(report.notes.filter((n) => n.startsWith('UDP ')).length, 1, 'the empty, drop-free socket gets no note');
});

test('a whole-host analyze with many dropping UDP sockets: 10 notes, full ones first, then one line for the rest', async () => {
  const { fakeSnapshot, udp } = await import('../helpers/fake-snapshot.js');
  const skmem = (r: number, rb: number, d: number) => ({ rmemAlloc: r, rcvbuf: rb, wmemAlloc: 0, sndbuf: 212992, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops: d });
  const sockets = Array.from({ length: 25 }, (_, i) => udp(`127.0.0.1:${20000 + i}`, { inode: 500 + i, recvQ: 0, skmem: skmem(0, 212992, i + 1) }));
  sockets.push(udp('127.0.0.1:21000', { inode: 999, recvQ: 7488, skmem: skmem(7488, 8192, 0) }));
  const notes = buildAnalyzeReport(fakeSnapshot({ sockets }), {}).notes.filter((n) => /^UDP |more UDP sockets/.test(n));
  assert.equal(notes.length, 11);
  assert.match(notes[0], /^UDP 127\.0\.0\.1:21000: its receive queue is full/);
  assert.match(notes[1], /^UDP 127\.0\.0\.1:20024: the kernel has dropped 25 datagrams/);
  assert.equal(notes[10], '16 more UDP sockets are full or have dropped datagrams: see the UDP sockets table (fill, drops).');
});
