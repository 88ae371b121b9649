// Run by hidden-processes.test.ts under an unprivileged uid: what the ProcessAttributor and the /proc/*/fd walk
// of inspect-options and `try` (findSocketHolders) say about the processes they cannot read. argv[2]: an inode
// to look for (0: none), argv[3]: a pid to classify (0: none).
import { findSocketHolders } from '../../src/collect/getsockopt-locate.js';
import { hiddenKind } from '../../src/collect/proc-pid.js';
import { ProcessAttributor } from '../../src/collect/processes.js';

const inode = Number(process.argv[2] ?? 0);
const pid = Number(process.argv[3] ?? 0);
const uid = process.getuid!();
// The walk's count against full attributor passes just before and after it: other processes start and end
// meanwhile (tests run alongside), so up to 5 tries for a moment when the count held still.
let result: unknown;
for (let attempt = 0; attempt < 5; attempt++) {
  const before = await new ProcessAttributor().attribute([], 'all');
  const walk = (await findSocketHolders([inode || 1])).get(inode || 1)!;
  const after = await new ProcessAttributor().attribute([], 'all');
  result = { before, walk, after, kind: pid ? hiddenKind('/proc', pid, uid) : undefined };
  const lo = Math.min(before.hiddenProcesses, after.hiddenProcesses);
  const hi = Math.max(before.hiddenProcesses, after.hiddenProcesses);
  if (walk.hidden >= lo && walk.hidden <= hi) break;
}
process.stdout.write(JSON.stringify(result) + '\n');
