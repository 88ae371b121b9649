// Review s25 (monitor) finding 1: with more recommendations than panel lines (33 findings in a 6-line panel, 300
// info listen-backlog-capped lines) every one got one cut line, the selected port's worst included, though README
// says it is shown in full first: recommendationHeights gave the focus extra lines only when there were fewer
// findings than lines. 25707ac9 gave the focus its full height before anything else, which hid the warnings when
// an info row was selected (start-up); now every finding more severe than the focus has its one line first, then
// the focus grows into what is left, then the others one line each; the title names the warnings and criticals
// left out. Pure heights and title, the memo, then the built bin/sockscope in tmux at 100x30 in a network
// namespace of its own: 30 listeners with backlog 4096 (= the namespace's net.core.somaxconn: 30 info findings),
// a CLOSE_WAIT leak of 20 on port 7000, a UDP socket on 7200 with a 1 KiB receive buffer flooded (drops, and
// host-wide UDP receive errors).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderToString } from 'ink';
import { render } from 'ink-testing-library';
import type { Recommendation } from '../../src/advise/types.js';
import { Recommendations, recommendationHeights, recommendationRows, recommendationsFullHeight, recommendationsTitle } from '../../src/ui/components/Recommendations.js';
import { createTheme } from '../../src/ui/theme.js';
import { manyFindingsMonitor } from '../helpers/many-findings.js';
import { tmuxSkip } from '../helpers/tmux.js';

const rec = (i: number, over: Partial<Recommendation> = {}): Recommendation => ({
  id: 'listen-backlog-capped',
  severity: 'info',
  scope: 'port',
  protocol: 'tcp',
  port: 6000 + i,
  message: `Listen backlog of tcp 127.0.0.1:${6000 + i} equals net.core.somaxconn (4096): the backlog python3 (pid 812) asked for may have been capped`,
  evidence: 'backlog (Send-Q of LISTEN) 4096 = net.core.somaxconn 4096; accept queue now 0',
  fix: "Only if the accept queue fills: raise the cap to at least the backlog the application passes to listen(): sysctl -w net.core.somaxconn=8192, then restart the service so listen() is called again. Check: ss -ltn 'sport = :6000'",
  ...over,
});

describe('the selected port\'s worst recommendation in full first, with more findings than lines', () => {
  const recs = Array.from({ length: 33 }, (_, i) => rec(i));
  const full = recommendationsFullHeight([recs[20]], 100);

  it('33 findings, 8 lines, focus 20: the focus has its full height (here under 8), the others one line each in the rest, worst first', () => {
    assert.ok(full >= 3 && full < 8, `the fixture's full height ${full}`);
    const hs = recommendationHeights(recs, 8, 100, 20);
    assert.equal(hs[20], full);
    assert.deepEqual(hs.map((k, i) => (i === 20 ? 0 : k)).filter((k) => k > 0), Array(8 - full).fill(1));
    assert.deepEqual(hs.slice(0, 8 - full), Array(8 - full).fill(1), 'the others that fit are the worst ones (first)');
    const rows = recommendationRows(recs, 8, 100, 20);
    assert.equal(rows.length, 8);
    assert.ok(rows.some((r) => r.kind === 'fix' && r.text.includes('sysctl -w net.core.somaxconn=8192')), JSON.stringify(rows));
  });

  it('300 findings: the focus in full still; a focus taller than the panel takes the whole panel, cut', () => {
    const many = Array.from({ length: 300 }, (_, i) => rec(i % 30));
    assert.equal(recommendationHeights(many, 16, 100, 250)[250], full);
    assert.equal(recommendationHeights(many, 16, 100, 250).reduce((a, b) => a + b, 0), 16);
    assert.deepEqual(recommendationHeights(recs, 2, 100, 20).filter((k) => k > 0), [2]);
    assert.equal(recommendationHeights(recs, 2, 100, 20)[20], 2);
  });

  it('without a focus, or with room for all: one line each first, as before', () => {
    assert.deepEqual(recommendationHeights(recs, 6, 100), [1, 1, 1, 1, 1, 1, ...Array(27).fill(0)]);
    const three = recs.slice(0, 3);
    assert.deepEqual(recommendationHeights(three, full + 2, 100, 1), [1, full, 1]);
  });
});

// The regression of 25707ac9 (review s25): the focus got its full height before any other finding, so at start-up
// with the first row (an info listener) selected its info finding took all 6 lines and the three warnings (a
// CLOSE_WAIT leak, host-wide UDP receive errors, UDP drops) were nowhere on screen, against "worst first". Every
// finding more severe than the focus now has its one line first, then the focus grows into what is left.
const warn = (port: number | undefined, message: string): Recommendation => ({
  id: `w-${port ?? 'host'}`,
  severity: 'warning',
  scope: port === undefined ? 'host' : 'port',
  protocol: port === undefined ? undefined : 'tcp',
  port,
  message,
  evidence: 'CLOSE_WAIT 20 on 127.0.0.1:7000, none closed over the last 10 s',
  fix: 'Find the code path that skips close() after read() returns 0 (the peer closed); ss -tnp state close-wait \'sport = :7000\' names the owner. Restart only stops it until the leak fills again.',
});
const crit = (port: number): Recommendation => ({ ...warn(port, `accept queue of tcp port ${port} is full`), id: `c-${port}`, severity: 'critical' });
const theme = createTheme(false);
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

