// connect-facts.ts hostAddresses: every interface's address, and with a zone option a link-local IPv6 address with its
// interface (index or name), which try's EADDRNOTAVAIL names; runTry reads the interfaces once and drops the zones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { hostAddresses } from '../../src/collect/connect-facts.js';
import { withoutZone } from '../../src/knowledge/host-port.js';

test('hostAddresses: zones by index or name on link-local addresses only, the same addresses without them', () => {
  const bare = hostAddresses();
  const byName = hostAddresses('name');
  const byIndex = hostAddresses('index');
  assert.deepEqual(byName.map(withoutZone), bare);
  assert.deepEqual(byIndex.map(withoutZone), bare);
  assert.ok(bare.includes('127.0.0.1'));
  for (const [name, list] of Object.entries(networkInterfaces()))
    for (const x of list ?? []) {
      const linkLocal = /^fe[89ab]/i.test(x.address);
      assert.equal(byName.includes(linkLocal ? `${x.address}%${name}` : x.address), true, `${x.address} on ${name}`);
      assert.equal(byIndex.includes(linkLocal ? `${x.address}%${x.scopeid}` : x.address), true, `${x.address} on ${name} (index)`);
    }
});
