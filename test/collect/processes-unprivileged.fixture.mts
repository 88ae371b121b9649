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
// A full pass again after it: processes may start or end between the passes (tests run alongside, and
// their short-lived children count too), so the targeted count is checked against the full passes
// before and after it; up to 5 tries for a moment when no process came and went in between.
let before = info;
let targeted = info;
let targetedOwn = own.processes;
let after = info;
for (let attempt = 0; attempt < 5; attempt++) {
  own.processes = [];
  targeted = await new ProcessAttributor({ targeted: true }).attribute([own], 'listeners');
  targetedOwn = own.processes;
  own.processes = [];
  after = await new ProcessAttributor().attribute([own], 'listeners');
  const lo = Math.min(before.hiddenProcesses, after.hiddenProcesses);
  const hi = Math.max(before.hiddenProcesses, after.hiddenProcesses);
  if (targeted.hiddenProcesses >= lo && targeted.hiddenProcesses <= hi) break;
  before = after;
}
process.stdout.write(JSON.stringify({ ...before, own: found, pid: process.pid, fd, targeted: { ...targeted, own: targetedOwn }, after }) + '\n');
server.close();
