// The snapshot's sysctls carry what the buffer and retransmission advice read: receive autotuning
// (tcp_moderate_rcvbuf) and the default congestion control, read from this host's /proc/sys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readSysctls } from '../../src/collect/host.js';

test('readSysctls: tcp_moderate_rcvbuf and tcp_congestion_control as /proc/sys has them', async () => {
  // Before, buffer-below-bdp could not tell autotuning off (it said "autotuning grows them" with
  // tcp_moderate_rcvbuf=0) and retransmissions-high could not see a host already using bbr.
  const s = await readSysctls();
  for (const name of ['net.ipv4.tcp_moderate_rcvbuf', 'net.ipv4.tcp_congestion_control'] as const) {
    const want = readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim();
    assert.equal(s[name]?.trim(), want, name);
  }
});
