// `sockscope --unix --json` unix[] rows had no peerCount while the text table's PEERS column showed it (ports[] and
// outgoing[] have one; review s22 #2). A real unix stream listener (python3) with 3 accepted clients and a
// socketpair: the listener's row has 3 distinct peers in both, text and JSON, with netlink and with procfs
// (no peer shown: each connected socket counts as one); the (unnamed) row has the clients and the pair.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPythonHolder } from '../helpers/python-holder.js';
import { SnapshotReportSchema } from '../../src/report/snapshot-report.js';
import { HOST_WIDE_OUTPUT } from '../helpers/run-cli.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

test('--unix --json: unix[] rows carry peerCount, the PEERS column of the text table', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-unix-peers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'peers.sock');
  await startPythonHolder<{ ok: boolean }>(
    t,
    `
import socket as S, json, sys
l = S.socket(S.AF_UNIX, S.SOCK_STREAM); l.bind(${JSON.stringify(path)}); l.listen(8)
keep = [l, S.socketpair()]
for i in range(3):
    c = S.socket(S.AF_UNIX, S.SOCK_STREAM); c.connect(${JSON.stringify(path)}); keep.append(c); keep.append(l.accept()[0])
print(json.dumps({"ok": True}), flush=True)
sys.stdin.read()
`,
  );
  for (const source of ['netlink', 'procfs']) {
    const text = spawnSync(BIN, ['--unix', '--source', source], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 30_000 });
    assert.equal(text.status, 0, text.stderr);
    const row = text.stdout.split('\n').find((l) => l.includes('peers.sock'));
    assert.ok(row, text.stdout);
    const peers = /(\S+)\s*$/.exec(row!)![1];
    assert.equal(peers, '3', `${source}: ${row}`);

    const json = spawnSync(BIN, ['--unix', '--json', '--source', source], { encoding: 'utf8', maxBuffer: HOST_WIDE_OUTPUT, timeout: 30_000 });
    assert.equal(json.status, 0, json.stderr);
    const doc = SnapshotReportSchema.parse(JSON.parse(json.stdout));
    const u = doc.unix.find((x) => x.path === path);
    assert.ok(u, `${source}: ${path} in ${JSON.stringify(doc.unix.map((x) => x.path))}`);
    assert.equal(u!.peerCount, 3, `${source}: ${JSON.stringify(u)}`);
    // The 3 clients (connected, unbound) and the socketpair's 2 ends are in the (unnamed) row, with their peers.
    const unnamed = doc.unix.find((x) => x.path === '(unnamed)');
    assert.ok(unnamed && unnamed.peerCount >= 5, `${source}: ${JSON.stringify(unnamed)}`);
  }
});
