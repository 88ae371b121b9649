// --host with a user part holding an @ (AD/SSSD logins: john@corp.example.com@server, which ssh splits
// at the last @) was refused exit 2 (review of --host, session 16). A real sshd on loopback with such a user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteSource } from '../../src/collect/remote.js';
import { formatRemoteTarget, parseRemoteTarget } from '../../src/collect/remote-target.js';
import { startSshdWithUsers } from '../helpers/sshd-users.js';

test('a user part with @ (john@corp.example.com@server) is one ssh argument; shell metacharacters and a leading - still are not', () => {
  assert.deepEqual(parseRemoteTarget('john@corp.example.com@server'), { destination: 'john@corp.example.com@server' });
  assert.deepEqual(parseRemoteTarget('ssh://john@corp.example.com@server:2222'), { destination: 'john@corp.example.com@server', port: 2222 });
  assert.equal(formatRemoteTarget(parseRemoteTarget('john@corp.example.com@[::1]:22')), 'john@corp.example.com@[::1]:22');
  const args = new RemoteSource(parseRemoteTarget('john@corp.example.com@server')).sshArgs();
  assert.deepEqual(args.slice(-3), ['--', 'john@corp.example.com@server', 'sh -s']);
  for (const bad of ['-oProxyCommand=x@server', 'j;x@server', 'j$(x)@server', '@server', 'john@@server']) assert.throws(() => parseRemoteTarget(bad), bad);
});

test('--host john@corp.example.com@server logs in as john@corp.example.com (real sshd)', { timeout: 60_000 }, async (t) => {
  const sshd = await startSshdWithUsers([{ name: 'ssx@corp.example.com', uid: 4271, shell: '/bin/sh' }]);
  t.after(() => sshd.stop());
  const snap = await new RemoteSource(parseRemoteTarget('ssx@corp.example.com@sockscope-test'), { configFile: sshd.clientConfig }).collect({ protocols: ['tcp'], processes: 'none' });
  assert.ok(snap.hostname.length > 0);
  assert.ok(snap.sockets.some((s) => s.state === 'LISTEN' && s.local.port === sshd.port), 'the sshd listener is among the sockets');
});
