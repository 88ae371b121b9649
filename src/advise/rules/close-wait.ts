// CLOSE_WAIT accumulating: the peer closed, this side's process never called close().
import { describeProcesses, fmtSeconds, uniqueProcesses } from '../format.js';
import { factsFor, groupLabel, groupPortFields, type ConnGroup } from '../facts.js';
import { hiddenOwnerUids, snapshotOwnerView } from '../../model/owner.js';
import type { Socket } from '../../model/socket.js';
import type { Snapshot } from '../../model/snapshot.js';
import { notYetHeld, type HealthCheck, type Rule } from '../rule.js';
import { persists, recentOf, sustainedGrowth, windowOf } from '../series.js';
import { th } from '../thresholds.js';
import { pastThreshold, type Recommendation, type RuleContext } from '../types.js';
import { confirmOn, contextLabel, countInContext, groupSeries, groupsInContext, ssFilter } from './common.js';

/**
 * What names a hidden owner: here, running as root (or as `who`); on a remote host (`remote`: the snapshot
 * of a --host, read by its ssh user's ss -p) logging in there as root or using sudo there, as the remote
 * snapshot's note says: "run as root" told a local root to do what it already did.
 */
export function nameItText(remote: boolean, who = 'its user'): string {
  return remote ? 'log in there as root, or use sudo there, to name it' : `run as root or as ${who} to name it`;
}

/** An owner held out of sight by its user: which uid, and what names it (`remote`: see nameItText). */
export function hiddenOwnerText(uids: readonly number[], remote = false): string {
  const who = uids.length === 1 ? `uid ${uids[0]}` : `uids ${uids.join(', ')}`;
  return `the owning process (hidden: another user's, ${who}; ${nameItText(remote, uids.length === 1 ? who : 'that user')})`;
}

/**
 * Why the owner of `sockets` (a group's, and its listener's) is not named, in words the reader can act on:
 * held by another user's process this user cannot read (the uid, and run as root); not looked for in
 * this view (the monitor's home view attributes listeners only: `analyze` names it); or hidden from a
 * source that shows no uid; else unknown. `g` is the group, for the analyze command to run.
 */
function unknownOwner(ctx: RuleContext, sockets: readonly Socket[] = [], g?: Pick<ConnGroup, 'direction' | 'port'>, guess?: string): string {
  const more = guess ? `; ${guess}` : '';
  const remote = ctx.snapshot.source === 'remote';
  const uids = hiddenOwnerUids(sockets, snapshotOwnerView(ctx.snapshot));
  if (uids.length > 0) return hiddenOwnerText(uids, remote).replace(/\)$/, `${more})`);
  const a = ctx.snapshot.attribution;
  if (a.scope !== 'all') {
    // Read where this snapshot was read (a remote one's --host), as report/analyze.ts's notes are.
    const analyze = `${g ? `sockscope analyze ${g.direction === 'in' ? '--port' : '--peer-port'} ${g.port}` : 'sockscope analyze'}${ctx.repeat ?? ''}`;
    return `the owning process (not attributed in this view: ${analyze} names it${more})`;
  }
  // Every socket looked for and some processes hidden, but the source shows no uid: it may be theirs.
  if (!a.complete && (sockets.length === 0 || sockets.some((s) => s.uid === undefined))) return `the owning process (hidden: ${nameItText(remote)}${more})`;
  return `an unknown process${guess ? ` (${guess})` : ''}`;
}

