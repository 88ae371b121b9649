// The setsockopt code `sockscope buffers` prints is real: the C compiles and runs, the Python and Node run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planBuffers, setsockoptCode, type BufferCaps } from '../../src/advise/buffers.js';

const caps: BufferCaps = { rmemMax: 212992, wmemMax: 212992, rmemDefault: 212992, wmemDefault: 212992, tcpRmem: [4096, 131072, 6291456], tcpWmem: [4096, 16384, 4194304] };
// 100 Mbit/s x 8 ms = 100 kB: below the stock rmem_max, so the kernel grants it unprivileged.
const plan = planBuffers(12.5e6, 8, caps);

test('C snippet compiles with -Wall -Werror and sets the buffers (kernel doubles them)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-bufcode-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const src = `#include <stdio.h>\n#include <sys/socket.h>\n#include <unistd.h>\nint main(void) {\n  int fd = socket(AF_INET, SOCK_STREAM, 0);\n${setsockoptCode(plan, 'c')
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n  int got = 0; socklen_t len = sizeof got;\n  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);\n  printf("%d\\n", got);\n  close(fd);\n  return 0;\n}\n`;
  writeFileSync(join(dir, 'b.c'), src);
  const cc = spawnSync('cc', ['-Wall', '-Wextra', '-Werror', '-o', join(dir, 'b'), join(dir, 'b.c')], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(cc.status, 0, cc.stderr);
  const run = spawnSync(join(dir, 'b'), { encoding: 'utf8', timeout: 10_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(Number(run.stdout.trim()), 2 * plan.soRcvbuf);
});

test('Python snippet runs on a real socket', () => {
  const py = `import socket\nsock = socket.socket()\n${setsockoptCode(plan, 'python')}\nprint(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))\n`;
  const r = spawnSync('python3', ['-c', py], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(Number(r.stdout.trim()), 2 * plan.soRcvbuf);
});

test('Node snippet runs (dgram) and sets the receive buffer', () => {
  const js = `const dgram = require('dgram');\n${setsockoptCode(plan, 'node')}\nsock.bind(0, '127.0.0.1', () => { console.log(sock.getRecvBufferSize()); sock.close(); });\n`;
  const r = spawnSync(process.execPath, ['-e', js], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(Number(r.stdout.trim()), 2 * plan.soRcvbuf);
});
