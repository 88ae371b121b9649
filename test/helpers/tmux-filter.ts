// The monitor's filter bar in tmux, for tests of what typing there does: the built bin/sockscope in a tmux
// session of its own, a loopback TCP listener for the filter to find, and the bar's line read back.
// Call monitorFilter() inside a describe: it registers the listener's before/after hooks there.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before } from 'node:test';
import { freeLowPort } from './free-port.js';
import { hasTmux, pane, ROOT, tmuxServer } from './tmux.js';

export interface MonitorFilter {
  tmux: ReturnType<typeof tmuxServer>;
  capture: () => string;
  until: (pred: (screen: string) => boolean, what: string) => Promise<string>;
  /** The filter bar's line ("/ text█"), '' when it is not shown. */
  bar: (screen: string) => string;
  /** The listener's port (set once the hooks ran). */
  port: () => number;
  /** Starts the monitor at `width` x 24 (every 500 ms) and opens the filter bar. */
  openFilter: (width: number) => Promise<void>;
}

export function monitorFilter(name: string): MonitorFilter {
  const tmux = tmuxServer(name);
  const { capture, until } = pane(tmux, 'mon');
  let server: net.Server | undefined;
  let port = 0;
  before(async () => {
    port = await freeLowPort();
    server = net.createServer();
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', () => r()));
  });
  after(() => {
    tmux('kill-server');
    server?.close();
  });
  return {
    tmux,
    capture,
    until,
    bar: (s) => s.split('\n').find((l) => l.startsWith('/ ')) ?? '',
    port: () => port,
    async openFilter(width) {
      assert.ok(hasTmux);
      const r = tmux('new-session', '-d', '-s', 'mon', '-x', String(width), '-y', '24', '-e', 'CI=false', '-c', ROOT, 'bin/sockscope', '--interval', '500ms');
      assert.equal(r.status, 0, r.stderr);
      await until((s) => / · row \d+\/\d+/.test(s), 'the ports view');
      tmux('send-keys', '-t', 'mon', '/');
      await until((s) => s.includes('Enter keep'), 'the filter bar');
    },
  };
}
