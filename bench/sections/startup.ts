// Start-up cost of the bundled CLI: whole-process wall time of three light commands as a ratio
// against `node -e 0` (Node's own start-up) run alternately with them, so machine load hits both alike.
import { join } from 'node:path';
import { interleave, timeCommand, timeFigure } from '../measure.js';
import type { Section } from '../types.js';

const NODE_BASELINE = 'node -e 0';

const COMMANDS: { id: string; args: string[] }[] = [
  { id: 'startup-version', args: ['--version'] },
  { id: 'startup-errno', args: ['errno', '104', '--json'] },
  { id: 'startup-analyze-states', args: ['analyze-states', '--json'] },
];

const section: Section = {
  name: 'startup',
  description: 'bin/sockscope --version, errno 104 --json, analyze-states --json: wall time vs node -e 0',
  // Start-up does not depend on the socket count (analyze-states reads the 1,000-socket load).
  sizes: [1000],
  async run(ctx) {
    const bin = join(ctx.root, 'bin', 'sockscope');
    // Tens of milliseconds each: more runs than the collector sections for a stable median.
    const runs = Math.max(ctx.runs, 15);
    const node = () => timeCommand(process.execPath, ['-e', '0']);
    const figures = [];
    for (const c of COMMANDS) {
      ctx.log(`sockscope ${c.args.join(' ')} vs ${NODE_BASELINE} (${runs} runs)`);
      const once = async () => timeCommand(bin, c.args);
      figures.push(
        timeFigure(
          { section: 'startup', id: c.id, label: `sockscope ${c.args.join(' ')} (whole process)`, size: ctx.size, baseline: NODE_BASELINE },
          await interleave(runs, node, once, 3),
        ),
      );
    }
    return figures;
  },
};

export default section;
