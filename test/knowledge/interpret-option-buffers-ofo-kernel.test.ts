// Packets out of order grow a receive buffer (tcp_data_queue_ofo -> tcp_rcvbuf_grow) only on Linux 6.16 and later
// (review s23 dD #4): before, "fewer bytes received than rcv_space" rules autotuning out whatever rcv_ooopack says,
// and the growth is not named. The kernel release comes from InspectResult.kernel (OptionContext.kernel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpretOption, type OptionContext } from '../../src/knowledge/interpret-options.js';
import { ofoGrows } from '../../src/knowledge/interpret-option-buffers.js';
import { unknownSysctls } from '../../src/model/snapshot.js';

// The measured case of dB #1: rb 84316, bytes_received 1, rcv_space 14480, rcv_ooopack 33; tcp_rmem "4096 65536 6291456".
const sysctls = { ...unknownSysctls(), 'net.ipv4.tcp_rmem': '4096 65536 6291456', 'net.core.rmem_max': '212992', 'net.core.rmem_default': '212992' };
const tcp = { rcvSpace: 14480, sndMss: 1448, pmtu: 1500, sndCwnd: 10, reordering: 3, bytesReceived: 1, bytesAcked: 1, bytesSent: 0 };
const ctx = (kernel: string | undefined, rcvOoopack: number | undefined): OptionContext => ({
  state: 'ESTABLISHED', protocol: 'tcp', family: 'inet', type: 'stream', local: '127.0.0.1:7777', sysctls, extraSysctls: {}, values: {}, tcp: { ...tcp, rcvOoopack }, kernel,
});
const rcvbuf = (kernel: string | undefined, ooo: number | undefined) => interpretOption('SO_RCVBUF', 84316, ctx(kernel, ooo)).meaning;

test('ofoGrows: 6.16 and later, or a release that cannot be read', () => {
  for (const k of ['6.16.0', '6.18.0-1-amd64', '7.0.1', '6.16-rc1', '', 'weird']) assert.equal(ofoGrows(k), true, k);
  assert.equal(ofoGrows(undefined), true);
  for (const k of ['6.15.9', '6.1.0-28-amd64', '5.15.0-130-generic', '4.19.0']) assert.equal(ofoGrows(k), false, k);
});

test('6.16+ (and an unknown release): packets out of order name the growth; an unknown count keeps autotuning among the readings', () => {
  for (const k of ['6.18.0', '6.16.1', undefined]) {
    assert.match(rcvbuf(k, 33), /grown by autotuning from 64 KiB \(limit 6 MiB\) as 33 packets arrived out of order/, String(k));
    assert.doesNotMatch(rcvbuf(k, undefined), /autotuning has not grown it/, String(k));
    assert.match(rcvbuf(k, 0), /and no packet arrived out of order \(tcp_info rcv_ooopack 0.*so autotuning has not grown it/, String(k));
  }
});

test('before 6.16: too little received rules autotuning out whatever rcv_ooopack says, and the growth is not named', () => {
  for (const k of ['6.15.0', '6.1.0-28-amd64', '5.10.0']) {
    for (const ooo of [33, undefined, 0]) {
      const m = rcvbuf(k, ooo);
      assert.doesNotMatch(m, /arrived out of order \(tcp_info/, `${k} ${ooo}: ${m}`);
      assert.match(m, new RegExp(`received 1 byte in all, .*, and Linux ${k.split('-')[0].replace(/\./g, '\\.')} \\(before 6\\.16\\) does not grow it for packets out of order, so autotuning has not grown it`), `${k} ${ooo}: ${m}`);
    }
  }
});