const closeWaitAccumulating: Rule = {
  id: 'close-wait-accumulating',
  severities: ['warning', 'critical'],
  scope: 'port',
  topic: 'close-wait',
  summary:
    'CLOSE_WAIT sockets pile up on a port (at least closeWaitCount, or growing by closeWaitGrowth over the window): the named process does not close sockets after the peer closed. Only a process seen holding them is named: where they are not attributed the listener\'s owner is named only as a guess (a forked worker may hold them); never-accepted ones are the listener\'s owner\'s to accept(). Critical at closeWaitCritical.',
  thresholds: ['closeWaitCount', 'closeWaitCritical', 'closeWaitGrowth', 'persistSamples', 'windowSeconds'],
  evaluate(ctx: RuleContext): Recommendation[] {
    const out: Recommendation[] = [];
    const facts = factsFor(ctx);
    const warnAt = th(ctx, 'closeWaitCount');
    const critAt = th(ctx, 'closeWaitCritical');
    const win = windowOf(ctx);
    for (const g of facts.groups.values()) {
      if (g.protocol !== 'tcp') continue;
      const now = g.states.CLOSE_WAIT;
      if (now === 0) continue;
      const count = (s: Snapshot) => factsFor(ctx, s).groups.get(g.key)?.states.CLOSE_WAIT ?? 0;
      const level = persists(ctx, (s) => count(s) >= warnAt);
      const growth = sustainedGrowth(groupSeries(ctx, win, g.key, (x) => x.states.CLOSE_WAIT), th(ctx, 'closeWaitGrowth'));
      if (!level && !growth) continue;
      const critical = persists(ctx, (s) => count(s) >= critAt);
      const cw = g.sockets.filter((s) => s.state === 'CLOSE_WAIT');
      // A connection still in the accept queue has no socket file yet: inode 0 (ss ino:0). In CLOSE_WAIT
      // it was never accepted (the peer gave up waiting); nobody can close it but accept().
      const queued = g.direction === 'in' ? cw.filter((s) => s.inode === 0).length : 0;
      const neverAccepted = queued === cw.length;
      let procs = uniqueProcesses(cw.map((s) => s.processes));
      let who: string;
      if (procs.length > 0) who = describeProcesses(procs);
      else {
        // No process seen holding them. Queued ones (inode 0) are the listener's to accept(): its owner is
        // named. Accepted ones may be held by any process the listener's owner handed them to (a forked
        // worker, SCM_RIGHTS): its owner is only a guess, worded as one, and no pid is given.
        const listeners = g.direction === 'in' ? (facts.listeners.get(`tcp:${g.port}`) ?? []) : [];
        const owners = uniqueProcesses(listeners.map((s) => s.processes));
        if (owners.length > 0 && neverAccepted) {
          procs = owners;
          who = `${describeProcesses(owners)} (the listener's owner)`;
        } else {
          const guess = owners.length > 0 ? `probably ${describeProcesses(owners)}, the listener's owner, or a process it handed them to` : undefined;
          who = unknownOwner(ctx, [...cw, ...listeners], g, guess);
        }
      }
      const label = groupLabel(g);
      const blame = neverAccepted
        ? `they were never accepted (the peers closed while they waited in the accept queue): ${who} does not accept() fast enough`
        : `${who} does not close sockets after the peer closed${queued > 0 ? ` (${queued} of them were never accepted)` : ''}`;
      const message = growth
        ? `CLOSE_WAIT grew from ${growth.from} to ${growth.to} in ${fmtSeconds(growth.seconds)} on ${label}: ${blame}`
        : `${now} sockets in CLOSE_WAIT on ${label}: ${blame}`;
      // The kernel's Recv-Q (rcv_nxt - copied_seq) counts the peer's FIN as 1 until the process reads up
      // to it: a CLOSE_WAIT socket with Recv-Q n > 0 holds n - 1 bytes of data and an unread EOF.
      let unread = 0;
      let eofUnread = 0;
      for (const s of cw) if (s.recvQ > 0) { unread += s.recvQ - 1; eofUnread++; }
      const peers = new Map<string, number>();
      for (const s of cw) peers.set(s.peer.address, (peers.get(s.peer.address) ?? 0) + 1);
      const topPeers = [...peers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([a, n]) => `${a} (${n})`).join(', ');
      const held = win.length > 1 ? `; over ${win.length} samples in ${fmtSeconds((win[win.length - 1].time - win[0].time) / 1000)}: ${groupSeries(ctx, win, g.key, (x) => x.states.CLOSE_WAIT).map((p) => p.value).join(' -> ')}` : '';
      out.push({
        id: this.id,
        severity: critical ? 'critical' : 'warning',
        scope: 'port',
        ...groupPortFields(g),
        ...pastThreshold(growth && !level ? growth.to - growth.from : now, growth && !level ? th(ctx, 'closeWaitGrowth') : critical ? critAt : warnAt),
        ...(procs.length === 1 ? { pid: procs[0].pid } : {}),
        message,
        evidence:
          `CLOSE_WAIT ${now} on ${label} (warning at ${warnAt}, critical at ${critAt})${held}; ` +
          (queued > 0 ? `${queued} of ${cw.length} never accepted (still in the accept queue: no socket file, ino:0); ` : '') +
          `${unread} bytes of data unread in their Recv-Q; ${eofUnread} of ${cw.length} have not read up to the peer's EOF (Recv-Q counts its FIN as 1); peers: ${topPeers}`,
        fix: neverAccepted
          ? 'Accept faster: keep the accept loop free of slow work (hand connections to workers/threads), add workers, or accept in a loop until EAGAIN with a non-blocking listener; ' +
            'then close each connection whose read returns 0 (EOF). ' +
            `${confirmOn(ctx)}ss -ltn ${ssFilter(g)} (Recv-Q, the accept queue, should stay near 0) and ss -tn state close-wait ${ssFilter(g)}`
          : 'Close the socket when a read returns 0 (EOF) and on every error path: C `if (n == 0) { close(fd); }`, Python `with conn:` / try-finally `conn.close()`, ' +
            "Node `socket.on('end', () => socket.end())` and `socket.on('error', () => socket.destroy())`; make connection pools discard closed connections. " +
            `${confirmOn(ctx)}ss -tnp state close-wait ${ssFilter(g)} (the count should stay near 0)`,
      });
    }
    return out;
  },
};

