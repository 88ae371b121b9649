// The common tail of every local collector: attribute owners through the shared cache and assemble the Snapshot.
import type { Socket } from '../model/socket.js';
import type { AttributionInfo, Snapshot, SourceName } from '../model/snapshot.js';
import { attributeWith, type AttributeCallOptions } from './attribution.js';
import type { HostInfo } from './host.js';
import { ownerNotes } from '../model/owner.js';
import { accessSync, constants as fsConstants } from 'node:fs';
import { procMount } from './proc-pid.js';

/** Owners from the shared attributor; when none is registered, says so instead of guessing. */
export async function attributeOwners(sockets: Socket[], scope: 'none' | 'listeners' | 'all', opts?: AttributeCallOptions): Promise<AttributionInfo> {
  if (scope === 'none') return { scope: 'none', complete: true, hiddenProcesses: 0 };
  const attribute = await attributeWith();
  if (attribute) return attribute(sockets, scope, opts);
  return { scope: 'none', complete: false, hiddenProcesses: 0, note: 'process attribution is not available in this build' };
}

/**
 * "/proc/net/sockstat is unreadable ...", when it is: the host's orphan count is unknown (the totals leave it out; a
 * view of one port counts its own from its sockets, so the note does not say the totals have none).
 */
function sockstatNote(): string | undefined {
  try {
    accessSync('/proc/net/sockstat', fsConstants.R_OK);
    return undefined;
  } catch {
    const why = procMount('/proc').mounted ? '' : ' (/proc is not mounted)';
    return `/proc/net/sockstat is unreadable${why}, so the host's count of orphaned TCP sockets is unknown`;
  }
}

/**
 * Builds the Snapshot from a collector's parts; the attribution note joins the notes, and so does the count
 * of owners looked up and not found (ownerNotes), so that every printer and the library say it.
 */
export function assembleSnapshot(p: {
  time: number;
  startedAt: number;
  host: HostInfo;
  source: SourceName;
  sourceNote?: string;
  sockets: Socket[];
  attribution: AttributionInfo;
  notes: string[];
}): Snapshot {
  const notes = [...p.notes, ...(p.attribution.note ? [p.attribution.note] : []), ...ownerNotes({ source: p.source, attribution: p.attribution, sockets: p.sockets })];
  // The host info read no sockstat: the TCP totals lose their orphan figure, said once for every collector.
  if (p.host.counters.sockstat === null) {
    const extra = sockstatNote();
    if (extra) notes.push(extra);
  }
  return {
    time: p.time,
    hostname: p.host.hostname,
    kernel: p.host.kernel,
    source: p.source,
    ...(p.sourceNote ? { sourceNote: p.sourceNote } : {}),
    durationMs: performance.now() - p.startedAt,
    sockets: p.sockets,
    counters: p.host.counters,
    sysctls: p.host.sysctls,
    attribution: p.attribution,
    notes,
  };
}
