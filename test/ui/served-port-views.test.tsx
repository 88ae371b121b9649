// `sockscope --port P` (the plain table, --json and the full-screen monitor) counts P as served, as
// analyze --port P does (README: "--port P makes P served for its rules"): a server's CLOSE_WAIT leak on a
// port inside the ephemeral range whose listener has closed is a row of port P with its close-wait
// finding. It was "(no sockets)", ports [] and "Recommendations: none", the 11 sockets shown as 11
// outgoing one-socket groups keyed by the clients' ports. Real loopback sockets, the netlink collector,
// the real rules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import { createSource } from '../../src/collect/index.js';
import { ephemeralRange, type Snapshot } from '../../src/model/snapshot.js';
import { buildSnapshotReport } from '../../src/report/snapshot-report.js';
import { plainReport } from '../../src/ui/plain.js';
import { acceptedPairs, type AcceptedPairs } from '../helpers/accepted-pairs.js';
import { waitFor } from '../helpers/free-port.js';
import { FakeSource } from './fakes.js';
import { KEY, mount } from './harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const N = 11;
let pairs: AcceptedPairs;
let port = 0;
let snap: Snapshot;

before(async () => {
  // Port 0: the kernel picks it from the ephemeral range, as 45000 in net.ipv4.ip_local_port_range.
  pairs = await acceptedPairs(0, N, { allowHalfOpen: true });
  port = pairs.port;
  pairs.server.close(); // the listener goes; the accepted sockets stay open
  for (const c of pairs.clients) c.end(); // shutdown(SHUT_WR): the server sides go CLOSE_WAIT
  const source = createSource('netlink');
  snap = await waitFor(
    `${N} CLOSE_WAIT on the port, no listener`,
    async () => {
      const s = await source.collect({ port, protocols: ['tcp', 'udp'], processes: 'listeners' });
      const cw = s.sockets.filter((k) => k.local.port === port && k.state === 'CLOSE_WAIT');
      return cw.length === N && !s.sockets.some((k) => k.state === 'LISTEN') ? s : undefined;
    },
    10_000,
    50,
  );
  const [lo, hi] = ephemeralRange(snap);
  assert.ok(port >= lo && port <= hi, `${port} inside the ephemeral range ${lo}-${hi}`);
});

after(() => pairs?.destroy());

const finding = () => new RegExp(`${N} sockets in CLOSE_WAIT on tcp port ${port}`);

describe('--port P inside the ephemeral range, its listener closed, 11 CLOSE_WAIT', () => {
  it('the plain table (sockscope --port P | cat): a row of P with 11 C-WAIT and the close-wait finding', () => {
    const r = spawnSync(process.execPath, [`${ROOT}bin/sockscope`, '--port', String(port)], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\(no sockets\)/, r.stdout);
    const row = r.stdout.split('\n').find((l) => new RegExp(`^ !\\s+${port} tcp `).test(l));
    assert.ok(row, `a warning row for port ${port}:\n${r.stdout}`);
    assert.match(row, new RegExp(`\\s${N}\\s+·\\s+·\\s+1$`), `11 in C-WAIT, 1 peer: ${row}`);
    assert.match(r.stdout, finding(), r.stdout);
    assert.doesNotMatch(r.stdout, /Recommendations: none/, r.stdout);
  });

  it('sockscope --port P --json: ports has P with 11 CLOSE_WAIT, outgoing none, the close-wait finding', () => {
    const r = spawnSync(process.execPath, [`${ROOT}bin/sockscope`, '--port', String(port), '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { ports: Array<{ port: number; protocol: string; states: Record<string, number> }>; outgoing: unknown[]; recommendations: Array<{ id: string; port?: number; message: string }> };
    assert.deepEqual(doc.ports.map((p) => [p.protocol, p.port, p.states.CLOSE_WAIT]), [['tcp', port, N]]);
    assert.deepEqual(doc.outgoing, [], 'no outgoing group per client port');
    const cw = doc.recommendations.find((x) => x.id === 'close-wait-accumulating');
    assert.ok(cw, JSON.stringify(doc.recommendations));
    assert.equal(cw.port, port);
    assert.match(cw.message, finding());
  });

  it('the library paths agree: buildSnapshotReport and plainReport with the port', () => {
    const recs = evaluateRules(makeContext({ snapshot: snap, port }));
    assert.ok(recs.some((x) => x.id === 'close-wait-accumulating' && x.port === port), recs.map((x) => x.id).join(' '));
    const doc = buildSnapshotReport(snap, recs, { protocols: ['tcp', 'udp'], port });
    assert.deepEqual(doc.ports.map((p) => p.port), [port]);
    assert.deepEqual(doc.outgoing, []);
    const text = plainReport(snap, recs, { protocols: { tcp: true, udp: true, unix: false }, port });
    assert.match(text, new RegExp(`^ !\\s+${port} tcp `, 'm'), text);
  });

  it('the full-screen monitor with --port P: the row, its warning mark, the finding; the port view lists the 11', async () => {
    const h = await mount(new FakeSource(() => snap), { columns: 120, rows: 30, port, advise: (ctx) => evaluateRules(makeContext(ctx)) });
    try {
      const f = await h.until((x) => finding().test(x));
      assert.match(f, /LOCAL PORTS 1 /, f);
      const row = f.split('\n').find((l) => new RegExp(`^\\s*!\\s+${port} tcp `).test(l));
      assert.ok(row, `a warning row for ${port}:\n${f}`);
      assert.match(row, new RegExp(`\\s${N}\\s`), row);
      await h.press(KEY.enter);
      const pv = await h.until((x) => x.includes(`TCP PORT ${port}: SOCKETS ${N}`));
      assert.equal(pv.split('\n').filter((l) => l.includes('CLOSE_WAIT')).length >= N, true, pv);
      assert.match(pv, finding(), pv);
      await h.press(KEY.escape, KEY.tab);
      const out = await h.until((x) => x.includes('OUTGOING'));
      assert.match(out, /OUTGOING CONNECTIONS BY PEER PORT 0\b/, `no outgoing rows for the served port:\n${out}`);
    } finally {
      h.unmount();
    }
  });
});
