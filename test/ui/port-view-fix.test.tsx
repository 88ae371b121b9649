// The Port view shows its recommendation's fix even when the port's sockets fill the table: the panel got at
// most 2 lines there and its 2-line form put the fix after the evidence on one line, cut off at any width
// (the evidence alone is longer than 200 columns). Real loopback sockets: 129 in CLOSE_WAIT on one port,
// read by the netlink collector, the recommendation made by the real rules.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import net from 'node:net';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { Recommendation } from '../../src/advise/types.js';
import { createSource } from '../../src/collect/index.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { recommendationRows } from '../../src/ui/components/Recommendations.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';
import { FakeSource } from './fakes.js';
import { KEY, mount } from './harness.js';

const N = 129;
let port = 0;
let server: net.Server;
const accepted: net.Socket[] = [];
const clients: net.Socket[] = [];
let snap: Snapshot;
let rec: Recommendation;

before(async () => {
  port = await freeLowPort();
  // allowHalfOpen: the server never closes its side after the client's FIN, so it stays in CLOSE_WAIT.
  server = net.createServer({ allowHalfOpen: true }, (c) => {
    c.on('error', () => {});
    accepted.push(c);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', 512, () => r()));
  for (let i = 0; i < N; i++) {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    await new Promise<void>((r) => c.once('connect', () => r()));
    clients.push(c);
  }
  await waitFor(`${N} accepted`, () => (accepted.length === N ? true : undefined), 10_000, 10);
  for (const c of clients) c.end();
  const source = createSource('netlink');
  snap = await waitFor(
    `${N} CLOSE_WAIT on the port`,
    async () => {
      const s = await source.collect({ port, protocols: ['tcp'], processes: 'all' });
      return s.sockets.filter((k) => k.state === 'CLOSE_WAIT').length === N ? s : undefined;
    },
    10_000,
    50,
  );
  const recs = evaluateRules(makeContext({ snapshot: snap })).filter((r) => r.port === port);
  rec = recs.find((r) => r.id === 'close-wait-accumulating')!;
  assert.ok(rec, `a close-wait recommendation on ${port}: ${recs.map((r) => r.id).join(' ')}`);
  assert.ok(rec.evidence.length > 80, `the evidence is longer than a line: ${rec.evidence}`);
});

after(() => {
  for (const c of clients) c.destroy();
  for (const a of accepted) a.destroy();
  server?.close();
});

/** The first words of the fix as the panel starts them ("fix: ..."), cut to what fits in `n` columns. */
const fixStart = (r: Recommendation) => `fix: ${r.fix}`.slice(0, 40);

for (const [columns, rows] of [
  [80, 24],
  [200, 50],
  // 2 lines for the panel: message and fix.
  [80, 15],
] as const) {
  describe(`Port view at ${columns}x${rows}, the port's sockets filling the table`, () => {
    it('shows the recommendation\'s message and its fix on lines of their own', async () => {
      const h = await mount(new FakeSource(() => snap), { columns, rows, recs: [rec] });
      try {
        await h.press('/', ...'close_wait', KEY.enter);
        await h.until((f) => f.includes('filter "close_wait"'));
        await h.press(KEY.enter);
        const f = await h.until((x) => x.includes(`TCP PORT ${port}: SOCKETS`));
        const lines = f.split('\n');
        assert.equal(lines.length, rows - 1);
        for (const l of lines) assert.ok(l.length <= columns, `wider than ${columns}: ${l}`);
        // The table is full: the recommendations did not get the rows of a short table.
        assert.match(f, new RegExp(`TCP PORT ${port}: SOCKETS ${N + 1} `), f);
        const panel = lines.findIndex((l) => l.startsWith('RECOMMENDATIONS (1'));
        assert.ok(panel > 0, `the panel:\n${f}`);
        const below = lines.slice(panel + 1);
        assert.ok(below.some((l) => l.includes(rec.message.slice(0, 30))), `the message:\n${f}`);
        const fixLine = below.find((l) => l.trimStart().startsWith('fix: '));
        assert.ok(fixLine, `a fix line in the port view:\n${f}`);
        assert.ok(fixLine.trimStart().startsWith(fixStart(rec).slice(0, Math.min(40, columns - 10))), `the fix's own words: ${fixLine}`);
        if (rows >= 50) {
          // With room, the evidence is there too, and the fix in full.
          assert.ok(below.some((l) => l.includes(rec.evidence.slice(0, 30))), `the evidence at ${rows} rows:\n${f}`);
          assert.ok(!f.includes('shortened'), `everything in full at ${columns}x${rows}:\n${f}`);
        }
      } finally {
        h.unmount();
      }
    });
  });
}

describe('a recommendation in 2 lines', () => {
  it('is its message and its fix (the fix came after the evidence on the second line, cut off)', () => {
    for (const width of [80, 200]) {
      const rows = recommendationRows([rec], 2, width);
      assert.deepEqual(rows.map((r) => r.kind), ['message', 'fix']);
      assert.ok(rows[1].text.startsWith(`   ${fixStart(rec)}`.slice(0, width - 1)), rows[1].text);
    }
  });
});
