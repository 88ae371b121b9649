// TCP_MAXSEG set on a listener clamps the MSS of every connection it accepts to the value less the 12 bytes of the
// timestamp option; the unusual line said "988 for 1000" whatever the value (review s23 #6). A python3 listener with
// TCP_MAXSEG 1200 and a client it accepted: the line now says 1188, which the accepted connection's own MSS shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { formatInspect, runInspect } from '../../src/cli/commands/inspect-options-run.js';

const HOLDER = `
import socket as S, os, time
l = S.socket(); l.setsockopt(S.IPPROTO_TCP, S.TCP_MAXSEG, 1200); l.bind(('127.0.0.1', 0)); l.listen(8)
c = S.create_connection(l.getsockname()); a, _ = l.accept()
print(os.getpid(), f'listener={l.fileno()}', f'accepted={a.fileno()}', f'mss={a.getsockopt(S.IPPROTO_TCP, S.TCP_MAXSEG)}', flush=True)
time.sleep(60)`;

test('TCP_MAXSEG 1200 on a listener: the clamp is said as 1188 with timestamps, the MSS its accepted connection has', { timeout: 30_000 }, async (t) => {
  const h = labelledFds(await holderLine(t, ['python3', '-c', HOLDER]));
  const text = formatInspect(await runInspect({ pid: h.pid, 'socket-fd': h.fd.listener, options: 'TCP_MAXSEG', source: 'netlink' }));
  assert.match(text, /! TCP_MAXSEG 1200 on a listener: the MSS of every accepted connection is clamped to 1200 bytes \(1188 with TCP timestamps on/, text);
  assert.doesNotMatch(text, /988/);
  // The kernel agrees: the accepted connection's MSS (loopback, timestamps on by default).
  assert.equal(h.fd.mss, 1188);
});
