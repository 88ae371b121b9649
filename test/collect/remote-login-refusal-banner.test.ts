// --host to an account whose login refuses commands, on an sshd with a Banner: the error's "it said:" quoted
// the first line of ssh's stderr, which is the banner (ssh prints it there before anything the login writes),
// not the refusal. It now quotes the last line the login said, escaped. Real sshd on loopback with a Banner
// and a ForceCommand that writes "This account is currently not available." (and a terminal title sequence)
// on stderr and exits 1, as the reviewer's setup did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteSource } from '../../src/collect/remote.js';
import { parseRemoteTarget } from '../../src/collect/remote-target.js';
import { runCli } from '../helpers/run-cli.js';
import { startSshdWithUsers } from '../helpers/sshd-users.js';

const USER = 'sst-banner';
const TARGET = `${USER}@sockscope-test`;
const SAID = 'This account is currently not available. \\x1b]0;T\\x07';

test('--host, a Banner and a ForceCommand that refuses on stderr: the error quotes the refusal, not the banner (real sshd)', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-banner-'));
  chmodSync(dir, 0o755);
  const banner = join(dir, 'banner.txt');
  writeFileSync(banner, 'Authorized access only\nAll activity is logged\n\n', { mode: 0o644 });
  const refuse = join(dir, 'refuse.sh');
  writeFileSync(refuse, "#!/bin/sh\nprintf 'This account is currently not available. \\033]0;T\\007\\n' >&2\nexit 1\n", { mode: 0o755 });
  const sshd = await startSshdWithUsers([{ name: USER, uid: 4285, shell: '/bin/sh' }], [`Banner ${banner}`, `Match User ${USER}`, `  ForceCommand ${refuse}`]);
  t.after(() => {
    sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const source = new RemoteSource(parseRemoteTarget(TARGET), { configFile: sshd.clientConfig });
  await assert.rejects(source.collect({ protocols: ['tcp'], port: 1 }), (e: Error) => {
    assert.equal(e.message, `ssh ${TARGET}: the remote login did not run sockscope's script (exit 1; it said: ${SAID}): an account that cannot run commands (nologin, /bin/false, a ForceCommand)?`);
    return true;
  });

  const r = await runCli(['analyze', '--port', '1', '--host', TARGET, '--ssh-config', sshd.clientConfig]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /it said: This account is currently not available\. \\x1b\]0;T\\x07\)/, r.stderr);
  assert.doesNotMatch(r.stderr, /Authorized access|All activity/, r.stderr);
});
