// Review s25 (monitor) finding 1: with more recommendations than panel lines (33 findings in a 6-line panel, 300
// info listen-backlog-capped lines) every one got one cut line, the selected port's worst included, though README
// says it is shown in full first: recommendationHeights gave the focus extra lines only when there were fewer
// findings than lines. The focus now gets its full height first (within the panel), then one line each to the
// others that fit. Pure heights, then the built bin/sockscope in tmux at 100x30 in a network namespace of its
// own: 30 listeners with backlog 4096 (= the namespace's net.core.somaxconn: 30 info findings), a CLOSE_WAIT leak
// of 20 on port 7000, a UDP socket on 7200 with a 1 KiB receive buffer flooded (drops).
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Recommendation } from '../../src/advise/types.js';
import { recommendationHeights, recommendationRows, recommendationsFullHeight } from '../../src/ui/components/Recommendations.js';
import { createNetns, deleteNetns, netnsScript, stopNetnsScript } from '../helpers/netns.js';
import { MANY_FINDINGS } from '../helpers/many-findings.js';
import { hasTmux, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

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

describe('the monitor at 100x30, 33 findings: the selected port\'s worst is read in full (netns)', { skip: tmuxSkip || (root ? false : 'needs root (network namespace)') }, () => {
  const tmux = tmuxServer('sockscope-recfocus');
  const { capture, until } = pane(tmux, 'mon');
  let holder: ChildProcess | undefined;

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    createNetns(NS);
    holder = (await netnsScript(NS, MANY_FINDINGS)).proc;
  });

  after(() => {
    tmux('kill-server');
    stopNetnsScript(holder);
    deleteNetns(NS);
  });

  it('End k k selects port 7000: its CLOSE_WAIT finding has its evidence and fix on screen; a filter leaving that one row too', { timeout: 60_000 }, async () => {
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '100', '-y', '30', '-e', 'CI=false', '-c', ROOT, 'ip', 'netns', 'exec', NS, 'bin/sockscope', '--interval', '500ms');
    assert.equal(r.status, 0, r.stderr);
    const first = await until((s) => /LOCAL PORTS 33 /.test(s) && /RECOMMENDATIONS \((3[2-9]|[4-9]\d), \d+ more/.test(s), 'the table and 32+ findings', 40_000);
    // Before any key the first row (6000) is selected: its info finding is the focus (with 32 findings and 6 lines).
    assert.ok(recommendationAt(first, 'tcp 127.0.0.1:6000 equals').some((l) => /^ {3}fix: /.test(l)), first);
    tmux('send-keys', '-t', 'mon', 'End');
    await until((s) => /row 33\/33/.test(s), 'the last row');
    tmux('send-keys', '-t', 'mon', 'k', 'k');
    const s = await until((x) => /row 31\/33/.test(x) && x.includes('CLOSE_WAIT on tcp port 7000'), 'port 7000 selected');
    const lines = recommendationAt(s, 'CLOSE_WAIT on tcp port 7000');
    assert.ok(lines.length >= 3, `its evidence and fix, not one cut line:\n${s}`);
    assert.ok(lines.some((l) => /^ {3}fix: /.test(l)), `its fix:\n${s}`);
    assert.match(s, /RECOMMENDATIONS \(\d+, \d+ more: see sockscope analyze\)/);
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
