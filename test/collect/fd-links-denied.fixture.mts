// Run by fd-links-denied.test.ts as nobody: reads a directory it may list but not search (mode 0444), as
// /proc/PID/fd reads where a security module (or PID 1 of this sandbox, even for root) denies readlink.
import { readFdLinks } from '../../src/collect/fd-links.js';

const dir = process.argv[2]!;
const plans = {
  listed: { firstCount: 0, reuse: () => undefined },
  counted: { firstCount: 2, reuse: () => undefined },
};
const out: Record<string, unknown> = {};
for (const [name, plan] of Object.entries(plans)) {
  try {
    out[name] = { fds: [...(await readFdLinks(dir, plan, { readlinks: 0 }, async () => undefined)).entries()] };
  } catch (e) {
    out[name] = { code: (e as NodeJS.ErrnoException).code };
  }
}
console.log(JSON.stringify(out));
