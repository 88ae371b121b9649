// Run by processes.test.ts in a child with only stdio open: its own listener is its highest fd with a
// hole below it, where the directory fd the attributor opens to read /proc/self/fd lands.
import net from 'node:net';
import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { ProcessAttributor } from '../../src/collect/processes.js';
import type { Socket } from '../../src/model/socket.js';

const isOpen = (n: number): boolean => {
  try {
    return readlinkSync(`/proc/self/fd/${n}`) !== `/proc/${process.pid}/fd`; // not readdir's own fd
  } catch {
    return false;
  }
};
const openFds = (): number[] => readdirSync('/proc/self/fd').map(Number).filter(isOpen);

// Files fill every hole up to past the highest fd open now (inherited ones included), so that the
// listener opened next is the highest fd. Node may open fds of its own meanwhile (a loader or
// libuv thread): then the listener is closed and the fill repeats above them.
const files: number[] = [];
let server = net.createServer();
let fd = -1;
let highest = Infinity;
for (let attempt = 0; attempt < 8 && !(fd > highest); attempt++) {
  if (fd >= 0) await new Promise<void>((r) => server.close(() => r()));
  const top = Math.max(...openFds());
  do files.push(openSync('/dev/null', 'r'));
  while (files.at(-1)! <= top + 8 && files.length < 4096);
  server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  highest = Math.max(...openFds().filter((n) => n !== fd));
}
closeSync(files[5]!);
const inode = Number(/\d+/.exec(readlinkSync(`/proc/self/fd/${fd}`))![0]);
const own: Socket = { protocol: 'tcp', ipVersion: 4, state: 'LISTEN', local: { address: '127.0.0.1', port: 1 }, peer: { address: '0.0.0.0', port: 0 }, recvQ: 0, sendQ: 0, inode, processes: [] };
const a = new ProcessAttributor();
await a.attribute([own], 'listeners');
const first = own.processes;
own.processes = [];
await a.attribute([own], 'listeners', { targeted: true });
process.stdout.write(JSON.stringify({ pid: process.pid, fd, highest, first, again: own.processes }) + '\n');
server.close();
for (const f of files) if (f !== files[5]) closeSync(f);
