// The sockscope commands inside rule texts ignored --host: after `sockscope analyze --port 9999 --host web1`,
// udp-receive-errors said `sockscope analyze --port 9999 --samples 5 --source netlink` (refused under --host, the
// local machine without it) and `sockscope analyze --samples 5 (without --port) names it`; close-wait-accumulating's
// unattributed owner said `sockscope analyze --port N names it` (printed by `sockscope --host web1` too). A rule now
// puts the context's repeat flags (the report's ReportScope.repeat, the monitor's host: report/analyze.ts
// repeatFlags) in every command it suggests, and on a remote snapshot never --source netlink (this machine's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { repeatFlags } from '../../src/report/analyze.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { fakeHistory, fakeSnapshot, incoming, listener, proc, udp } from '../helpers/fake-snapshot.js';

const remote = (s: Snapshot): Snapshot => ({ ...s, source: 'remote' });
const HOST = repeatFlags({ host: 'admin@web 1', sshConfig: '/tmp/my cfg' });

function udpFix(port: number, blindSocketOnPort: boolean, repeat: string | undefined, isRemote: boolean): string {
  const h = fakeHistory(4, (i) => ({
    snmp: { Udp: { InErrors: i * 300, RcvbufErrors: i * 300 } },
    sockets: [
      udp('0.0.0.0:514', { processes: [proc(88, 'rsyslogd')], skmem: { rmemAlloc: 212992, rcvbuf: 212992, wmemAlloc: 0, sndbuf: 212992, drops: i * 300 } }),
      ...(blindSocketOnPort ? [udp(`0.0.0.0:${port}`, { processes: [proc(90, 'app')] })] : []),
    ],
  })).map((s) => (isRemote ? remote(s) : s));
  const r = evaluateRules(makeContext({ snapshot: h[3], history: h, port, repeat })).find((x) => x.id === 'udp-receive-errors');
  assert.ok(r, 'udp-receive-errors fired');
  return r!.fix;
}

test('udp-receive-errors under --port on a remote snapshot names that host, never --source netlink', () => {
  assert.equal(HOST, " --host 'admin@web 1' --ssh-config '/tmp/my cfg'");
  // No UDP socket on the port: the drops are elsewhere.
  const elsewhere = udpFix(9999, false, HOST, true);
  assert.match(elsewhere, /Find the socket that drops: sockscope analyze --host 'admin@web 1' --ssh-config '\/tmp\/my cfg' --samples 5 \(without --port\) names it, or ss -uam \(skmem d = drops\) and sockscope --host 'admin@web 1' --ssh-config '\/tmp\/my cfg' --udp;/);
  // A socket on the port whose drops the source does not show: see whether it is this port.
  const blind = udpFix(9999, true, HOST, true);
  assert.ok(blind.includes("sockscope analyze --port 9999 --host 'admin@web 1' --ssh-config '/tmp/my cfg' --samples 5 (its drop counters); without --port, sockscope analyze --host 'admin@web 1' --ssh-config '/tmp/my cfg' --samples 5 names the sockets that drop"), blind);
  assert.doesNotMatch(blind, /--source netlink/);
  assert.doesNotMatch(elsewhere, /sockscope analyze --samples|sockscope --udp/);
});

test('udp-receive-errors on this machine keeps --source netlink for the drop counters; a typed --source repeats elsewhere', () => {
  const blind = udpFix(9999, true, undefined, false);
  assert.ok(blind.includes('sockscope analyze --port 9999 --samples 5 --source netlink (its drop counters); without --port, sockscope analyze --samples 5 names the sockets'), blind);
  const typed = udpFix(9999, false, repeatFlags({ source: 'ss' }), false);
  assert.match(typed, /sockscope analyze --source ss --samples 5 \(without --port\) names it, or ss -uam \(skmem d = drops\) and sockscope --source ss --udp;/);
});

test('close-wait-accumulating: an owner not attributed in this view is named by a command on the same host', () => {
  const sockets = [listener('0.0.0.0:8083', 128, 0, [proc(100, 'server')], { inode: 1 }), ...incoming(15, '10.0.0.1:8083', 'CLOSE_WAIT', { inode: 7 })];
  const snap = remote({ ...fakeSnapshot({ sockets }), attribution: { scope: 'listeners', complete: true, hiddenProcesses: 0 } });
  const r = evaluateRules(makeContext({ snapshot: snap, repeat: repeatFlags({ host: 'web1' }) })).find((x) => x.id === 'close-wait-accumulating');
  assert.ok(r);
  assert.match(r!.message, /\(not attributed in this view: sockscope analyze --port 8083 --host web1 names it; probably server \(pid 100\)/);
  // Locally, without flags, as before.
  const local = evaluateRules(makeContext({ snapshot: { ...snap, source: 'netlink' } })).find((x) => x.id === 'close-wait-accumulating');
  assert.match(local!.message, /\(not attributed in this view: sockscope analyze --port 8083 names it;/);
});
