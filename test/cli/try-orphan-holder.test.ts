// `try bind` on a port that only an orphan keeps busy: a FIN_WAIT1 connection whose program closed it (and its
// listener) while the peer's receive window was full, so the kernel still holds it, with inode 0 and no process.
// The summary said "held by a process of uid 0 (not visible to this user)" even as root, and told to close the
// connections, while the holders table showed '-' (no process holds it). Needs root (as CI) for the uid test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPythonHolder } from '../helpers/python-holder.js';
import { ROOT } from '../helpers/tmux.js';

const run = promisify(execFile);
const bin = `${ROOT}bin/sockscope`;
const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

// The accepted side fills the client's small window, then it and the listener are closed: an orphan in FIN_WAIT1.
const HOLDER = String.raw`
import json, socket, sys
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(5)
p = l.getsockname()[1]
c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096); c.connect(('127.0.0.1', p))
a, _ = l.accept(); a.setblocking(False)
try:
    while True: a.send(b'x' * 65536)
except BlockingIOError: pass
a.close(); l.close()
print(json.dumps({'port': p, 'peer': c.getsockname()[1]}), flush=True)
sys.stdin.read()
`;

test('try bind on a port kept by an orphan: no process holds it, and the next step is to wait, not to close it', { skip: !isRoot && 'needs root (as CI)', timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(`${ROOT}dist/cli.js`), 'dist/cli.js missing: run npm run build');
  const home = mkdtempSync(join(tmpdir(), 'sockscope-try-orphan-'));
  chmodSync(home, 0o755);
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const h = await startPythonHolder<{ port: number; peer: number }>(t, HOLDER);
  const sockscope = async (prefix: string[], ...args: string[]) => {
    const cmd = [...prefix, process.execPath, bin, ...args];
    const r = await run(cmd[0], cmd.slice(1), { cwd: home, env: { ...process.env, HOME: home, NO_COLOR: '1' }, timeout: 60_000 }).catch((e: { stdout: string; stderr: string }) => e);
    assert.equal(r.stderr, '', args.join(' '));
    return r.stdout;
  };
  const viewers: [string, string[]][] = [['root', []]];
  if (hasSetpriv) viewers.push(['nobody', ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']]);
  for (const [who, prefix] of viewers) {
    const out = await sockscope(prefix, 'try', 'bind', `127.0.0.1:${h.port}`);
    assert.match(out, /EADDRINUSE/, out);
    assert.match(out, new RegExp(`^Failed: port ${h.port} is in use by 1 socket\\(s\\) that are not listening \\(FIN_WAIT1\\), e\\.g\\. 127\\.0\\.0\\.1:${h.port} -> 127\\.0\\.0\\.1:${h.peer} held by no process: an orphan \\(its program closed it`, 'm'), `${who}:\n${out}`);
    assert.doesNotMatch(out, /not visible to this user|uid 0/, `${who}:\n${out}`);
    assert.match(out, new RegExp(`^  FIN_WAIT1   127\\.0\\.0\\.1:${h.port} -> 127\\.0\\.0\\.1:${h.peer}  -$`, 'm'), out);
    assert.doesNotMatch(out, /close those connections/, out);
    assert.match(out, /^ {2}- wait: an orphan goes away on its own, .*net\.ipv4\.tcp_orphan_retries .*net\.ipv4\.tcp_fin_timeout/m, out);
  }
  const doc = JSON.parse(await sockscope([], 'try', 'bind', `127.0.0.1:${h.port}`, '--json')) as { interpretation: { summary: string; nextSteps: string[] }; context: { holders: { state: string; inode?: number; uid?: number }[] } };
  assert.deepEqual(doc.context.holders.map((x) => [x.state, x.inode, x.uid]), [['FIN_WAIT1', 0, 0]]);
  assert.match(doc.interpretation.summary, /held by no process: an orphan/);
  assert.ok(doc.interpretation.nextSteps.some((s) => s.includes(`ss -K -t 'sport = :${h.port}'`)), doc.interpretation.nextSteps.join('\n'));
});
