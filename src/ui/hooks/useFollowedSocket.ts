// The socket view's socket: the live copy while the socket is there, followed by its cookie (or endpoints) when its
// id changes (a socket its process closes becomes an inode-0 orphan); once it is gone, the last copy found (its
// last state, queues and timers), else the copy the view opened with.
import { useMemo, useRef } from 'react';
import type { Socket } from '../../model/socket.js';
import { followSocket } from '../identity.js';
import type { Frame } from '../state.js';

type SocketFrame = Extract<Frame, { view: 'socket' }>;

export function useFollowedSocket(
  socketFrame: SocketFrame | undefined,
  sockets: readonly Socket[],
  haveSnapshot: boolean,
): { shownSocket: Socket | undefined; gone: boolean } {
  // A ref, not a state update: a dispatch per refresh rendered the whole App twice.
  const lastSeen = useRef<{ frame: Frame; socket: Socket } | undefined>(undefined);
  const lastOfFrame = socketFrame && lastSeen.current?.frame === socketFrame ? lastSeen.current.socket : undefined;
  const liveSocket = useMemo(
    () => (socketFrame ? followSocket(sockets, socketFrame.id, lastOfFrame ?? socketFrame.last) : undefined),
    // lastOfFrame is read for the socket to follow; the search is made again with each snapshot.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [sockets, socketFrame],
  );
  if (liveSocket && socketFrame) lastSeen.current = { frame: socketFrame, socket: liveSocket };
  return { shownSocket: liveSocket ?? lastOfFrame ?? socketFrame?.last, gone: !!socketFrame && !liveSocket && haveSnapshot };
}
