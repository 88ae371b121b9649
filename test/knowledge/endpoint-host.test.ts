// host-port.ts splitEndpoint/endpointHost: the one "endpoint -> host" that try's interpretation, the route to a
// socket's peer (route-hop-limit.ts) and debug-connections' own local endpoint (connect-explain.ts) share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointHost, splitEndpoint } from '../../src/knowledge/host-port.js';

test('splitEndpoint: brackets off, zone kept, a port only when it is a number', () => {
  assert.deepEqual(splitEndpoint('10.0.0.1:80'), { host: '10.0.0.1', port: 80 });
  assert.deepEqual(splitEndpoint('[::1]:8080'), { host: '::1', port: 8080 });
  assert.deepEqual(splitEndpoint('[fe80::1%eth0]:48260'), { host: 'fe80::1%eth0', port: 48260 });
  assert.deepEqual(splitEndpoint('[::]:*'), { host: '::' });
  assert.deepEqual(splitEndpoint('0.0.0.0:*'), { host: '0.0.0.0' });
  assert.deepEqual(splitEndpoint('fe80::1'), { host: 'fe80::1' }, 'an unbracketed IPv6 address has no port');
  assert.equal(endpointHost('[fe80::1%2]:53'), 'fe80::1%2');
  assert.equal(endpointHost('example.com:443'), 'example.com');
});

test('hopLimit: a link-local peer without its zone is said as such, with one its zone is known', async () => {
  const { hopLimit } = await import('../../src/knowledge/interpret-options-hop-limit.js');
  const c = { readAs: 'IPV6_UNICAST_HOPS', state: 'ESTABLISHED', sysctls: {}, extraSysctls: {}, values: {} } as unknown as Parameters<typeof hopLimit>[1];
  for (const peer of ['[fe80::1]:80', '[FE80::1]:80', '[febf::1]:80']) assert.match(hopLimit(64, { ...c, peer }).meaning, /the peer is link-local and its zone/, peer);
  for (const peer of ['[fe80::1%eth0]:80', '[fec0::1]:80', '[2001:db8::1]:80']) assert.doesNotMatch(hopLimit(64, { ...c, peer }).meaning, /link-local/, peer);
});
