// snapshot({protocols: ['unix'], port: 22}) returned no sockets and no note (a unix socket has no port; the CLI refuses
// --unix --port with exit 2), and snapshot({port, peerPort}) the union of both filters (analyze refuses "port or
// peerPort, not both"). Both are refused with an InvalidInputError naming the field, before anything is collected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshot, InvalidInputError } from '../../src/index.js';

async function refusal(input: Parameters<typeof snapshot>[0]): Promise<InvalidInputError> {
  try {
    await snapshot(input);
  } catch (e) {
    assert.ok(e instanceof InvalidInputError, String(e));
    return e;
  }
  assert.fail(`${JSON.stringify(input)} was not refused`);
}

test('snapshot: unix with port or peerPort, and port with peerPort, are refused naming the field', async () => {
  const unix = await refusal({ protocols: ['unix'], port: 22 });
  assert.equal(unix.code, 'invalid-input');
  assert.deepEqual(unix.issues, [{ path: 'port', message: 'port applies to TCP and UDP sockets: a unix socket has no port, so protocols ["unix"] with port lists none (drop "unix", or port to list unix sockets)' }]);
  assert.equal(unix.message, `invalid snapshot input: port: ${unix.issues[0].message}`);
  const peer = await refusal({ protocols: ['unix'], peerPort: 22 });
  assert.equal(peer.issues[0].path, 'peerPort');
  const mixed = await refusal({ protocols: ['tcp', 'unix'], port: 22 });
  assert.deepEqual(mixed.issues, [{ path: 'protocols', message: '"unix" adds nothing with port (a unix socket has no port): protocols ["tcp"] with port 22 lists the port\'s TCP sockets without it' }]);
  const both = await refusal({ port: 22, peerPort: 80 });
  assert.deepEqual(both.issues, [{ path: 'peerPort', message: 'give port or peerPort, not both' }]);
});

test('snapshot: port with TCP/UDP protocols or the default ones, and unix without a port, still collect', async () => {
  for (const input of [{ protocols: ['tcp'] as const, port: 22 }, { port: 22 }, { peerPort: 22 }, { protocols: ['unix'] as const }]) {
    const s = await snapshot({ ...input, protocols: input.protocols ? [...input.protocols] : undefined });
    assert.ok(Array.isArray(s.sockets), JSON.stringify(input));
  }
});
