// /proc/net/snmp6: IPv6 UDP drops are counted only there (Udp6RcvbufErrors), never in snmp's Udp line.
// Fixtures captured in a fresh network namespace after 50 datagrams of 1000 bytes to a [::1] socket with
// a 4 KiB SO_RCVBUF that never read: 47 dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseNetstatCounters, parseSnmp6 } from '../../src/parse/proc-counters.js';

const fx = (name: string) => readFileSync(new URL(`../fixtures/procfs/${name}`, import.meta.url), 'utf8');

test('parseSnmp6: "Udp6RcvbufErrors 47" becomes Udp6.RcvbufErrors, as snmp\'s Udp line reads', () => {
  const c = parseSnmp6(fx('snmp6-udp6-drops.txt'));
  assert.equal(c.Udp6.RcvbufErrors, 47);
  assert.equal(c.Udp6.InErrors, 47);
  assert.equal(c.Udp6.OutDatagrams, 50);
  assert.equal(c.Udp6.MemErrors, 0);
  assert.equal(c.UdpLite6.InErrors, 0);
  assert.equal(c.Ip6.InReceives > 0, true);
  assert.equal(c.Icmp6.InCsumErrors, 0);
  // The IPv4 file of the same moment shows none of them.
  assert.equal(parseNetstatCounters(fx('snmp-netns.txt')).Udp.RcvbufErrors, 0);
});

test('parseSnmp6: lines of another shape are skipped', () => {
  assert.deepEqual(parseSnmp6('garbage\nUdp6InErrors\nUdp6InErrors x\n6Foo 1\nUdp6InErrors 3\n'), { Udp6: { InErrors: 3 } });
});

test('parseNetstatCounters: snmp followed by snmp6 in one text (the remote script prints both in one section)', () => {
  const c = parseNetstatCounters(`${fx('snmp-netns.txt')}${fx('snmp6-udp6-drops.txt')}`);
  assert.equal(c.Udp.RcvbufErrors, 0);
  assert.equal(c.Tcp.RetransSegs, 0);
  assert.equal(c.Udp6.RcvbufErrors, 47);
  // snmp alone reads as before.
  assert.deepEqual(parseNetstatCounters(fx('snmp-netns.txt')).Udp6, undefined);
});
