// tcpi_rcv_ooopack from the kernel view (review s23 dD #3): netlink's struct tcp_info carries it (offset 224, Linux
// 5.4+), and ss prints rcv_ooopack:N only when not 0, in the versions that print snd_wnd (iproute2 6.1 here: the
// lines below are its output for the out-of-order connection of inspect-options-rcvbuf-ofo-fallback and one without).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTcpInfo, TCP_INFO_OFFSETS } from '../../src/parse/tcp-info.js';
import { parseSsLine } from '../../src/parse/ss-line.js';

test('parseTcpInfo keeps rcv_ooopack when the struct reaches it, not when it is shorter', () => {
  const buf = new DataView(new ArrayBuffer(240));
  buf.setUint32(TCP_INFO_OFFSETS.rcvOoopack, 33, true);
  buf.setUint32(TCP_INFO_OFFSETS.sndWnd, 32128, true);
  assert.equal(parseTcpInfo(buf, 0, 240)?.rcvOoopack, 33);
  assert.equal(parseTcpInfo(buf, 0, TCP_INFO_OFFSETS.rcvOoopack + 4)?.rcvOoopack, 33);
  assert.equal(parseTcpInfo(buf, 0, TCP_INFO_OFFSETS.rcvOoopack)?.rcvOoopack, undefined);
  buf.setUint32(TCP_INFO_OFFSETS.rcvOoopack, 0, true);
  assert.equal(parseTcpInfo(buf, 0, 240)?.rcvOoopack, 0);
});

const SS = 'ESTAB 1 0 127.0.0.1:7777 127.0.0.1:45374 ino:5317126 sk:b5048 cgroup:/ <-> skmem:(r52189,rb84316,t0,tb69120,f1059,w0,o0,bl0,d0) ts sack bbr wscale:7,7 rto:204 rtt:0.024/0.012 ato:40 mss:1448 pmtu:1500 rcvmss:1448 advmss:1448 cwnd:10 bytes_received:1 segs_out:7 segs_in:36 data_segs_in:34 send 4826666667bps lastsnd:2488 lastrcv:2488 lastack:2236 delivered:1 app_limited rcv_space:14480 rcv_ssthresh:50658 minrtt:0.024';

test('ss: rcv_ooopack:N read; absent with snd_wnd shown is 0; absent without snd_wnd is unknown', () => {
  assert.equal(parseSsLine(`${SS} rcv_ooopack:33 snd_wnd:32128`, 'tcp')?.tcpInfo?.rcvOoopack, 33);
  assert.equal(parseSsLine(`${SS} snd_wnd:65483`, 'tcp')?.tcpInfo?.rcvOoopack, 0);
  assert.equal(parseSsLine(SS, 'tcp')?.tcpInfo?.rcvOoopack, undefined);
});
