// Two abstract unix names that differ only by a NUL and an '@' inside (bind b"\0dup\0x" and b"\0dup@x"):
// the netlink parser printed every NUL as '@', as ss does, so both read "@dup@x" and were one row of two
// sockets in the plain table and one unix[] entry in --json. netlink has the exact bytes: a NUL inside is
// kept (shown \x00, JSON "\u0000"), the padding NULs stay '@' as ss shows them. Real sockets held by python3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runCli } from '../helpers/run-cli.js';

const TAG = `ssnul${process.pid}`;
const HOLDER = String.raw`
import socket, sys, os, threading
t = sys.argv[1].encode()
keep = []
for n in (b'\0' + t + b'\0x', b'\0' + t + b'@x', b'\0' + t + b'-pad' + b'\0' * 3):
    u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); u.bind(n); keep.append(u)
print('ready', flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;

test('netlink: abstract names differing by a NUL and an @ are two rows, the NUL shown \\x00; padding NULs stay @ (real sockets)', { timeout: 120_000 }, async (t) => {
  const holder = spawn('python3', ['-c', HOLDER, TAG], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => {
    holder.stdin!.end();
    holder.kill('SIGKILL');
  });
  await new Promise((resolve) => createInterface({ input: holder.stdout! }).once('line', resolve));

  const json = await runCli(['--unix', '--source', 'netlink', '--json']);
  assert.equal(json.status, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { unix: Array<{ path: string; total: number }> };
  const mine = doc.unix.filter((u) => u.path.includes(TAG)).map((u) => [u.path, u.total]);
  mine.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const expected = [[`@${TAG}\0x`, 1], [`@${TAG}-pad@@@`, 1], [`@${TAG}@x`, 1]];
  expected.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  assert.deepEqual(mine, expected);

  const text = await runCli(['--unix', '--source', 'netlink']);
  assert.equal(text.status, 0, text.stderr);
  const rows = text.stdout.split('\n').filter((l) => l.includes(TAG));
  assert.equal(rows.length, 3, rows.join('\n'));
  assert.ok(rows.some((l) => l.includes(` @${TAG}\\x00x `)), rows.join('\n'));
  assert.ok(rows.some((l) => l.includes(` @${TAG}@x `)), rows.join('\n'));
  assert.ok(rows.some((l) => l.includes(` @${TAG}-pad@@@ `)), rows.join('\n'));
});
