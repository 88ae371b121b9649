// Before the first snapshot (the collector failing from the start: STALE ... (no data yet)) the recommendations
// panel said "Nothing to recommend: no rule fired on this snapshot.", claiming rules ran on a snapshot that does
// not exist. Given collected={false} the panel, the ports view and the port view say there is no snapshot yet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderToString } from 'ink';
import type { Recommendation } from '../../src/advise/types.js';
import { Recommendations } from '../../src/ui/components/Recommendations.js';
import { createTheme } from '../../src/ui/theme.js';
import { PortsView } from '../../src/ui/views/PortsView.js';
import { PortView } from '../../src/ui/views/PortView.js';
import type { TableSectionProps } from '../../src/ui/components/TableSection.js';

const theme = createTheme(false);
const NO_SNAPSHOT = 'No snapshot yet: recommendations appear after the first collection.';
const table: TableSectionProps = { title: 'LOCAL PORTS', count: 0, unfiltered: 0, filter: '', sortLabel: 'port ↑', header: 'PORT', lines: [], position: 0, width: 100, emptyText: 'collecting…', theme };
const rec: Recommendation = { id: 'r', severity: 'warning', message: 'm', evidence: 'e', fix: 'f' } as Recommendation;

describe('recommendations panel before the first snapshot', () => {
  it('the panel: no snapshot yet, no claim that rules ran, no count in the title', () => {
    const out = renderToString(<Recommendations recs={[]} lines={3} width={100} theme={theme} collected={false} />, { columns: 100 });
    assert.deepEqual(out.split('\n').map((l) => l.trimEnd()), ['RECOMMENDATIONS', NO_SNAPSHOT]);
  });

  it('the ports view and the port view (whose own empty text is for a port with nothing to recommend)', () => {
    for (const view of [
      <PortsView table={table} recs={[]} recLines={3} collected={false} />,
      <PortView listeners={[]} table={table} recs={[]} recLines={3} collected={false} />,
      <PortView listeners={[]} table={table} recs={[]} recLines={3} recsEmptyText="udp hidden" collected={false} />,
    ]) {
      const out = renderToString(view, { columns: 100 });
      assert.match(out, new RegExp(`^${NO_SNAPSHOT}$`, 'm'), out);
      assert.doesNotMatch(out, /Nothing to recommend|no rule fired|RECOMMENDATIONS \(0\)/, out);
    }
  });

  it('once collected (the default) the panel is as before', () => {
    assert.match(renderToString(<Recommendations recs={[]} lines={3} width={100} theme={theme} />, { columns: 100 }), /RECOMMENDATIONS \(0\)\nNothing to recommend: no rule fired on this snapshot\./);
    assert.match(renderToString(<PortView listeners={[]} table={table} recs={[]} recLines={3} />, { columns: 100 }), /Nothing to recommend for this port\./);
    assert.match(renderToString(<PortsView table={table} recs={[rec]} recLines={3} collected />, { columns: 100 }), /RECOMMENDATIONS \(1\)/);
  });
});
