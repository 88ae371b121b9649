// --host to a host with more sockets than a function call takes arguments: the remote collector appended each ss
// run's sockets with push(...parsed), which overflows the stack past about 125,000 elements, so a host with
// 130,000 TCP sockets failed with a bare "RangeError: Maximum call stack size exceeded" naming no host, far below
// the output cap (MAX_REMOTE_OUTPUT_BYTES) that promises some 450,000. The remote script runs here in `sh -s` (what
// sshd runs it with), with an `ss` on its PATH that prints 130,000 TCP lines in ss -tuanOHe's format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';

const N = 130_000;

test(`a remote host with ${N.toLocaleString('en-US')} TCP sockets is read whole`, { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-many-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // ss -x (the unix runs) prints nothing; the TCP/UDP run prints N established sockets with distinct ports.
  writeFileSync(
    join(bin, 'ss'),
    `#!/bin/sh\ncase "$1" in *x*) exit 0;; esac\nawk 'BEGIN { for (i = 0; i < ${N}; i++) printf "tcp ESTAB 0 0 127.0.0.%d:%d 127.0.0.1:5678 ino:%d sk:%x cgroup:/ <->\\n", 1 + int(i / 60000), 1024 + i % 60000, 100000 + i, i }'\n`,
  );
  chmodSync(join(bin, 'ss'), 0o755);
  const ssh = join(dir, 'ssh');
  writeFileSync(ssh, `#!/bin/sh\nPATH=${bin}:$PATH exec sh -s\n`);
  chmodSync(ssh, 0o755);
  const snap = await new RemoteSource(parseRemoteTarget('web1'), { sshPath: ssh, timeoutMs: 60_000 }).collect({ protocols: ['tcp', 'udp'], processes: 'none' });
  assert.equal(snap.sockets.filter((s) => s.protocol === 'tcp' && s.state === 'ESTABLISHED').length, N);
});
