// A monitor scenario with more findings than a panel has lines (review s25): in a network namespace of its own
// (run it with netnsScript), 30 listeners on 6000-6029 with backlog 4096 (= the namespace's net.core.somaxconn:
// 30 info listen-backlog-capped findings), a CLOSE_WAIT leak of 20 on port 7000, and a UDP socket on 7200 with a
// 1 KiB receive buffer flooded (drops). The local table has 33 rows: those 32 and the sender's UDP socket.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { createNetns, deleteNetns, netnsScript, stopNetnsScript } from './netns.js';
import { hasTmux, pane, ROOT, tmuxServer } from './tmux.js';

export const MANY_FINDINGS = String.raw`
import socket, sys, os, threading, time
keep = []
for p in range(6000, 6030):
    l = socket.socket(); l.bind(('127.0.0.1', p)); l.listen(4096); keep.append(l)
L = socket.socket(); L.bind(('127.0.0.1', 7000)); L.listen(64); keep.append(L)
for i in range(20):
    c = socket.socket(); c.connect(('127.0.0.1', 7000)); keep.append(L.accept()[0]); c.close()
U = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); U.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024); U.bind(('127.0.0.1', 7200)); keep.append(U)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def flood():
    while True:
        for i in range(20): tx.sendto(b'x' * 500, ('127.0.0.1', 7200))
        time.sleep(0.05)
threading.Thread(target=flood, daemon=True).start()
threading.Timer(300, lambda: os._exit(0)).start()
print('ready', flush=True)
sys.stdin.read()
os._exit(0)
`;

/**
 * Inside a describe(): before its tests, namespace `ns` running MANY_FINDINGS; after them, the tmux server `server`,
 * the scenario and the namespace go. `start()` opens the built monitor at 100x30 in tmux session 'mon' in the
 * namespace (--interval 500ms); capture/until read that pane.
 */
export function manyFindingsMonitor(ns: string, server: string) {
  const tmux = tmuxServer(server);
  const p = pane(tmux, 'mon');
  let holder: ChildProcess | undefined;
  before(async () => {
    assert.ok(hasTmux, 'tmux is required for this test');
    assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
    createNetns(ns);
    holder = (await netnsScript(ns, MANY_FINDINGS)).proc;
  });
  after(() => {
    tmux('kill-server');
    stopNetnsScript(holder);
    deleteNetns(ns);
  });
  const start = () => {
    const r = tmux('new-session', '-d', '-s', 'mon', '-x', '100', '-y', '30', '-e', 'CI=false', '-c', ROOT, 'ip', 'netns', 'exec', ns, 'bin/sockscope', '--interval', '500ms');
    assert.equal(r.status, 0, r.stderr);
  };
  return { tmux, ...p, start };
}
