// The port view named an unconnected UDP socket by the kernel's internal state, CLOSE: its STATE cell and
// the socket view said CLOSE, `/unconn` found nothing and `/close` matched, while ss and the home view
// (portSearchTerms) call it UNCONN (README: it matches `unconn`, not `close`). A real UDP socket bound on
// loopback, the built bin/sockscope in tmux; and the socket view's lines from a real netlink snapshot.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createSource } from '../../src/collect/index.js';
import { socketLines } from '../../src/ui/socket-lines.js';
import { SOCKET_COLUMNS, socketSearchTerms } from '../../src/ui/tables/sockets.js';
import { matchesFilter } from '../../src/ui/tables/filter.js';
import { freeLowPort, waitFor } from '../helpers/free-port.js';
import { hasTmux, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

describe('an unconnected UDP socket in the port and socket views', () => {
  let udp: dgram.Socket;
  let port: number;
  const tmux = tmuxServer('sockscope-udp-unconn');
  const { until } = pane(tmux, 'mon');

  before(async () => {
    port = await freeLowPort();
    udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(port, '127.0.0.1', () => r()));
  });
  after(() => {
    tmux('kill-server');
    udp.close();
  });

  it('STATE cell, search terms and the socket view say UNCONN (netlink snapshot)', async () => {
    const snap = await waitFor('the UDP socket', async () => {
      const s = await createSource('netlink').collect({ protocols: ['udp'], processes: 'all', port });
      return s.sockets.some((k) => k.local.port === port) ? s : undefined;
    });
    const s = snap.sockets.find((k) => k.protocol === 'udp' && k.local.port === port)!;
    assert.equal(s.state, 'CLOSE', 'the kernel reports it as CLOSE');
    const row = { id: 'x', socket: s };
    assert.equal(SOCKET_COLUMNS.find((c) => c.id === 'state')!.cell(row), 'UNCONN');
    assert.ok(matchesFilter(socketSearchTerms(row), 'unconn'), socketSearchTerms(row).join(' '));
    assert.ok(!matchesFilter(socketSearchTerms(row), 'close'), socketSearchTerms(row).join(' '));
    const state = socketLines(s, undefined).find((l) => /^\s*state\s/.test(l.text));
    assert.match(state?.text ?? '', /^\s*state\s+UNCONN\b/);
  });

  it('in the monitor: the port view shows UNCONN, /unconn finds it, /close does not; the socket view says UNCONN', { skip: tmuxSkip || (!existsSync(`${ROOT}dist/cli.js`) ? 'dist/cli.js missing' : false) }, async () => {
    assert.ok(hasTmux);
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '140', '-y', '30', '-e', 'CI=false', '-c', ROOT, 'bin/sockscope', '--interval', '500ms');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => / · row \d+\/\d+/.test(s), 'the ports view');
    tmux('send-keys', '-t', 'mon', '/');
    await until((s) => s.includes('Enter keep'), 'the filter bar');
    tmux('send-keys', '-t', 'mon', String(port), 'Enter');
    await until((s) => new RegExp(`${port} udp\\s`).test(s) && s.includes(`filter "${port}"`), 'the UDP row');
    tmux('send-keys', '-t', 'mon', 'Enter');
    let s = await until((x) => x.includes(`UDP PORT ${port}: SOCKETS 1`), 'the port view');
    assert.match(s, /:\*\s+UNCONN\s/, s);
    assert.ok(!/\sCLOSE\s/.test(s), s);
    tmux('send-keys', '-t', 'mon', '/');
    await until((x) => x.includes('Enter keep'), 'the filter bar');
    tmux('send-keys', '-t', 'mon', 'unconn', 'Enter');
    s = await until((x) => x.includes('filter "unconn"'), 'the unconn filter');
    assert.ok(!s.includes('no sockets match'), s);
    assert.match(s, /UNCONN/, s);
    tmux('send-keys', '-t', 'mon', 'Enter');
    s = await until((x) => /^\s*state\s+\S/m.test(x), 'the socket view');
    assert.match(s, /^\s*state\s+UNCONN\b/m, s);
    tmux('send-keys', '-t', 'mon', 'Escape');
    await until((x) => x.includes(`UDP PORT ${port}: SOCKETS`), 'back in the port view');
    tmux('send-keys', '-t', 'mon', 'Escape');
    await until((x) => !x.includes('filter "unconn"'), 'the filter cleared');
    tmux('send-keys', '-t', 'mon', '/');
    await until((x) => x.includes('Enter keep'), 'the filter bar');
    tmux('send-keys', '-t', 'mon', 'close', 'Enter');
    s = await until((x) => x.includes('filter "close"'), 'the close filter');
    assert.match(s, /no sockets match/, s);
  });
});