export const closeWaitRules: readonly Rule[] = [closeWaitAccumulating];

/**
 * close-wait-ok. closeWaitCount applies to one group (a port this host serves, or outgoing connections to
 * one peer port), the way close-wait-accumulating counts: the evidence gives the largest such count next
 * to the context's total, and a group at the level with no finding (it did not hold for persistSamples
 * samples) is said to be at the warning level, never "normal", under close-wait-unsettled.
 */
export const closeWaitHealth: HealthCheck = {
  id: 'close-wait-ok',
  otherIds: ['close-wait-unsettled'],
  topic: 'close-wait',
  describe(ctx) {
    const n = countInContext(ctx, 'CLOSE_WAIT');
    const warnAt = th(ctx, 'closeWaitCount');
    let worst: ConnGroup | undefined;
    for (const g of groupsInContext(ctx)) if (g.states.CLOSE_WAIT > (worst?.states.CLOSE_WAIT ?? 0)) worst = g;
    const top = worst?.states.CLOSE_WAIT ?? 0;
    const most = worst && top !== n ? `, at most ${top} on ${groupLabel(worst)}` : '';
    const evidence = `${n} CLOSE_WAIT sockets on ${contextLabel(ctx)}${most} (warning at ${warnAt} on one port or to one peer port)`;
    if (!worst || top < warnAt) return { message: 'CLOSE_WAIT count is normal', evidence };
    const recent = recentOf(ctx);
    const series = groupSeries(ctx, recent, worst.key, (g) => g.states.CLOSE_WAIT).map((p) => p.value);
    return {
      id: 'close-wait-unsettled',
      message: `CLOSE_WAIT at the warning level on ${groupLabel(worst)} (${top}, warning at ${warnAt}), ${notYetHeld(ctx)}`,
      evidence: `${evidence}; last ${recent.length} samples: ${series.join(' -> ')}`,
      fix: `Watch it: close-wait-accumulating reports it once it holds. ${confirmOn(ctx)}ss -tnp state close-wait ${ssFilter(worst)}`,
    };
  },
};
