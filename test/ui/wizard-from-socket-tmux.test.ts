// `c` in the socket view (the built bin in tmux, real loopback sockets): the wizard started at port 8080, as if no
// port were selected (view-helpers.ts wizardInitialFor knew the port and ports views only), where README says `c`
// starts from the selected port and the keymap lists c for the socket view. Now a server-side socket (opened from
// a local port's view) proposes its local port, and an outgoing client socket (opened from the outgoing table's
// peer-port view) the port it connects to: its own local port is an ephemeral one.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const skip = tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false);
const tmux = tmuxServer('sockscope-wiz-socket');

describe('c in the socket view starts the wizard from that socket (tmux)', { skip }, () => {
  const server = net.createServer((c) => held.push(c));
  const held: net.Socket[] = [];
  let client: net.Socket;
  let port = 0;
  before(async () => {
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    port = (server.address() as net.AddressInfo).port;
    client = net.connect(port, '127.0.0.1');
    await new Promise<void>((res) => client.once('connect', () => res()));
  });
  after(() => {
    tmux('kill-server');
    client?.destroy();
    for (const c of held) c.destroy();
    server.close();
  });

  /** The monitor in session `name`; returns a key sender that waits for the screen to change. */
  async function monitor(name: string, args: string) {
    const r = tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '30', '-e', 'CI=false', '-c', ROOT, `${ROOT}bin/sockscope --interval 500ms ${args}`);
    assert.equal(r.status, 0, r.stderr);
    const p = pane(tmux, name);
    // The table's rows, not only its title (a key before the first snapshot acts on an empty table).
    await p.until((s) => s.includes('LOCAL PORTS') && / · row \d+\/\d+/.test(s), 'the monitor with its rows');
    const key = async (k: string, pred: (s: string) => boolean, what: string) => {
      tmux('send-keys', '-t', name, k);
      return p.until(pred, what);
    };
    /** `c`, then Enter on each default question up to the port: the port the wizard proposes. */
    const proposed = async () => {
      await key('c', (s) => s.includes('sockscope generate') && s.includes('Protocol'), 'the wizard');
      for (let k = 0; k < 8 && !/^Port/m.test(p.capture()); k++) {
        const before = p.capture();
        await key('Enter', (s) => s !== before, 'the next question');
      }
      const s = p.capture();
      const m = /^Port[^\n]*\n› (\d+)/m.exec(s);
      assert.ok(m, `the port question:\n${s}`);
      return Number(m[1]);
    };
    return { p, key, proposed };
  }

  it("a server-side socket (local port view): the socket's local port, not 8080", { timeout: 60_000 }, async () => {
    const { key, proposed } = await monitor('local', `--port ${port}`);
    await key('Enter', (s) => s.includes(`TCP PORT ${port}`), 'the port view');
    // Row 1 is the listener; Down to the accepted connection, then its socket view.
    await key('Down', (s) => / · row 2\/\d+/.test(s) || /row 2/.test(s), 'the second row');
    const s = await key('Enter', (x) => /^SOCKET tcp/m.test(x), 'the socket view');
    assert.match(s, new RegExp(`^SOCKET tcp 127\\.0\\.0\\.1:${port} ->`, 'm'), 'the accepted connection');
    assert.equal(await proposed(), port);
  });

  it('a listener (socket view from the local port view): its port', { timeout: 60_000 }, async () => {
    const { key, proposed } = await monitor('listener', `--port ${port}`);
    await key('Enter', (s) => s.includes(`TCP PORT ${port}`), 'the port view');
    const s = await key('Enter', (x) => /^SOCKET tcp/m.test(x), 'the socket view');
    assert.match(s, new RegExp(`^SOCKET tcp 127\\.0\\.0\\.1:${port}\\b`, 'm'));
    assert.equal(await proposed(), port);
  });

  it('an outgoing client socket (peer-port view): the port it connects to, not its ephemeral local port or 8080', { timeout: 60_000 }, async () => {
    const { key, proposed } = await monitor('peer', '');
    await key('Tab', (s) => /OUTGOING/.test(s), 'the outgoing table');
    // The bar's own text: the footer's "/ filter" hint is gone once the bar replaces it (a CI run timed out
    // waiting for /filter/ on a screen that showed the bar).
    await key('/', (s) => s.includes('Enter keep · Esc clear'), 'the filter bar');
    tmux('send-keys', '-t', 'peer', '-l', String(port));
    await key('Enter', (s) => s.includes(`filter "${port}"`) && !s.includes('Enter keep · Esc clear'), 'the filter kept');
    await key('Enter', (s) => new RegExp(`TO TCP PORT ${port}`).test(s), "the peer port's view");
    const s = await key('Enter', (x) => /^SOCKET tcp/m.test(x), 'the socket view');
    const local = (client.address() as net.AddressInfo).port;
    assert.match(s, new RegExp(`^SOCKET tcp 127\\.0\\.0\\.1:${local} -> 127\\.0\\.0\\.1:${port}`, 'm'), 'the client socket');
    assert.equal(await proposed(), port);
  });
});
