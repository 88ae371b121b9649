// The ss collector (spawn ss, parse its text, aggregate) against `ss -tanH > /dev/null`.
import { SsSource } from '../../src/collect/ss.js';
import { summarizePorts } from '../../src/model/aggregate.js';
import { interleave, SS_TANH, timeFigure, timeIt } from '../measure.js';
import type { Section } from '../types.js';

const section: Section = {
  name: 'ss',
  description: 'ss collector: spawn + parse + per-port aggregation',
  async run(ctx) {
    const src = new SsSource();
    ctx.log('ss collector + summarizePorts vs ss -tanH');
    const once = async () =>
      timeIt(async () => {
        const snap = await src.collect({ processes: 'none' });
        summarizePorts(snap.sockets);
      });
    return [
      timeFigure(
        { section: 'ss', id: 'ss-collector', label: 'ss collector: spawn + parse + aggregation', size: ctx.size, baseline: SS_TANH.label, target: 1.3 },
        await interleave(ctx.runs, SS_TANH.run, once),
      ),
    ];
  },
};

export default section;
