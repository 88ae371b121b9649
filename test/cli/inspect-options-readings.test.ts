// What `inspect-options` reads besides the names it is given, on real sockets of a python3 process: SO_BINDTOIFINDEX
// as itself (the index, not SO_BINDTODEVICE's name), SO_KEEPALIVE beside a keepalive setting whose meaning
// depends on it, SO_BROADCAST not applied to a unix datagram socket, tcp_info's pacing rates as numbers, and the
// fdinfo line of a non-dumpable process of the caller's own uid (socket-holder.c). Needs root, python3, setpriv.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { requireSetpriv, startSocketHolder } from '../helpers/socket-holder.js';

/** A uid no other test uses, so its processes are this file's alone. */
const UID = 64713;

// Sockets with known settings; prints {pid, fds..., own readings} and stays until stdin closes (at most 60 s).
const HOLDER = String.raw`
import json, os, socket, sys, threading
SO_BINDTOIFINDEX = 62
dev = socket.socket(); dev.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'lo'); dev.bind(('127.0.0.1', 0)); dev.listen(8)
nodev = socket.socket(); nodev.bind(('127.0.0.1', 0)); nodev.listen(8)
ka_on = socket.socket(); ka_on.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1); ka_on.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 45)
ka_on.connect(nodev.getsockname()); a1, _ = nodev.accept()
ka_off = socket.socket(); ka_off.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 45)
ka_off.connect(nodev.getsockname()); a2, _ = nodev.accept()
for _ in range(20):
    ka_on.sendall(b'x' * 65536); a1.recv(1 << 20)
a1.sendall(b'y' * 1000); ka_on.recv(4096)
ud = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print(json.dumps({'pid': os.getpid(), 'dev': dev.fileno(), 'nodev': nodev.fileno(), 'kaOn': ka_on.fileno(), 'kaOff': ka_off.fileno(), 'unixDgram': ud.fileno(),
  'devIndex': dev.getsockopt(socket.SOL_SOCKET, SO_BINDTOIFINDEX), 'nodevIndex': nodev.getsockopt(socket.SOL_SOCKET, SO_BINDTOIFINDEX), 'loIndex': socket.if_nametoindex('lo')}), flush=True)
threading.Timer(60, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

interface Holder {
  pid: number;
  dev: number;
  nodev: number;
  kaOn: number;
  kaOff: number;
  unixDgram: number;
  devIndex: number;
  nodevIndex: number;
  loIndex: number;
}

// One python3 holder for the tests below, started by the first that needs it, killed after the last.
let holder: Promise<Holder> | undefined;
let stopHolder = () => {};
after(() => stopHolder());

function startHolder(): Promise<Holder> {
  assert.equal(process.getuid?.(), 0, 'these tests borrow another process\'s sockets and must run as root (as the CI does)');
  holder ??= new Promise<Holder>((resolve, reject) => {
    const child = spawn('python3', ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'inherit'] });
    stopHolder = () => {
      child.stdin!.end();
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => reject(new Error('python3 holder not ready in 10 s')), 10_000);
    createInterface({ input: child.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(JSON.parse(l));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`python3 exited with ${code}`)));
  });
  return holder;
}

interface Row {
  name: string;
  value?: unknown;
  meaning?: string;
  missing?: string;
  readBecause?: string;
}
interface Doc {
  options: Row[];
  tcpInfo?: Record<string, unknown>;
  fdFlags: { missing?: string };
}

function inspect(pid: number, fd: number, options: string, uid?: number): Doc {
  const r = sockscope(['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), '--options', options, '--json'], uid === undefined ? {} : { uid });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Doc;
}

test('--options SO_BINDTOIFINDEX reads the interface index (optname 62) under its own name, not SO_BINDTODEVICE\'s name (real sockets)', { timeout: 60_000 }, async () => {
  const h = await startHolder();
  // The index the process itself reads with optname 62.
  assert.equal(h.devIndex, h.loIndex);
  const dev = inspect(h.pid, h.dev, 'SO_BINDTOIFINDEX').options;
  assert.deepEqual(dev.map((o) => [o.name, o.value]), [['SO_BINDTOIFINDEX', h.devIndex]]);
  assert.deepEqual(inspect(h.pid, h.nodev, 'so_bindtoifindex').options.map((o) => [o.name, o.value]), [['SO_BINDTOIFINDEX', h.nodevIndex]]);
  assert.equal(h.nodevIndex, 0);
  const both = inspect(h.pid, h.dev, 'SO_BINDTODEVICE,SO_BINDTOIFINDEX').options;
  assert.deepEqual(both.map((o) => [o.name, o.value]), [['SO_BINDTODEVICE', 'lo'], ['SO_BINDTOIFINDEX', h.devIndex]]);
  const text = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.dev), '--options', 'SO_BINDTOIFINDEX']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^SO_BINDTOIFINDEX +${h.devIndex}$`, 'm'));
  // Its meaning (review s11 knowledge item 10): the index, with the name when SO_BINDTODEVICE was read; 0 unbound
  assert.equal(dev[0].meaning, `bound to the interface with index ${h.devIndex} (ip -o link)`);
  assert.equal(both[1].meaning, `bound to the interface with index ${h.devIndex} (ip -o link): lo`);
  assert.equal(inspect(h.pid, h.nodev, 'SO_BINDTOIFINDEX').options[0].meaning, 'not bound to an interface');
});

