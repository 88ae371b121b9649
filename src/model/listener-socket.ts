// Which sockets serve (listeners), as process attribution scopes them: the 'listeners' scope names
// their owners, and a targeted pass looks for other holders of a listener at the same fd number.
import type { Socket } from './socket.js';

/** True for sockets that serve: TCP/unix LISTEN, and UDP/unix-dgram sockets without a connected peer. */
export function isListenerSocket(s: Socket): boolean {
  if (s.state === 'LISTEN') return true;
  if (s.protocol === 'udp') return s.peer.port === 0;
  if (s.protocol === 'unix' && s.unixType === 'dgram') return s.local.address !== '' && s.peer.address === '';
  return false;
}
