// analyze-states' one Recommendation line called TIME_WAIT "normal" next to a time-wait-unsettled line in --json
// (review s20 dr-analyze, after e6f3539): buildStatesReport took the first health line whose message matched
// /TIME_WAIT/, and the unsettled messages ("Timewait entries at ...", "Connections from ... use N% of the
// ephemeral ports ...") do not contain it, so the text's only advice was "TIME_WAIT count is normal". The line
// is now picked by id: time-wait-unsettled prints its own message, time-wait-ok "TIME_WAIT count is normal".
// Real sockets in a network namespace of the test's own (net.ipv4.tcp_max_tw_buckets 100 there): a snapshot with
// no timewait entry, then 90 TIME_WAIT sockets (90% of the buckets, the warning at 80%) and a second snapshot,
// so the level is reached now and not held for persistSamples (3) samples: no finding, the unsettled line.
// Needs root (ip netns) and iproute2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createNetns, deleteNetns } from '../helpers/netns.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Run inside the namespace: two real snapshots around 90 connect()/close() pairs (the client closes first, so
// each leaves a TIME_WAIT), then the states report of the later one with both as its history, and of the
// earlier one alone.
const SCRIPT = String.raw`
import { createServer, connect } from 'node:net';
import { NetlinkSource } from './src/collect/netlink.ts';
import { buildStatesReport } from './src/report/analyze.ts';
import { formatStatesReport } from './src/report/print-analyze.ts';
const src = new NetlinkSource();
const opts = { protocols: ['tcp'], processes: 'none' };
const server = createServer((s) => { s.on('end', () => s.end()); s.resume(); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const before = await src.collect(opts);
for (let i = 0; i < 90; i++) {
  await new Promise((res, rej) => {
    const c = connect(port, '127.0.0.1', () => c.end());
    c.on('error', rej);
    c.on('close', res);
    c.resume();
  });
}
await new Promise((r) => setTimeout(r, 200));
const after = await src.collect(opts);
server.close();
const unsettled = buildStatesReport(after, {}, [before, after]);
const normal = buildStatesReport(before, {}, [before]);
console.log(JSON.stringify({
  tw: after.counters.sockstat?.TCP?.tw ?? null,
  unsettled: { recommendation: unsettled.recommendation, ids: unsettled.recommendations.map((r) => r.id), messages: unsettled.recommendations.map((r) => r.message), text: formatStatesReport(unsettled) },
  normal: { recommendation: normal.recommendation, ids: normal.recommendations.map((r) => r.id), text: formatStatesReport(normal) },
}));
`;

interface Side {
  recommendation: string;
  ids: string[];
  messages?: string[];
  text: string;
}

test('analyze-states: timewait entries at the warning level not held yet give the time-wait-unsettled line, never "TIME_WAIT count is normal"', { timeout: 60_000 }, (t) => {
  const ns = `sockscope-twu-${process.pid}`;
  t.after(() => deleteNetns(ns));
  createNetns(ns);
  const sysctl = spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.tcp_max_tw_buckets=100'], { encoding: 'utf8' });
  assert.equal(sysctl.status, 0, sysctl.stderr);
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8', cwd: ROOT, timeout: 45_000 });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { tw: number | null; unsettled: Side; normal: Side };
  assert.ok(got.tw !== null && got.tw >= 80 && got.tw < 100, `90 timewait entries made, 80-99 expected in sockstat: ${got.tw}`);
  const u = got.unsettled;
  // The situation the review found: no finding, the unsettled health line in --json.
  assert.ok(!u.ids.includes('time-wait-buckets-near-limit'), 'the level has not held for persistSamples samples: no finding');
  const at = u.ids.indexOf('time-wait-unsettled');
  assert.ok(at >= 0, JSON.stringify(u.ids));
  assert.ok(!u.ids.includes('time-wait-ok'), JSON.stringify(u.ids));
  const message = u.messages![at];
  assert.match(message, /^Timewait entries at 9\d(\.\d)?% of net\.ipv4\.tcp_max_tw_buckets \(warning at 80%\), not yet in 3 samples in a row$/);
  // The one Recommendation line says the same, and the text nowhere calls TIME_WAIT normal.
  assert.equal(u.recommendation, message);
  assert.doesNotMatch(u.text, /normal/);
  const lines = u.text.trimEnd().split('\n');
  assert.equal(lines.at(-1), `Recommendation: ${message}`);
  // product.md's shape: every state, then exactly one Recommendation line.
  assert.equal(lines.length, 12, u.text);
  assert.ok(lines.slice(0, -1).every((l) => /^[A-Z_0-9]+: \d+ connections$/.test(l)), u.text);
  assert.equal(lines.filter((l) => l.startsWith('Recommendation: ')).length, 1);
  // Below the level: time-wait-ok and "TIME_WAIT count is normal", as before.
  assert.ok(got.normal.ids.includes('time-wait-ok'), JSON.stringify(got.normal.ids));
  assert.equal(got.normal.recommendation, 'TIME_WAIT count is normal');
  assert.equal(got.normal.text.trimEnd().split('\n').at(-1), 'Recommendation: TIME_WAIT count is normal');
});
