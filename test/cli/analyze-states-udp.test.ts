// review-udp #13: analyze-states --port P on a port with only UDP sockets says they are there and not
// counted (the output was the same as for a port nobody uses); a real UDP socket on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { withUdpOnPort } from '../../src/report/udp-on-port.js';
import { buildStatesReport } from '../../src/report/analyze.js';
import { fakeSnapshot, listener, proc, udp } from '../helpers/fake-snapshot.js';

test('withUdpOnPort: a UDP-only port changes the quiet line and adds a note; a TCP port keeps its line', () => {
  const snap = fakeSnapshot({ sockets: [udp('0.0.0.0:5514', { processes: [proc(88, 'rsyslogd')] })] });
  const r = withUdpOnPort(buildStatesReport(snap, { port: 5514 }), snap, { port: 5514 });
  assert.equal(r.recommendation, 'no TCP connections on port 5514; 1 UDP socket on port 5514 (0.0.0.0:5514 rsyslogd/88), not counted above: UDP has no connection states; sockscope analyze --port 5514 --samples 5 shows its queue and drops');
  // README's analyze-states section shows this very line.
  assert.ok(readFileSync('README.md', 'utf8').includes(`\nRecommendation: ${r.recommendation}\n`), 'README documents the line as printed');
  assert.deepEqual(r.notes, ['1 UDP socket on port 5514 (0.0.0.0:5514 rsyslogd/88), not counted above: UDP has no connection states; sockscope analyze --port 5514 --samples 5 shows its queue and drops']);
  // Several: plural, the first three named, the rest counted.
  const many = fakeSnapshot({ sockets: [1, 2, 3, 4].map((i) => udp(`127.0.0.${i}:5514`, { processes: [proc(90 + i, 'dnsd')] })) });
  assert.equal(
    withUdpOnPort(buildStatesReport(many, { port: 5514 }), many, { port: 5514 }).recommendation,
    'no TCP connections on port 5514; 4 UDP sockets on port 5514 (127.0.0.1:5514 dnsd/91; 127.0.0.2:5514 dnsd/92; 127.0.0.3:5514 dnsd/93; 1 more), not counted above: UDP has no connection states; sockscope analyze --port 5514 --samples 5 shows their queues and drops',
  );
  const both = fakeSnapshot({ sockets: [listener('0.0.0.0:5514', 128), udp('0.0.0.0:5514')] });
  const t = withUdpOnPort(buildStatesReport(both, { port: 5514 }), both, { port: 5514 });
  assert.equal(t.recommendation, 'TIME_WAIT count is normal');
  assert.equal(t.notes.length, 1);
  const none = fakeSnapshot({ sockets: [] });
  assert.deepEqual(withUdpOnPort(buildStatesReport(none, { port: 5514 }), none, { port: 5514 }).notes, []);
});

test('analyze-states --port on a real UDP socket: the recommendation line names it (text and --json)', { timeout: 60_000 }, async () => {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  try {
    const text = spawnSync('bin/sockscope', ['analyze-states', '--port', String(port)], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.trim().split('\n');
    assert.equal(lines.length, 12, text.stdout);
    assert.equal(lines[11], `Recommendation: no TCP connections on port ${port}; 1 UDP socket on port ${port} (127.0.0.1:${port} node/${process.pid}), not counted above: UDP has no connection states; sockscope analyze --port ${port} --samples 5 shows its queue and drops`);
    const json = spawnSync('bin/sockscope', ['analyze-states', '--port', String(port), '--json'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(json.status, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { recommendation: string; notes: string[] };
    const note = doc.notes.find((n) => n.startsWith(`1 UDP socket on port ${port} (`));
    assert.ok(note !== undefined, json.stdout);
    // README: `recommendation` is the line; `notes` has the same text without the prefix (it said "the same text in both").
    assert.equal(doc.recommendation, lines[11].slice('Recommendation: '.length));
    assert.equal(doc.recommendation, `no TCP connections on port ${port}; ${note}`);
    const readme = readFileSync('README.md', 'utf8').replace(/\s+/g, ' ');
    assert.ok(readme.includes('`--json` has the line in `recommendation`, and in `notes` the same text without its `no TCP connections on port P; ` prefix'), 'README says how recommendation and notes differ');
    assert.ok(!readme.includes('the same text in `recommendation` and in `notes`'));
  } finally {
    s.close();
  }
});