describe('findings more severe than the focus keep their one line first (worst first)', () => {
  const infos = Array.from({ length: 30 }, (_, i) => rec(i));
  const warnings = [warn(7000, 'CLOSE_WAIT on tcp port 7000'), warn(undefined, 'UDP receive errors rising host-wide'), warn(7200, 'UDP drops on 7200')];
  const recs = [...warnings, ...infos]; // worst first, as the App gives them
  const focusInfo = 3; // port 6000, the first row at start-up

  it('33 findings, 6 lines, an info focus: the 3 warnings one line each, then the info focus in the 3 lines left', () => {
    const hs = recommendationHeights(recs, 6, 100, focusInfo);
    assert.deepEqual(hs.slice(0, 3), [1, 1, 1], `the warnings: ${hs.slice(0, 4)}`);
    assert.equal(hs[focusInfo], 3, 'the focus grows into what is left (message, evidence, fix)');
    assert.equal(hs.reduce((a, b) => a + b, 0), 6);
    const rows = recommendationRows(recs, 6, 100, focusInfo);
    assert.deepEqual(rows.filter((r) => r.first).map((r) => r.severity), ['warning', 'warning', 'warning', 'info']);
    assert.ok(rows.some((r) => r.kind === 'fix'), 'the focus still has its fix line');
  });

  it('more severe findings than lines: they take all but one line, the focus keeps its one line', () => {
    const many = [...Array.from({ length: 10 }, (_, i) => warn(7000 + i, `CLOSE_WAIT on tcp port ${7000 + i}`)), ...infos];
    const hs = recommendationHeights(many, 6, 100, 12);
    assert.deepEqual(hs.slice(0, 10), [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    assert.equal(hs[12], 1);
    assert.deepEqual(recommendationHeights(many, 1, 100, 12).filter((k) => k > 0), [1]);
    assert.equal(recommendationHeights(many, 1, 100, 12)[12], 1, 'one line: the focus');
  });

  it('a warning focus: the criticals first; a critical (!!) focus: in full first, as 25707ac9 meant', () => {
    const list = [crit(8000), crit(8001), ...warnings, ...infos];
    const fullWarn = recommendationsFullHeight([warnings[0]], 100);
    assert.ok(fullWarn >= 4, `the fixture's full height ${fullWarn}`);
    const hs = recommendationHeights(list, 5, 100, 2);
    assert.deepEqual(hs.slice(0, 5), [1, 1, 3, 0, 0], 'both criticals, then the warning focus in the 3 lines left');
    const fullCrit = recommendationsFullHeight([list[1]], 100);
    const hc = recommendationHeights(list, 6, 100, 1);
    assert.equal(hc[1], Math.min(6, fullCrit), 'the selected critical in full, before the other critical');
    assert.equal(hc.reduce((a, b) => a + b, 0), 6);
  });

  it('the title says how many are left out and, when it fits, the criticals and warnings among them', () => {
    const list = [crit(8000), ...warnings, ...infos];
    const hs = recommendationHeights(list, 3, 100, 5);
    assert.deepEqual(hs.slice(0, 6), [1, 1, 0, 0, 0, 1], 'the critical, the first warning, the focus');
    assert.equal(recommendationsTitle(list, hs, 100), 'RECOMMENDATIONS (34, 31 more: see sockscope analyze) · hidden: 2 warnings');
    const hidden1 = recommendationHeights(list, 2, 100, 5); // the critical and the focus
    assert.equal(recommendationsTitle(list, hidden1, 100), 'RECOMMENDATIONS (34, 32 more: see sockscope analyze) · hidden: 3 warnings');
    const fullCrit = recommendationsFullHeight([list[0]], 100);
    assert.equal(recommendationsTitle(list, recommendationHeights(list, fullCrit + 3, 100, 0), 100), 'RECOMMENDATIONS (34, 30 more: see sockscope analyze)', 'only infos hidden: no note');
    assert.equal(recommendationsTitle(list, hidden1, 100, 5000), 'RECOMMENDATIONS (34, 32 more: see sockscope analyze) · hidden: 3 warnings', 'the note before the cadence when both do not fit');
    assert.equal(recommendationsTitle(list, hidden1, 200, 5000), 'RECOMMENDATIONS (34, 32 more: see sockscope analyze) · hidden: 3 warnings · evaluated every 5s (many sockets)');
    assert.equal(recommendationsTitle(list, hidden1, 60), 'RECOMMENDATIONS (34, 32 more: see sockscope analyze)', 'too narrow: left out');
    const out = plain(renderToString(<Recommendations recs={recs} lines={6} width={100} theme={theme} focus={focusInfo} />, { columns: 100 }));
    assert.match(out, /^RECOMMENDATIONS \(33, 29 more: see sockscope analyze\)$/m);
    for (const w of warnings) assert.ok(out.includes(w.message), `${w.message}:\n${out}`);
  });

  it('the panel redraws its title when a hidden finding becomes a warning (the memo compares the hidden severities)', async () => {
    const before = [...warnings, ...infos];
    const after = [...warnings, { ...infos[0], severity: 'warning' as const }, ...infos.slice(1)];
    const r = render(<Recommendations recs={before} lines={2} width={100} theme={theme} />);
    await new Promise((res) => setTimeout(res, 20));
    assert.match(plain(r.lastFrame() ?? ''), /hidden: 1 warning$/m);
    r.rerender(<Recommendations recs={after} lines={2} width={100} theme={theme} />);
    await new Promise((res) => setTimeout(res, 20));
    assert.match(plain(r.lastFrame() ?? ''), /hidden: 2 warnings$/m);
    r.unmount();
  });
});

const NS = `sockscope-recfocus-${process.pid}`;
const root = process.getuid?.() === 0;


/** The lines of the recommendation whose first line holds `text`: that line and its continuation lines (indented, no mark). */
function recommendationAt(screen: string, text: string): string[] {
  const lines = screen.split('\n');
  const start = lines.findIndex((l) => l.includes(text));
  assert.ok(start >= 0, `no recommendation with ${text}:\n${screen}`);
  const out = [lines[start]];
  for (let i = start + 1; i < lines.length && /^ {3}/.test(lines[i]); i++) out.push(lines[i]);
  return out;
}

describe('the monitor at 100x30, 33 findings: the warnings on screen at start-up, the selected port\'s worst read in full (netns)', { skip: tmuxSkip || (root ? false : 'needs root (network namespace)') }, () => {
  const { tmux, capture, until, start } = manyFindingsMonitor(NS, 'sockscope-recfocus');

  it('at start-up (row 6000, info) the three warnings are on screen; End k k selects port 7000: its CLOSE_WAIT finding has its evidence and fix; a filter leaving that one row too', { timeout: 60_000 }, async () => {
    start();
    await until((s) => /LOCAL PORTS 33 /.test(s) && /RECOMMENDATIONS \((3[2-9]|[4-9]\d), \d+ more/.test(s), 'the table and 32+ findings', 40_000);
    // Before any key the first row (6000, an info listener) is selected: the warnings come first, one line each
    // (the CLOSE_WAIT leak on 7000, the UDP drops on 7200 and host-wide UDP receive errors, whose rows are below
    // the visible table or which no row can select), then 6000's info finding in the lines left.
    const warned = await until((x) => {
      const panel = x.slice(x.indexOf('RECOMMENDATIONS ('), x.indexOf('q quit'));
      return (panel.match(/^ ! /gm) ?? []).length >= 3;
    }, 'the three warnings in the panel at start-up', 30_000);
    const startPanel = warned.slice(warned.indexOf('RECOMMENDATIONS ('), warned.indexOf('q quit'));
    const marks = startPanel.split('\n').slice(1).filter((l) => /^( i| !|!!) /.test(l)).map((l) => l.slice(0, 2));
    assert.deepEqual(marks.slice(0, 3), [' !', ' !', ' !'], `worst first:\n${warned}`);
    assert.match(startPanel, /CLOSE_WAIT on tcp port 7000/, warned);
    assert.match(startPanel, /tcp 127\.0\.0\.1:6000 equals/, `the focus keeps a line:\n${warned}`);
    assert.match(warned, /row 1\/33/);
    tmux('send-keys', '-t', 'mon', 'End');
    await until((s) => /row 33\/33/.test(s), 'the last row');
    tmux('send-keys', '-t', 'mon', 'k', 'k');
    const s = await until((x) => /row 31\/33/.test(x) && x.includes('CLOSE_WAIT on tcp port 7000'), 'port 7000 selected');
    const lines = recommendationAt(s, 'CLOSE_WAIT on tcp port 7000');
    assert.ok(lines.length >= 3, `its evidence and fix, not one cut line:\n${s}`);
    assert.ok(lines.some((l) => /^ {3}fix: /.test(l)), `its fix:\n${s}`);
    // 7000's warning fills (nearly) the whole panel: the other warnings left out are named in the title.
    assert.match(s, /RECOMMENDATIONS \(\d+, \d+ more: see sockscope analyze\) · hidden: [12] warnings?/);
    const panel = s.slice(s.indexOf('RECOMMENDATIONS ('), s.indexOf('q quit'));
    assert.equal(panel.trimEnd().split('\n').length, 7, `the panel keeps its share (30 rows: title and 6 lines):\n${s}`);
    // A filter leaving that one row: the panel takes the rows the table leaves; the finding is still in full.
    tmux('send-keys', '-t', 'mon', '/');
    await until((x) => x.includes('Enter keep'), 'the filter bar');
    tmux('send-keys', '-t', 'mon', '7000', 'Enter');
    const f = await until((x) => x.includes('filter "7000"') && !x.includes('Enter keep') && /row 1\/1/.test(x), 'the filtered table');
    assert.ok(recommendationAt(f, 'CLOSE_WAIT on tcp port 7000').some((l) => /^ {3}fix: /.test(l)), f);
  });
});
