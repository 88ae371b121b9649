// A loopback listener with `count` connected clients, each accepted and kept: the server side of real TCP
// connections whose state a test then drives (the server closes first: TIME_WAIT; the clients close and the
// server never does, with `allowHalfOpen`: CLOSE_WAIT).
import net from 'node:net';
import { waitFor } from './free-port.js';

export interface AcceptedPairs {
  server: net.Server;
  port: number;
  /** The server's sides, in accept order. */
  accepted: net.Socket[];
  clients: net.Socket[];
  /** Each client's local (ephemeral) port. */
  clientPorts: number[];
  /** Destroys every socket and closes the listener. */
  destroy(): void;
}

/** Listens on 127.0.0.1:`port` (0: a port from the ephemeral range), connects `count` clients and waits until each is accepted. */
export async function acceptedPairs(port: number, count: number, opts: { allowHalfOpen?: boolean } = {}): Promise<AcceptedPairs> {
  const accepted: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: opts.allowHalfOpen ?? false }, (c) => {
    c.on('error', () => {});
    accepted.push(c);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const pairs: AcceptedPairs = {
    server,
    port: (server.address() as net.AddressInfo).port,
    accepted,
    clients: [],
    clientPorts: [],
    destroy() {
      for (const c of pairs.clients) c.destroy();
      for (const a of accepted) a.destroy();
      server.close();
    },
  };
  try {
    for (let i = 0; i < count; i++) {
      const c = net.connect(pairs.port, '127.0.0.1');
      c.on('error', () => {});
      await new Promise<void>((r) => c.once('connect', () => r()));
      pairs.clients.push(c);
      pairs.clientPorts.push(c.localPort!);
    }
    await waitFor(`${count} accepted`, () => (accepted.length === count ? true : undefined), 5000, 10);
  } catch (e) {
    pairs.destroy();
    throw e;
  }
  return pairs;
}
