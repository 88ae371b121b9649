// The port view cut long peer addresses from the end: with IPv6 clients from 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1
// and ...:2 every row read `[2001:db8:aaaa:bbb…` at 80 columns (`[2001:db8:aaaa:bbbb:cccc:dd…` at 120), while
// the PROCESS column beside it had empty room: the sockets could not be told apart. An address that does not
// fit is now cut in the middle, keeping its port and its end, and the flex room goes to the column whose
// content needs it. A namespace of the test's own with both addresses on lo, a real listener and 4 clients,
// the built bin/sockscope run in it under tmux; and the rule itself (fitAddress, placeColumns).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fitAddress } from '../../src/ui/format.js';
import { placeColumns, renderRow, type Column } from '../../src/ui/layout.js';
import { PEER_GROUP_COLUMNS } from '../../src/ui/tables/peers.js';
import { SOCKET_COLUMNS } from '../../src/ui/tables/sockets.js';
import { PEER_PORT_COLUMNS } from '../../src/ui/tables/peer-ports.js';
import { netnsWithHolder } from '../helpers/netns.js';
import { hasTmux, pane, ROOT, sleep, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const A1 = '2001:db8:aaaa:bbbb:cccc:dddd:eeee:1';
const A2 = '2001:db8:aaaa:bbbb:cccc:dddd:eeee:2';
const PORT = 47951;

describe('long peer addresses in the port view', () => {
  it('fitAddress keeps the port and the address end; placeColumns gives the room to the column that needs it', () => {
    assert.equal(fitAddress(`[${A2}]:41234`, 25), '[2001:db…dd:eeee:2]:41234');
    assert.equal(fitAddress(`[${A2}]:41234`, 43), `[${A2}]:41234`);
    assert.equal(fitAddress(`${A2}`, 15), '2001:db…:eeee:2');
    assert.equal(fitAddress('192.168.100.200:65535', 14), '192….200:65535');
    assert.equal(fitAddress('[::]:* (IPv6 only)', 14), '[::]:* (IPv6 …');
    assert.equal(fitAddress(`[${A2}]:41234`, 20).length, 20);
    // Two flex columns: the long one gets what the short one does not need.
    const cols: Column<{ a: string; b: string }>[] = [
      { id: 'a', title: 'A', width: 'flex', minWidth: 14, address: true, cell: (r) => r.a },
      { id: 'x', title: 'X', width: 30, cell: () => '' },
      { id: 'b', title: 'PROCESS', width: 'flex', minWidth: 10, cell: (r) => r.b },
    ];
    const rows = [{ a: `[${A2}]:41234`, b: 'python3/12' }];
    const placed = placeColumns(cols, 80, 80, rows);
    assert.deepEqual(placed.map((c) => c.cells), [38, 30, 10]);
    // Evenly when no row is given (plain output, no rows yet).
    assert.deepEqual(placeColumns(cols, 80, 80).map((c) => c.cells), [24, 30, 24]);
    assert.match(renderRow(placed, rows[0]), /eeee:2\]:41234 /);
    // Every table with an address column cuts it the same way.
    for (const c of [SOCKET_COLUMNS.find((x) => x.id === 'peer'), SOCKET_COLUMNS.find((x) => x.id === 'local'), PEER_GROUP_COLUMNS.find((x) => x.id === 'peer'), PEER_PORT_COLUMNS.find((x) => x.id === 'top')])
      assert.equal(c?.address, true, c?.id);
  });

  describe('in the monitor, in a namespace (tmux)', { skip: tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false) }, () => {
    const ns = `sv6cut${process.pid}`;
    const tmux = tmuxServer('sockscope-v6-cut');
    const { until } = pane(tmux, 'mon');
    after(() => tmux('kill-server'));

    it('80x24 and 120x30: each row shows its peer address end and port', async (t) => {
      assert.ok(hasTmux);
      const code = [
        `import subprocess`,
        `for a in ['${A1}', '${A2}']: subprocess.run(['ip', 'addr', 'add', a + '/128', 'dev', 'lo', 'nodad'], check=True)`,
        // The addresses' local routes can lag behind 'ip addr add' on a loaded machine (a CI run's connect() got
        // ENETUNREACH): wait up to 5 s until the kernel routes to both.
        `for i in range(50):`,
        `  if all(subprocess.run(['ip', '-6', 'route', 'get', a], capture_output=True).returncode == 0 for a in ['${A1}', '${A2}']): break`,
        `  time.sleep(0.1)`,
        `l = socket.socket(socket.AF_INET6); l.bind(('${A1}', ${PORT})); l.listen(16)`,
        `cs = []; acc = []`,
        `for src in ['${A2}', '${A1}']:`,
        `  for i in range(2):`,
        `    c = socket.socket(socket.AF_INET6); c.bind((src, 0)); c.connect(('${A1}', ${PORT})); cs.append(c); acc.append(l.accept()[0])`,
      ].join('\n');
      await netnsWithHolder(t, ns, code);
      const r = tmux('new-session', '-d', '-s', 'mon', '-x', '80', '-y', '24', '-e', 'CI=false', '-c', ROOT, 'ip', 'netns', 'exec', ns, 'bin/sockscope', '--interval', '500ms');
      assert.equal(r.status, 0, r.stderr);
      await until((s) => / · row \d+\/\d+/.test(s), 'the ports view');
      tmux('send-keys', '-t', 'mon', '/');
      await until((s) => s.includes('Enter keep'), 'the filter bar');
      tmux('send-keys', '-t', 'mon', '-l', String(PORT));
      tmux('send-keys', '-t', 'mon', 'Enter');
      await until((s) => s.includes(`filter "${PORT}"`) && new RegExp(`\\b${PORT} tcp\\s`).test(s), 'the port row');
      tmux('send-keys', '-t', 'mon', 'Enter');
      for (const [cols, rows] of [[80, 24], [120, 30]]) {
        if (cols !== 80) tmux('resize-window', '-t', 'mon', '-x', String(cols), '-y', String(rows));
        await sleep(1200);
        const s = await until((x) => x.includes(`TCP PORT ${PORT}: SOCKETS`) && (x.match(/ESTABLISHED/g) ?? []).length === 4, `the port view at ${cols}x${rows}`);
        // The accepted sockets: their peers are the clients, two from each address, on ephemeral ports.
        const cells = s
          .split('\n')
          .filter((l) => /ESTABLISHED/.test(l))
          .map((l) => /^\s*(\S+)\s+ESTABLISHED/.exec(l)?.[1] ?? '');
        assert.ok(
          cells.every((c) => /eeee:[12]\]:\d{4,5}$/.test(c)),
          `${cols}x${rows}: every PEER cell keeps its address end and port:\n${s}`,
        );
        assert.equal(new Set(cells).size, 4, `${cols}x${rows}: the four sockets are told apart:\n${s}`);
        assert.equal(cells.filter((c) => c.includes('eeee:2]')).length, 2, s);
      }
      // Grouped by peer (p): the two addresses, told apart.
      tmux('resize-window', '-t', 'mon', '-x', '80', '-y', '24');
      tmux('send-keys', '-t', 'mon', 'p');
      const g = await until((x) => x.includes('BY PEER ADDRESS'), 'the by-peer table');
      assert.match(g, /eeee:1\s/, g);
      assert.match(g, /eeee:2\s/, g);
    });
  });
});
