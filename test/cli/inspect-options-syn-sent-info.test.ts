// inspect-options' TCP_INFO on a connect() still in SYN_SENT called its SYN retransmissions "loss or congestion on
// the path", and showed "rtt 0.000/250.000 ms" as if measured (review s23 #3). A real unanswered SYN: a loopback
// listener with listen(0) whose one queue place is taken drops the next SYN, so a non-blocking connect() stays in
// SYN_SENT and retransmits (after 1 s). The meaning now speaks of unanswered SYNs and what to check; no rtt is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holderLine, labelledFds } from '../helpers/holder-line.js';
import { formatInspect, runInspect } from '../../src/cli/commands/inspect-options-run.js';

const HOLDER = `
import socket as S, os, time
l = S.socket(); l.bind(('127.0.0.1', 0)); l.listen(0)
h = S.create_connection(l.getsockname()); time.sleep(0.2)
c = S.socket(); c.setblocking(False)
try: c.connect(l.getsockname())
except BlockingIOError: pass
time.sleep(2.5)
print(os.getpid(), f'syn={c.fileno()}', f'port={l.getsockname()[1]}', flush=True)
time.sleep(60)`;

test('TCP_INFO in SYN_SENT with retransmitted SYNs: unanswered SYNs and what to check, no rtt as measured', { timeout: 30_000 }, async (t) => {
  const h = labelledFds(await holderLine(t, ['python3', '-c', HOLDER]));
  const text = formatInspect(await runInspect({ pid: h.pid, 'socket-fd': h.fd.syn, options: 'TCP_INFO', source: 'netlink' }));
  assert.match(text, /^TCP_INFO +state SYN_SENT, rtt no sample yet, cwnd/m, text);
  assert.doesNotMatch(text, /rtt 0\.000/);
  assert.doesNotMatch(text, /loss or congestion on the path/);
  assert.match(text, new RegExp(`connect\\(\\) has sent its SYN to 127\\.0\\.0\\.1:${h.fd.port} and waits for the SYN-ACK; the SYN was retransmitted \\d+ time\\(s\\)`), text);
  assert.match(text, /! the SYN to 127\.0\.0\.1:\d+ was sent \d+ times and not answered: no SYN-ACK and no reset came back\. Check the server's accept queue \(a full one drops SYNs/);
});
