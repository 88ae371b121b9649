// TCP_KEEPCNT asked for alone on a socket with TCP_USER_TIMEOUT set: inspect-options said "3 unanswered probes drop
// the connection" while the full read said TCP_USER_TIMEOUT overrides the count. The count's meaning depends on
// TCP_USER_TIMEOUT (tcp_keepalive_timer ignores the count when it is set) and on TCP_KEEPIDLE/TCP_KEEPINTVL (the
// dead-peer time): they are read along with it, marked "not asked for", and the answer is the full read's.
// Real sockets of a python3 process, read through the built CLI. Needs root (pidfd_getfd of another process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sockscope } from '../collect/getsockopt-helpers.js';
import { startPythonHolder } from '../helpers/python-holder.js';
import { interpretOption } from '../../src/knowledge/interpret-options.js';

const HOLDER = String.raw`
import json, os, socket, sys, threading
def ka(uto):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 33)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 7)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    s.setsockopt(socket.IPPROTO_TCP, 18, uto)  # TCP_USER_TIMEOUT
    return s
uto, plain = ka(12345), ka(0)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(('127.0.0.1', 0))
print(json.dumps({'pid': os.getpid(), 'uto': uto.fileno(), 'plain': plain.fileno(), 'udp': udp.fileno(), 'udpPort': udp.getsockname()[1], 'readBack': uto.getsockopt(socket.IPPROTO_TCP, 18)}), flush=True)
threading.Timer(60, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

interface Row {
  name: string;
  value?: unknown;
  meaning?: string;
  readBecause?: string;
}

function rows(pid: number, fd: number, options?: string): Row[] {
  const r = sockscope(['inspect-options', '--pid', String(pid), '--socket-fd', String(fd), ...(options ? ['--options', options] : []), '--json']);
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { options: Row[] }).options;
}

test('--options TCP_KEEPCNT reads TCP_USER_TIMEOUT, TCP_KEEPIDLE and TCP_KEEPINTVL too, and says what the full read says (real sockets)', { timeout: 60_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, "this test borrows another process's sockets and must run as root (as the CI does)");
  const h = await startPythonHolder<{ pid: number; uto: number; plain: number; udp: number; udpPort: number; readBack: number }>(t, HOLDER);
  assert.equal(h.readBack, 12345);

  const asked = rows(h.pid, h.uto, 'TCP_KEEPCNT');
  const byName = new Map(asked.map((r) => [r.name, r]));
  assert.deepEqual(
    asked.map((r) => [r.name, r.value, r.readBecause]).sort(),
    [
      ['SO_KEEPALIVE', true, 'TCP_KEEPCNT'],
      ['TCP_KEEPCNT', 3, undefined],
      ['TCP_KEEPIDLE', 33, 'TCP_KEEPCNT'],
      ['TCP_KEEPINTVL', 7, 'TCP_KEEPCNT'],
      ['TCP_USER_TIMEOUT', 12345, 'TCP_KEEPCNT'],
    ].sort(),
  );
  const cnt = byName.get('TCP_KEEPCNT')!.meaning!;
  // Not the count's verdict: the user timeout decides (probes at 33 s and 40 s; dropped at the first one after 12.3 s, 40 s).
  assert.doesNotMatch(cnt, /^3 unanswered probes drop the connection/);
  assert.match(cnt, /TCP_USER_TIMEOUT 12345 ms overrides the count: a dead peer is detected after about 40 s of silence/);
  // The same words as the full read: the output never contradicts itself.
  const full = new Map(rows(h.pid, h.uto).map((r) => [r.name, r]));
  assert.equal(cnt, full.get('TCP_KEEPCNT')!.meaning);

  const text = sockscope(['inspect-options', '--pid', String(h.pid), '--socket-fd', String(h.uto), '--options', 'TCP_KEEPCNT']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^TCP_USER_TIMEOUT +12345 ms +\[not asked for: read for TCP_KEEPCNT\]$/m);
  assert.doesNotMatch(text.stdout, /3 unanswered probes drop the connection/);

  // Without a user timeout the count decides: 33 + 3 * 7 = 54 s.
  const plain = new Map(rows(h.pid, h.plain, 'TCP_KEEPCNT').map((r) => [r.name, r]));
  assert.equal(plain.get('TCP_USER_TIMEOUT')!.value, 0);
  assert.equal(plain.get('TCP_KEEPCNT')!.meaning, '3 unanswered probes drop the connection (a dead peer is detected after 54 s of silence)');
  // On a UDP socket the options it would bring along do not apply either: only the asked one's line, not five.
  assert.deepEqual(
    rows(h.pid, h.udp, 'TCP_KEEPCNT').map((r) => [r.name, r.value, r.readBecause]),
    [['TCP_KEEPCNT', undefined, undefined]],
  );
  // The same as a user who cannot read the root process (the kernel's view only): the kind is known, so the asked option
  // does not apply (it said "needs getsockopt"), and nothing is brought along for it.
  const hidden = sockscope(['inspect-options', '--port', String(h.udpPort), '--options', 'TCP_KEEPCNT', '--json'], { uid: 65534 });
  assert.equal(hidden.status, 0, hidden.stderr);
  const fallback = JSON.parse(hidden.stdout) as { method: string; options: Row[]; missing: string[] };
  assert.equal(fallback.method, 'fallback');
  assert.deepEqual(fallback.options.map((r) => [r.name, (r as { missing?: string }).missing]), [['TCP_KEEPCNT', 'not applicable: TCP only; this is a udp socket']]);
  assert.ok(fallback.missing.some((m) => /^0 of 1 option need getsockopt on the socket itself and are unknown; 1 does not apply to this socket/.test(m)), fallback.missing.join('\n'));
  // Asked for by name, nothing is marked as brought along.
  assert.ok(rows(h.pid, h.uto, 'TCP_KEEPCNT,TCP_USER_TIMEOUT,TCP_KEEPIDLE,TCP_KEEPINTVL').every((r) => r.name === 'SO_KEEPALIVE' || r.readBecause === undefined));
});

test('TCP_KEEPCNT with TCP_USER_TIMEOUT not read (a library caller): the count is said to depend on it, not to decide alone', () => {
  const base = { state: 'ESTABLISHED', family: 'inet', sysctls: {} as never, extraSysctls: {} };
  const m = interpretOption('TCP_KEEPCNT', 3, { ...base, values: { SO_KEEPALIVE: true, TCP_KEEPIDLE: 33, TCP_KEEPINTVL: 7 } }).meaning;
  assert.match(m, /^3 unanswered probes drop the connection \(a dead peer is detected after 54 s of silence\), unless TCP_USER_TIMEOUT is set \(it was not read\)/);
  const bare = interpretOption('TCP_KEEPCNT', 3, { ...base, values: { SO_KEEPALIVE: true } }).meaning;
  assert.match(bare, /unless TCP_USER_TIMEOUT is set \(it was not read\)/);
});
