// Reads a socket's fd flags and option values through the injected inspector: on each opening of the socket
// view, again when its owner becomes known, and with each new snapshot while the view stays open (at most once a second).
import { useEffect, useRef, useState } from 'react';
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

/** The least time between two reads of the same socket while its view stays open. */
export const DETAILS_REFRESH_MS = 900;

/** One read: for which visit of the view, socket and owner, when (ms since the epoch), and at which snapshot. */
interface Read {
  visit: unknown;
  id: string;
  owner: string;
  at: number;
  tick: unknown;
  details: SocketDetails;
}

/**
 * The details of the socket `id`. `socket` is its latest copy (the live one while it exists): when a
 * snapshot brings an owner the view opened without, the fd flags and options are read then, not left
 * "unknown" for the whole visit. `visit` is the view's frame: each opening of the view reads again (values
 * change: TCP_NODELAY set later, SO_RCVBUF grown by autotuning, O_NONBLOCK). While it is open the values are
 * read again with each new snapshot (`tick`), at most once a DETAILS_REFRESH_MS; `readAt` says when.
 */
export function useSocketDetails(
  inspector: SocketInspector | undefined,
  socket: Socket | undefined,
  id: string | undefined,
  ctx: DetailsContext = {},
  refresh: { visit?: unknown; tick?: unknown; source?: string } = {},
): SocketDetails | undefined {
  const [read, setRead] = useState<Read | undefined>();
  // The read in flight (one at a time per socket, owner and visit), and the socket, owner and visit on screen: a read
  // lands only if it is still for them (a re-read of socket A finishing after the view moved to B, or to another visit).
  const inFlight = useRef<{ key: string; visit: unknown } | undefined>(undefined);
  const target = useRef<{ key: string | undefined; visit: unknown }>({ key: undefined, visit: undefined });
  const owner = socket ? ownerKey(socket) : '';
  const gone = ctx.gone === true;
  const waiting = socket && !gone ? notYetAttributed(socket, ctx) : undefined;
  const mine = read !== undefined && read.id === id && read.visit === refresh.visit;
  // A socket that closed (the last copy seen is shown) or lost its owner keeps what was read while it was live:
  // its fd, read again, may now be another socket's.
  const keep = mine && (gone || (owner === '' && read.owner !== ''));
  const stale = !mine || (read.owner !== owner && !keep);
  // Read again with a newer snapshot, not faster than DETAILS_REFRESH_MS (the effect checks the time).
  const due = mine && !stale && !keep && read.tick !== refresh.tick;
  const wanted = socket !== undefined && id !== undefined && waiting === undefined && (stale || due) && !gone;
  const key = `${id}\n${owner}`;
  useEffect(() => {
    target.current = { key: id === undefined ? undefined : key, visit: refresh.visit };
    if (!wanted || !socket || id === undefined) return;
    const visit = refresh.visit;
    const tick = refresh.tick;
    const busy = inFlight.current?.key === key && inFlight.current.visit === visit;
    if (!stale && (!inspector || busy || Date.now() - read!.at < DETAILS_REFRESH_MS)) return;
    if (!inspector) {
      setRead({ visit, id, owner, at: Date.now(), tick, details: { fdMissing: 'no inspector in this build', optionsMissing: 'no inspector in this build' } });
      return;
    }
    const token = { key, visit };
    inFlight.current = token;
    let cancelled = false;
    const done = (details: SocketDetails) => {
      if (inFlight.current === token) inFlight.current = undefined;
      // The cleanup below lets a re-read outlive a newer snapshot; it must not outlive its socket, owner or visit.
      if (cancelled || target.current.key !== key || target.current.visit !== visit) return;
      setRead({ visit, id, owner, at: Date.now(), tick, details: { ...details, readAt: Date.now() } });
    };
    inspector.inspect(socket, { source: refresh.source }).then(done, (e: unknown) => done({ fdMissing: (e as Error).message, optionsMissing: (e as Error).message }));
    // A newer snapshot does not cancel a re-read in flight (a slow read would never finish); another socket,
    // owner or visit drops its result (done checks target: this cleanup sees the old inFlight and cannot tell).
    return () => {
      if (stale || inFlight.current !== token) cancelled = true;
    };
    // Read once per socket id, owner and visit, and again per snapshot (tick): a refresh brings a new copy of the same socket every interval.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [inspector, id, owner, wanted, refresh.visit, due ? refresh.tick : undefined]);
  if (waiting !== undefined && !keep) return { fdMissing: waiting, optionsMissing: waiting };
  if (gone && !keep && socket !== undefined) return { fdMissing: CLOSED_BEFORE_READ, optionsMissing: CLOSED_BEFORE_READ };
  return mine && (!stale || keep) ? read.details : undefined;
}