test('a keepalive setting asked for alone reads SO_KEEPALIVE too: its meaning says on or off, not "if SO_KEEPALIVE is on" (real sockets)', { timeout: 60_000 }, async () => {
  const h = await startHolder();
  for (const name of ['TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT']) {
    const rows = inspect(h.pid, h.kaOn, name).options;
    const last = rows[rows.length - 1];
    assert.deepEqual([rows[0], last].map((o) => [o.name, o.value, o.readBecause]), [['SO_KEEPALIVE', true, name], [name, last.value, undefined]]);
    // TCP_KEEPCNT also brings TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_USER_TIMEOUT (inspect-options-keepcnt-user-timeout.test.ts).
    if (name !== 'TCP_KEEPCNT') assert.equal(rows.length, 2);
  }
  const on = inspect(h.pid, h.kaOn, 'TCP_KEEPIDLE').options[1];
  assert.equal(on.value, 45);
  assert.equal(on.meaning, 'first keepalive probe after 45 s idle');
  const off = inspect(h.pid, h.kaOff, 'TCP_KEEPIDLE').options;
  assert.deepEqual(off.map((o) => [o.name, o.value]), [['SO_KEEPALIVE', false], ['TCP_KEEPIDLE', 45]]);
  assert.match(off[1].meaning!, /\(unused: SO_KEEPALIVE is off\)/);
  // TCP_KEEPCNT says so too (it said "N unanswered probes drop the connection" with keepalive off)
  const cnt = inspect(h.pid, h.kaOff, 'TCP_KEEPCNT').options.find((o) => o.name === 'TCP_KEEPCNT')!;
  assert.match(cnt.meaning!, /^\d+ unanswered probes drop the connection \(unused: SO_KEEPALIVE is off\)$/);
  // Named by the caller, it is not marked as added; the text says why an added one is there.
  assert.equal(inspect(h.pid, h.kaOn, 'SO_KEEPALIVE,TCP_KEEPIDLE').options[0].readBecause, undefined);
  const kaText = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.kaOn), '--options', 'TCP_KEEPIDLE']);
  assert.match(kaText.stdout, /^SO_KEEPALIVE +on \(1\)  \[not asked for: read for TCP_KEEPIDLE\]$/m);
});

test('SO_BROADCAST is not applicable to a unix datagram socket (IP broadcast only; Linux accepts and ignores it) (real socket)', { timeout: 60_000 }, async () => {
  const h = await startHolder();
  const ud = inspect(h.pid, h.unixDgram, 'SO_BROADCAST').options[0];
  assert.equal(ud.value, undefined);
  assert.equal(ud.missing, 'not applicable: IP datagram sockets only (UDP); this is a unix dgram socket');
});

test('--json tcpInfo.pacingRate is a number (bytes per second) like deliveryRate; the default maxPacingRate is unlimited (null) (real connection)', { timeout: 60_000 }, async () => {
  const h = await startHolder();
  const ti = inspect(h.pid, h.kaOn, 'TCP_INFO').tcpInfo!;
  assert.equal(typeof ti.pacingRate, 'number', `pacingRate ${JSON.stringify(ti.pacingRate)}`);
  assert.ok((ti.pacingRate as number) > 0);
  assert.equal(ti.maxPacingRate, null, 'no SO_MAX_PACING_RATE: unlimited');
  assert.equal(typeof ti.deliveryRate, 'number');
});

test('a non-dumpable process of the caller\'s own uid: the fdinfo line says why, not "only root or the owner" (real process)', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, 'this test runs processes as another uid with setpriv and must run as root (as the CI does)');
  requireSetpriv();
  const h = await startSocketHolder({ uid: UID, undumpable: true });
  t.after(() => h.stop());
  const r = inspect(h.pid, h.listenFd, 'TCP_NODELAY', UID);
  assert.equal(r.fdFlags.missing, `not permitted: pid ${h.pid} is yours (uid ${UID}) but not dumpable, so /proc/${h.pid}/fdinfo/${h.listenFd} is readable only by root (CAP_SYS_PTRACE): O_NONBLOCK and other fd flags unknown`);
});
