// Send-Q / Recv-Q persistently large on established sockets: the peer or the application is not reading.
import type { Snapshot } from '../../model/snapshot.js';
import type { Socket } from '../../model/socket.js';
import { factsOf, groupLabel, groupPortFields, socketKey, type ConnGroup } from '../facts.js';
import { describeProcesses, fmtBytes, uniqueProcesses } from '../format.js';
import type { Rule } from '../rule.js';
import { hasPersistence, recentOf } from '../series.js';
import { th } from '../thresholds.js';
import type { Recommendation, RuleContext } from '../types.js';
import { ssFilter } from './common.js';

function endpoint(a: string, p: number): string {
  return a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`;
}

/** The socket's samples over the recent snapshots (null where it was absent). */
function samplesOf(recent: readonly Snapshot[], s: Socket): (Socket | null)[] {
  const k = socketKey(s);
  return recent.map((snap) => factsOf(snap).byKey.get(k) ?? null);
}

interface Stuck {
  s: Socket;
  stalled: boolean;
}

function findStuck(ctx: RuleContext, g: ConnGroup, which: 'recvQ' | 'sendQ'): Stuck[] {
  const min = th(ctx, 'queueBytes');
  const recent = recentOf(ctx);
  const out: Stuck[] = [];
  for (const s of g.sockets) {
    if (s.state !== 'ESTABLISHED' || s[which] < min) continue;
    const samples = samplesOf(recent, s);
    if (samples.some((x) => x == null || x[which] < min)) continue;
    const first = samples[0]!;
    const progressKey = which === 'sendQ' ? 'bytesAcked' : 'bytesReceived';
    const p0 = first.tcpInfo?.[progressKey];
    const p1 = s.tcpInfo?.[progressKey];
    const unchanged = samples.every((x) => x![which] === s[which]);
    const noProgress = p0 != null && p1 != null ? p1 === p0 : unchanged;
    const persistTimer = which === 'sendQ' && s.timer?.name === 'persist';
    const stalled = noProgress || persistTimer;
    // A bulk sender keeps its send queue full while data flows: only a stalled send queue is a problem.
    if (which === 'sendQ' && !stalled) continue;
    out.push({ s, stalled });
  }
  return out.sort((a, b) => b.s[which] - a.s[which]);
}

function detail(x: Stuck, which: 'recvQ' | 'sendQ'): string {
  const s = x.s;
  const buf = which === 'recvQ' ? s.skmem?.rcvbuf : s.skmem?.sndbuf;
  return `${endpoint(s.peer.address, s.peer.port)} ${which === 'recvQ' ? 'Recv-Q' : 'Send-Q'} ${fmtBytes(s[which])}${buf ? ` of ${which === 'recvQ' ? 'rcvbuf' : 'sndbuf'} ${fmtBytes(buf)}` : ''}${x.stalled ? ' (no progress)' : ''}${s.timer?.name === 'persist' ? ' (zero-window probes: timer persist)' : ''}`;
}

function makeRule(which: 'recvQ' | 'sendQ'): Rule {
  const recv = which === 'recvQ';
  const id = recv ? 'recv-q-persistent' : 'send-q-persistent';
  return {
    id,
    severities: ['warning'],
    scope: 'socket',
    topic: 'queues',
    summary: recv
      ? 'Established sockets keep at least queueBytes unread in Recv-Q for persistSamples samples: the owning application is not reading, or reads too slowly. Needs history.'
      : 'Established sockets keep at least queueBytes in Send-Q for persistSamples samples with no data acknowledged (or zero-window probes): the peer is not reading. Needs history.',
    thresholds: ['queueBytes', 'persistSamples'],
    evaluate(ctx) {
      if (!hasPersistence(ctx)) return [];
      const out: Recommendation[] = [];
      for (const g of factsOf(ctx.snapshot).groups.values()) {
        if (g.protocol !== 'tcp') continue;
        const stuck = findStuck(ctx, g, which);
        if (stuck.length === 0) continue;
        const procs = uniqueProcesses(stuck.map((x) => x.s.processes));
        const who = procs.length ? describeProcesses(procs) : 'the owning process';
        const n = recentOf(ctx).length;
        out.push({
          id,
          severity: 'warning',
          scope: 'socket',
          ...groupPortFields(g),
          ...(procs.length === 1 ? { pid: procs[0].pid } : {}),
          message: recv
            ? `${stuck.length} established connection${stuck.length === 1 ? '' : 's'} on ${groupLabel(g)} keep${stuck.length === 1 ? 's' : ''} data unread in Recv-Q: ${who} is not reading${stuck.every((x) => x.stalled) ? '' : ' fast enough'}`
            : `${stuck.length} established connection${stuck.length === 1 ? '' : 's'} on ${groupLabel(g)} cannot send: the peer is not reading (Send-Q stays full)`,
          evidence: `over ${n} samples, at least ${fmtBytes(th(ctx, 'queueBytes'))} each: ${stuck.slice(0, 3).map((x) => detail(x, which)).join('; ')}${stuck.length > 3 ? `; ${stuck.length - 3} more` : ''}`,
          fix: recv
            ? `Read until EAGAIN on every readiness event and never block the event loop or the reading thread; check for a stuck worker (strace -p PID -e trace=read,recvfrom,epoll_wait). Confirm: ss -tnm state established ${ssFilter(g)} (Recv-Q should drain to 0)`
            : 'Fix the reading side (the peer); on this side apply backpressure (stop writing when write() returns EAGAIN / Node write() returns false until "drain") and bound per-connection buffers; TCP_USER_TIMEOUT drops peers that stop reading for good. ' +
              `Confirm: ss -tnio state established ${ssFilter(g)} (Send-Q, timer:(persist))`,
        });
      }
      return out;
    },
  };
}

export const queueRules: readonly Rule[] = [makeRule('recvQ'), makeRule('sendQ')];
