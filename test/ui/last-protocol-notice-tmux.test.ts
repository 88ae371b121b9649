// Review s25 (monitor) finding 3: t, u and x did nothing, silently, when they would hide the last protocol shown
// (state.ts refuses to switch everything off). The footer now says why, in place of the key hints until the next
// key. The reducer, then the built bin/sockscope in tmux (--tcp only) in a network namespace of its own.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { initialState, lastProtocolNotice, reducer } from '../../src/ui/state.js';
import { createNetns, deleteNetns, netnsScript, stopNetnsScript } from '../helpers/netns.js';
import { hasTmux, pane, ROOT, tmuxServer, tmuxSkip } from '../helpers/tmux.js';

const NS = `sockscope-lastproto-${process.pid}`;
const root = process.getuid?.() === 0;

describe('the last protocol shown stays, and the footer says why', () => {
  it('reducer: the refused toggle leaves the protocols and sets the notice; the next action clears it, a render\'s follow does not', () => {
    const s0 = initialState({ intervalMs: 1000, protocols: { tcp: true, udp: false, unix: false } });
    const s1 = reducer(s0, { type: 'toggleProtocol', protocol: 'tcp' });
    assert.deepEqual(s1.protocols, s0.protocols);
    assert.equal(s1.notice, 'at least one protocol stays shown: show another before hiding TCP');
    assert.equal(lastProtocolNotice('unix'), 'at least one protocol stays shown: show another before hiding unix');
    const s2 = reducer(s1, { type: 'follow', table: 'ports', was: {}, id: 'tcp:1', index: 0, top: 0, near: {} });
    assert.equal(s2.notice, s1.notice);
    const s3 = reducer(s2, { type: 'toggleProtocol', protocol: 'udp' });
    assert.equal(s3.notice, undefined);
    assert.deepEqual(s3.protocols, { tcp: true, udp: true, unix: false });
    assert.equal(reducer(s3, { type: 'toggleProtocol', protocol: 'tcp' }).notice, undefined, 'hiding TCP with UDP shown is done, no notice');
  });
});

describe('t with only TCP shown, in the monitor (netns, tmux)', { skip: tmuxSkip || (root ? false : 'needs root (network namespace)') }, () => {
  const tmux = tmuxServer('sockscope-lastproto');
  const { until } = pane(tmux, 'mon');
  let holder: ChildProcess | undefined;

  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    createNetns(NS);
    holder = (
      await netnsScript(
        NS,
        String.raw`
import socket, sys, os
l = socket.socket(); l.bind(('127.0.0.1', 7100)); l.listen(8)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 7101))
print('ready', flush=True)
sys.stdin.read()
os._exit(0)
`,
      )
    ).proc;
  });

  after(() => {
    tmux('kill-server');
    stopNetnsScript(holder);
    deleteNetns(NS);
  });

  it('the footer says the rule instead of nothing happening; u then shows UDP and the hints come back', { timeout: 60_000 }, async () => {
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '100', '-y', '24', '-e', 'CI=false', '-c', ROOT, 'ip', 'netns', 'exec', NS, 'bin/sockscope', '--interval', '500ms', '--tcp');
    assert.equal(r.status, 0, r.stderr);
    await until((s) => / 7100 tcp /.test(s) && s.includes('q quit'), 'the table', 40_000);
    tmux('send-keys', '-t', 'mon', 't');
    const s = await until((x) => x.includes('at least one protocol stays shown'), 'the notice', 5_000);
    assert.match(s, /^at least one protocol stays shown: show another before hiding TCP$/m, s);
    assert.match(s, / 7100 tcp /, `TCP still shown:\n${s}`);
    assert.ok(!s.includes('q quit'), `the notice takes the footer's line:\n${s}`);
    tmux('send-keys', '-t', 'mon', 'u');
    const u = await until((x) => / 7101 udp /.test(x) && x.includes('q quit'), 'UDP shown, the hints back');
    assert.ok(!u.includes('at least one protocol stays shown'), u);
  });
});
