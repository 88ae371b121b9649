// Bytes that are not UTF-8 in the hostname (sethostname takes any bytes; a UTS namespace of this test) and in
// ssh's stderr: kept as decodeUtf8 keeps process names and unix paths (U+DC9B for 0x9b, shown \x9b), where
// os.hostname() and a utf8 stderr stream gave U+FFFD and lost the byte. Needs root (unshare --uts) and python3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

/** Runs the CLI in a new UTS namespace whose hostname is the bytes X 0x9b 1 m. */
function withHostname(args: string[]): string {
  const set = 'python3 -c "import socket; socket.sethostname(bytes([0x58, 0x9b, 0x31, 0x6d]))"';
  const r = spawnSync('unshare', ['--uts', 'sh', '-c', `${set} && exec "$@"`, 'sh', process.execPath, BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  assert.equal(r.error, undefined, 'unshare (util-linux) is required');
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('a hostname byte that is not UTF-8: analyze and buffers keep it (\\x9b in text, \\udc9b in --json), not U+FFFD', { timeout: 60_000 }, () => {
  const text = withHostname(['analyze', '--port', '1']);
  assert.match(text, /^sockscope analyze: local port 1 on X\\x9b1m \(kernel /, text);
  assert.doesNotMatch(text, /\ufffd/);
  const raw = withHostname(['analyze', '--port', '1', '--json']);
  assert.match(raw, /"host": "X\\udc9b1m"/, raw.slice(0, 200));
  assert.equal(JSON.parse(raw).host, 'X\udc9b1m');
  // Link-only buffers reads the hostname itself (no snapshot).
  assert.equal(JSON.parse(withHostname(['buffers', '--bandwidth', '1gbit', '--rtt', '1ms', '--json'])).host, 'X\udc9b1m');
});

test('ssh\'s stderr with a byte that is not UTF-8: the error keeps it (U+DC9B, printed \\x9b), not U+FFFD', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-fakessh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A stand-in for ssh that fails as ssh does (exit 255), its last stderr line holding 0x9b (CSI in C1).
  const ssh = join(dir, 'ssh');
  writeFileSync(ssh, "#!/bin/sh\ncat >/dev/null\nprintf 'line1\\nline2\\23331m\\n' >&2\nexit 255\n");
  chmodSync(ssh, 0o755);
  const err = await new RemoteSource(parseRemoteTarget('admin@web1'), { sshPath: ssh }).collect({ protocols: ['tcp'] }).then(
    () => assert.fail('collect should fail'),
    (e: Error) => e,
  );
  // Kept as U+DC9B in the message (as process names and the hostname keep it): \x9b where it is printed, \udc9b in --json.
  assert.equal(err.message, 'ssh admin@web1: line1; line2\udc9b31m');
  // A login that runs no script: what it said on stderr, the same way.
  const nologin = join(dir, 'ssh-nologin');
  writeFileSync(nologin, "#!/bin/sh\ncat >/dev/null\nprintf 'This account is \\233currently not available.\\n' >&2\nexit 1\n");
  chmodSync(nologin, 0o755);
  await assert.rejects(new RemoteSource(parseRemoteTarget('admin@web1'), { sshPath: nologin }).collect({ protocols: ['tcp'] }), (e: Error) => {
    assert.match(e.message, /it said: This account is \udc9bcurrently not available\./, e.message);
    return true;
  });
});
