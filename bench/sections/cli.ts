// The whole command as a user runs it: `sockscope analyze --port P --json`, process start to exit.
import { join } from 'node:path';
import { interleave, SS_TANH, timeCommand, timeFigure } from '../measure.js';
import type { Section } from '../types.js';

const section: Section = {
  name: 'cli',
  description: 'whole-process bin/sockscope analyze --port P --json',
  async run(ctx) {
    const bin = join(ctx.root, 'bin', 'sockscope');
    const port = ctx.load.ports[0];
    ctx.log(`sockscope analyze --port ${port} --json vs ss -tanH`);
    const once = async () => timeCommand(bin, ['analyze', '--port', String(port), '--json']);
    return [
      timeFigure(
        { section: 'cli', id: 'cli-analyze', label: 'sockscope analyze --port P --json (whole process)', size: ctx.size, baseline: SS_TANH.label, target: 1.0, extra: { port } },
        await interleave(ctx.runs, SS_TANH.run, once),
      ),
    ];
  },
};

export default section;
