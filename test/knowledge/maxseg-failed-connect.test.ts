// A socket whose connect() failed (SYN_SENT timed out: the peer's accept queue was full) and that its process still
// holds, in CLOSE: TCP_MAXSEG reads the clamp connect() gave (524 on IPv4, 1208 on IPv6) with nothing set, which
// read as "set before connect()"; and the missing note said "closed meanwhile?" of a socket the process holds.
// TCP_SYNCNT 1 makes the connect give up after about 3 s instead of about 2 min.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPythonHolder } from '../helpers/python-holder.js';
import { inspectSocketOptions } from '../../src/collect/getsockopt.js';
import { buildOptionsReport } from '../../src/knowledge/interpret-options.js';

const HOLDER = String.raw`
import json, os, socket as S, sys, time
keep = []
def failed(fam, addr):
    l = S.socket(fam, S.SOCK_STREAM); l.bind((addr, 0)); l.listen(0); keep.append(l)
    c = S.socket(fam, S.SOCK_STREAM); c.connect(l.getsockname()[:2]); keep.append(c)
    time.sleep(0.1)
    f = S.socket(fam, S.SOCK_STREAM); f.setsockopt(S.IPPROTO_TCP, S.TCP_SYNCNT, 1); f.setblocking(False); keep.append(f)
    try: f.connect(l.getsockname()[:2])
    except BlockingIOError: pass
    return f
f4 = failed(S.AF_INET, '127.0.0.1'); f6 = failed(S.AF_INET6, '::1')
import select
# Writable once the connect has failed (about 3 s); SO_ERROR is not read (reading clears it).
for _ in range(100):
    time.sleep(0.1)
    if all(select.select([], [x], [], 0)[1] for x in (f4, f6)): break
print(json.dumps({'pid': os.getpid(), 'f4': f4.fileno(), 'f6': f6.fileno()}), flush=True)
sys.stdin.read()
`;

test('TCP_MAXSEG of a socket whose connect() failed is the unset default; the missing note says CLOSE', { timeout: 30_000 }, async (t) => {
  assert.equal(process.getuid?.(), 0, "this test borrows another process's sockets and must run as root (as the CI does)");
  const h = await startPythonHolder<{ pid: number; f4: number; f6: number }>(t, HOLDER);
  for (const [fd, expect] of [['f4', 524], ['f6', 1208]] as const) {
    const r = await inspectSocketOptions({ pid: h.pid, fd: h[fd], options: ['TCP_MAXSEG', 'TCP_INFO'] });
    assert.equal(r.method, 'pidfd_getfd', r.methodNote);
    assert.equal(r.socket.state, 'CLOSE', fd);
    const { rows } = buildOptionsReport(r);
    const mss = rows.find((x) => x.name === 'TCP_MAXSEG')!;
    assert.equal(mss.value, expect, fd);
    assert.doesNotMatch(mss.meaning, /set before connect/, fd);
    assert.match(mss.meaning, /not set; the kernel's default clamp left by a connect\(\) that never completed/, fd);
    const note = r.missing.find((m) => m.includes('did not list'));
    assert.ok(note, `${fd}: ${JSON.stringify(r.missing)}`);
    assert.doesNotMatch(note, /closed meanwhile/);
    assert.match(note, /the process still holds it, in state CLOSE/);
  }
});
