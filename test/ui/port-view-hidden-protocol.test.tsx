// `t` (hide TCP) in a TCP port's view (review s14-tui #5): the collector is then not asked for TCP, and the
// view said "no listener on this port (connections only)" and "TCP PORT N: SOCKETS 0", false: the
// listener is there, TCP is only hidden. The view says TCP is hidden and that t shows it again; t brings
// the listener and the sockets back.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { collectProtocols } from '../../src/cli/commands/monitor-run.js';
import { FakeSource, snapshot, webHost } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

/** Serves what the monitor asks for: only the protocols it collects, as a real collector does. */
function source(): FakeSource {
  const all = webHost();
  const src: FakeSource = new FakeSource(() => {
    const protocols = src.lastOptions?.protocols ?? ['tcp', 'udp'];
    return snapshot(all.filter((s) => protocols.includes(s.protocol)));
  });
  return src;
}

describe('a protocol hidden in its own port view', () => {
  it('t in TCP PORT 80: "TCP is hidden ... (t shows TCP again)", no "no listener", no "SOCKETS 0"; t again shows them', async () => {
    // As the shipped monitor: TCP and UDP are collected whatever the toggles (the rules and the header count them).
    h = await mount(source(), { columns: 100, rows: 24, collectProtocols });
    await h.press(KEY.down); // 80 (53/udp is first)
    await h.press(KEY.enter);
    await h.until((f) => f.includes('TCP PORT 80: SOCKETS') && f.includes('listening 0.0.0.0:80'));
    await h.press('t');
    let f = await h.until((x) => x.includes('TCP is hidden'));
    // Let the refresh without TCP land: what it shows must still not say the port has no listener.
    await h.refresh();
    f = h.frame();
    assert.ok(h.source.lastOptions?.protocols?.includes('tcp'), 'TCP is still collected while hidden (collectProtocols)');
    assert.match(f, /TCP is hidden: its listeners and sockets are not listed \(t shows TCP again\)/, f);
    assert.match(f, /TCP PORT 80: SOCKETS · not shown: TCP hidden, t shows it/, f);
    assert.doesNotMatch(f, /sockets are not collected|not evaluated/, f);
    assert.doesNotMatch(f, /no listener on this port/, f);
    assert.doesNotMatch(f, /SOCKETS 0/, f);
    await h.press('t');
    await h.refresh();
    f = await h.until((x) => x.includes('listening 0.0.0.0:80'));
    assert.doesNotMatch(f, /TCP is hidden/, f);
    assert.match(f, /TCP PORT 80: SOCKETS \d+ · sort/, f);
  });

  it('u in UDP PORT 53 likewise', async () => {
    h = await mount(source(), { columns: 100, rows: 24, collectProtocols });
    await h.press(KEY.enter); // 53/udp
    await h.until((f) => f.includes('UDP PORT 53'));
    await h.press('u');
    await h.refresh();
    const f = await h.until((x) => x.includes('UDP is hidden'));
    assert.match(f, /u shows UDP again/, f);
    assert.doesNotMatch(f, /no listener on this port|SOCKETS 0/, f);
  });
});
