// Run by fd-target-status.test.ts under an unprivileged uid: readFdTarget on a process whose fds this uid cannot
// read, with every readFileSync of /proc/PID/status counted (the reads still go to the real /proc). argv[2]: the pid.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const pid = Number(process.argv[2]);
const statusPath = `/proc/${pid}/status`;
let statusReads = 0;
const real = fs.readFileSync;
fs.readFileSync = ((...args: Parameters<typeof real>) => {
  if (String(args[0]) === statusPath) statusReads++;
  return real(...args);
}) as typeof real;
syncBuiltinESMExports(); // named imports of node:fs (proc-pid.ts's) see the counting readFileSync too
const { readFdTarget } = await import('../../src/collect/proc-pid.js');
const target = readFdTarget('/proc', pid, 0, process.getuid!());
process.stdout.write(JSON.stringify({ target, statusReads }) + '\n');
