// Run by processes.test.ts under an unprivileged uid: prints what attribution could see, including its own listener.
import net from 'node:net';
import { readlinkSync } from 'node:fs';
import { ProcessAttributor } from '../../src/collect/processes.js';
import type { Socket } from '../../src/model/socket.js';

const server = net.createServer();
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
const inode = Number(/\d+/.exec(readlinkSync(`/proc/self/fd/${fd}`))![0]);
const own: Socket = { protocol: 'tcp', ipVersion: 4, state: 'LISTEN', local: { address: '127.0.0.1', port: 1 }, peer: { address: '0.0.0.0', port: 0 }, recvQ: 0, sendQ: 0, inode, processes: [] };
const info = await new ProcessAttributor().attribute([own], 'listeners');
const found = own.processes;
// The same through a targeted pass (one-shot commands): it reads fewer processes but counts every hidden one.
own.processes = [];
const targeted = await new ProcessAttributor({ targeted: true }).attribute([own], 'listeners');
const targetedOwn = own.processes;
// A full pass again: processes may start or end between the passes (tests run alongside), so the
// targeted count is checked against the full passes before and after it.
own.processes = [];
const after = await new ProcessAttributor().attribute([own], 'listeners');
process.stdout.write(JSON.stringify({ ...info, own: found, pid: process.pid, fd, targeted: { ...targeted, own: targetedOwn }, after }) + '\n');
server.close();
