// Reads a socket's fd flags and option values through the injected inspector: once per socket opened, and
// again when its owner becomes known.
import { useEffect, useState } from 'react';
import type { AttributionInfo } from '../../model/snapshot.js';
import type { Socket } from '../../model/socket.js';
import type { SocketDetails, SocketInspector } from '../inspector.js';

/** What the snapshot on screen looked for, so a missing owner is explained truly. */
export interface DetailsContext {
  /** Which sockets the snapshot's process attribution covered (the home view attributes listeners only). */
  attribution?: AttributionInfo['scope'];
  /** Refreshing is paused: no snapshot will bring the owner until it resumes. */
  paused?: boolean;
  /** The socket is no longer in the latest snapshot: its fd may now hold another socket, so it is not read again. */
  gone?: boolean;
}

/** What a socket that closed before its fd flags and options were read shows instead. */
const CLOSED_BEFORE_READ = 'the socket closed before they were read (its fd may now hold another socket)';

/** The owner as a key: the reads are made again when it changes. */
function ownerKey(s: Socket): string {
  return s.processes.map((p) => `${p.pid}:${p.fd}`).join(',');
}

/**
 * Why there is no owner yet, when the snapshot did not look for it: a socket opened from the home view's
 * snapshot (or the first one, which skips attribution) gets its owner with the next refresh. Undefined
 * when the snapshot looked (the inspector then says why it found none: another user's process, TIME_WAIT).
 */
export function notYetAttributed(s: Socket, ctx: DetailsContext): string | undefined {
  if (s.processes.length > 0 || s.state === 'TIME_WAIT' || ctx.attribution === undefined || ctx.attribution === 'all') return undefined;
  return ctx.paused
    ? 'paused before the owner was looked up (the snapshot on screen attributes listeners only): resume refreshing to read them'
    : 'not yet attributed: the owning process is looked up by the next refresh';
}

/**
 * The details of the socket `id`. `socket` is its latest copy (the live one while it exists): when a
 * snapshot brings an owner the view opened without, the fd flags and options are read then, not left
 * "unknown" for the whole visit. Read once per owner: the view shows the values at the time they were read.
 */
export function useSocketDetails(inspector: SocketInspector | undefined, socket: Socket | undefined, id: string | undefined, ctx: DetailsContext = {}): SocketDetails | undefined {
  const [read, setRead] = useState<{ id: string; owner: string; details: SocketDetails } | undefined>();
  const owner = socket ? ownerKey(socket) : '';
  const gone = ctx.gone === true;
  const waiting = socket && !gone ? notYetAttributed(socket, ctx) : undefined;
  // A socket that closed (the last copy seen is shown) or lost its owner keeps what was read while it was live:
  // its fd, read again, may now be another socket's.
  const keep = read !== undefined && read.id === id && (gone || (owner === '' && read.owner !== ''));
  const stale = read === undefined || read.id !== id || (read.owner !== owner && !keep);
  const wanted = socket !== undefined && id !== undefined && waiting === undefined && stale && !gone;
  useEffect(() => {
    if (!wanted || !socket || id === undefined) return;
    if (!inspector) {
      setRead({ id, owner, details: { fdMissing: 'no inspector in this build', optionsMissing: 'no inspector in this build' } });
      return;
    }
    let cancelled = false;
    inspector.inspect(socket).then(
      (d) => !cancelled && setRead({ id, owner, details: d }),
      (e: unknown) => !cancelled && setRead({ id, owner, details: { fdMissing: (e as Error).message, optionsMissing: (e as Error).message } }),
    );
    return () => {
      cancelled = true;
    };
    // Read once per socket id and owner: a refresh brings a new copy of the same socket every second.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [inspector, id, owner, wanted]);
  if (waiting !== undefined && !keep) return { fdMissing: waiting, optionsMissing: waiting };
  if (gone && !keep && socket !== undefined) return { fdMissing: CLOSED_BEFORE_READ, optionsMissing: CLOSED_BEFORE_READ };
  return read && read.id === id && (!stale || keep) ? read.details : undefined;
}
