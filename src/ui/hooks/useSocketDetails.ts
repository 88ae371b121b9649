// Reads a socket's fd flags and option values through the injected inspector, once per socket opened.
import { useEffect, useState } from 'react';
import type { Socket } from '../../model/socket.js';
import type { SocketDetails, SocketInspector } from '../inspector.js';

export function useSocketDetails(inspector: SocketInspector | undefined, socket: Socket | undefined, id: string | undefined): SocketDetails | undefined {
  const [details, setDetails] = useState<{ id: string; details: SocketDetails } | undefined>();
  useEffect(() => {
    if (!socket || id === undefined) return;
    if (!inspector) {
      setDetails({ id, details: { fdMissing: 'no inspector in this build', optionsMissing: 'no inspector in this build' } });
      return;
    }
    let cancelled = false;
    inspector.inspect(socket).then(
      (d) => !cancelled && setDetails({ id, details: d }),
      (e: unknown) => !cancelled && setDetails({ id, details: { fdMissing: (e as Error).message, optionsMissing: (e as Error).message } }),
    );
    return () => {
      cancelled = true;
    };
    // Read once per socket id: the view shows the values at the time it was opened.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [inspector, id]);
  return details && details.id === id ? details.details : undefined;
}
