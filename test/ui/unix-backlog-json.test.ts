// `sockscope --json --unix`: a unix listener's backlog is the listen() backlog where the source can see
// it (netlink, ss) and null where it cannot (/proc/net/unix and netstat -x have no backlog), never 0,
// which a reader would take for a full queue. A real listener opened here with listen(7).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { summarizeUnix } from '../../src/ui/derive.js';
import type { Socket } from '../../src/model/socket.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const bin = `${ROOT}bin/sockscope`;

describe('unix listener backlog in --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-unix-backlog-'));
  const path = join(dir, 'backlog7.sock');
  let server: Server;
  before(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen({ path, backlog: 7 }, resolve));
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [source, want] of [
    ['netlink', 7],
    ['ss', 7],
    ['procfs', null],
    ['netstat', null],
  ] as const) {
    it(`--source ${source}: backlog ${want}`, () => {
      const r = spawnSync(process.execPath, [bin, '--json', '--unix', '--source', source], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { unix: { path: string; listeners: { backlog: number | null }[] }[] };
      const row = doc.unix.find((u) => u.path === path);
      assert.ok(row, `no row for ${path}`);
      assert.deepEqual(
        row.listeners.map((l) => l.backlog),
        [want],
      );
    });
  }

  it('summarizeUnix: an unknown Send-Q is a null backlog', () => {
    const s = { protocol: 'unix', state: 'LISTEN', local: { address: '/x.sock', port: 0 }, remote: { address: '', port: 0 }, recvQ: 1, sendQ: 0, sendQUnknown: true, processes: [], inode: 5 } as unknown as Socket;
    assert.equal(summarizeUnix([s])[0].summary.listeners[0].backlog, null);
  });
});
