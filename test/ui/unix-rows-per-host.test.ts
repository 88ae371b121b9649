// Several --host with --unix: the unix rows were grouped by path only (ui/derive.ts summarizeUnix), so one
// path on two hosts was one row without a HOST, its totals summed and its process list merged by pid across
// hosts; `--json`'s unix entries had no `host`. README: rows are per (host, protocol, port), never merged
// across hosts. Now a unix row is per (host, path), as a port row is. A real sshd on loopback read twice
// under two aliases (both this machine) as root; the unix listener is this test's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultiHostSource } from '../../src/collect/multi-host.js';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { buildPortTables, localPortSamples } from '../../src/ui/derive.js';
import { portSockets, portsTableModel } from '../../src/ui/table-model.js';
import { initialState } from '../../src/ui/state.js';
import { runCli } from '../helpers/run-cli.js';
import { startSshdWithUnixListener } from '../helpers/sshd-users.js';

const A = 'root@sockscope-test';
const B = 'root@sockscope-test2';

test('--unix with two --host: one row per (host, path) in the plain table and --json, each with its host (real sshd)', { timeout: 180_000 }, async (t) => {
  // Short: the plain table's PROCESS column cuts a long path in its middle.
  const { sshd, path } = await startSshdWithUnixListener(t, [], 'ssuh', 'u.sock');
  const args = ['--unix', '--host', A, '--host', B, '--ssh-config', sshd.clientConfig];

  await t.test('the plain table: two rows of the path, one per host, each in the HOST column', async () => {
    const r = await runCli(args);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[3], /^\s+HOST\s+PORT PROTO PROCESS/, r.stdout.slice(0, 2000));
    const rows = lines.filter((l) => l.includes(` ${path} `));
    assert.equal(rows.length, 2, rows.join('\n'));
    assert.match(rows.find((l) => l.includes(` ${A} `)) ?? '', new RegExp(`^\\s*\\S+\\s+${A}\\s+- unix\\s+${path} node/${process.pid}\\b`), rows.join('\n'));
    assert.match(rows.find((l) => l.includes(` ${B} `)) ?? '', new RegExp(`^\\s*\\S+\\s+${B}\\s+- unix\\s+${path} node/${process.pid}\\b`), rows.join('\n'));
  });

  await t.test('--json: two unix entries of the path, each with its host, total 1 and its own process', async () => {
    const r = await runCli([...args, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { unix: Array<{ host?: string; path: string; total: number; listeners: unknown[]; processes: Array<{ pid: number }> }> };
    const mine = doc.unix.filter((u) => u.path === path);
    assert.deepEqual(
      mine.map((u) => [u.host, u.total, u.listeners.length, u.processes.map((p) => p.pid)]),
      [
        [A, 1, 1, [process.pid]],
        [B, 1, 1, [process.pid]],
      ],
      JSON.stringify(mine),
    );
    assert.ok(
      doc.unix.every((u) => u.host === A || u.host === B),
      'every unix entry names its host',
    );
  });

  await t.test('the monitor: two rows with their own ids, trend samples and drill-down to that host\'s socket alone', async () => {
    const sources = [A, B].map((label) => ({ label, source: new RemoteSource(parseRemoteTarget(label), { configFile: sshd.clientConfig }) }));
    const snap = await new MultiHostSource(sources, { waitForAll: true }).collect({ protocols: ['unix'], processes: 'listeners' });
    const tables = buildPortTables(snap.sockets, new Map(), { map: new Map() }, undefined, undefined, snap.attribution.scope);
    const rows = tables.local.filter((r) => r.summary.protocol === 'unix' && r.label === path);
    assert.deepEqual(rows.map((r) => [r.id, r.summary.host]), [[`${A} unix:${path}`, A], [`${B} unix:${path}`, B]]);
    const samples = localPortSamples(snap.sockets);
    assert.deepEqual([samples.get(rows[0].id), samples.get(rows[1].id)], [0, 0], 'a listener alone: no connections, one sample per row');
    const model = portsTableModel(tables, initialState({ intervalMs: 1000, protocols: { tcp: false, udp: false, unix: true } }));
    for (const [i, host] of [A, B].entries()) {
      const push = model.drill!(rows[i] as never).find((a) => a.type === 'push') as { frame: Parameters<typeof portSockets>[1] };
      assert.equal(push.frame.host, host);
      assert.equal(push.frame.label, `${host}: UNIX ${path}`);
      assert.deepEqual(portSockets(snap.sockets, push.frame).map((s) => [s.host, s.local.address, s.state]), [[host, path, 'LISTEN']]);
    }
  });
});
