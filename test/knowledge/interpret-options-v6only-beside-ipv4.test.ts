// IPV6_V6ONLY on a [::] listener is the usual two-socket setup when an IPv4 listener serves the same port:
// not "Unusual" then (review-ipv6 #9); still a finding when nothing serves IPv4 there, and worded as before
// when the caller did not look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretOption, type OptionContext } from '../../src/knowledge/interpret-options.js';
import { unknownSysctls } from '../../src/model/snapshot.js';

const ctx = (o: Partial<OptionContext> = {}): OptionContext => ({ state: 'LISTEN', protocol: 'tcp', family: 'inet6', type: 'stream', local: '[::]:47103', sysctls: unknownSysctls(), extraSysctls: {}, values: {}, ...o });

test('a 0.0.0.0 listener on the port serves IPv4: IPV6_V6ONLY on [::] is not unusual, and the meaning names it', () => {
  const r = interpretOption('IPV6_V6ONLY', true, ctx({ ipv4Listeners: ['0.0.0.0:47103'] }));
  assert.equal(r.unusual, undefined);
  assert.equal(r.meaning, 'IPv6 only; IPv4 clients are served by another socket: 0.0.0.0:47103');
});

test('only a specific IPv4 listener (127.0.0.1) on the port: IPv4 clients of every other address are refused, said as unusual', () => {
  const r = interpretOption('IPV6_V6ONLY', true, ctx({ ipv4Listeners: ['127.0.0.1:47103'] }));
  assert.equal(r.meaning, 'IPv6 only; IPv4 clients are served by another socket only on 127.0.0.1:47103');
  assert.equal(r.unusual, 'IPV6_V6ONLY on a [::] listener, and the IPv4 listeners on port 47103 are bound to 127.0.0.1 only (no 0.0.0.0:47103): IPv4 clients connecting to any other address of this host on port 47103 are refused');
});

test('0.0.0.0 beside a specific IPv4 listener: the wildcard covers every address, not unusual', () => {
  const r = interpretOption('IPV6_V6ONLY', true, ctx({ ipv4Listeners: ['127.0.0.1:47103', '0.0.0.0:47103'] }));
  assert.equal(r.unusual, undefined);
});

test('no IPv4 listener on the port: IPv4 clients are refused, said with the port', () => {
  const r = interpretOption('IPV6_V6ONLY', true, ctx({ ipv4Listeners: [] }));
  assert.equal(r.unusual, 'IPV6_V6ONLY on a [::] listener and no IPv4 listener on port 47103: IPv4 clients are refused');
});

test('the caller did not look (ipv4Listeners undefined): the conditional warning as before', () => {
  const r = interpretOption('IPV6_V6ONLY', true, ctx());
  assert.equal(r.unusual, 'IPV6_V6ONLY on a [::] listener: IPv4 clients are refused unless another socket takes them on port 47103 (0.0.0.0:47103, or [::]:47103 with IPV6_V6ONLY off), which was not checked');
});

test('not a [::] listener, or V6ONLY off: never unusual', () => {
  assert.equal(interpretOption('IPV6_V6ONLY', true, ctx({ local: '[::1]:47103', ipv4Listeners: [] })).unusual, undefined);
  assert.equal(interpretOption('IPV6_V6ONLY', true, ctx({ state: 'ESTABLISHED', ipv4Listeners: [] })).unusual, undefined);
  assert.equal(interpretOption('IPV6_V6ONLY', false, ctx({ ipv4Listeners: [] })).meaning, 'dual stack: IPv4 peers appear as ::ffff:a.b.c.d');
});
