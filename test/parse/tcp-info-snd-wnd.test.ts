// tcpi_snd_wnd (Linux 5.4+): the peer's window, read at byte 228 of struct tcp_info (after tcpi_rcv_ooopack,
// before tcpi_rcv_wnd; /usr/include/linux/tcp.h), only when the kernel sent that far.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTcpInfo, TCP_INFO_OFFSETS } from '../../src/parse/tcp-info.js';

const info = (len: number) => {
  const b = new Uint8Array(len);
  const dv = new DataView(b.buffer);
  if (len >= 232) dv.setUint32(TCP_INFO_OFFSETS.sndWnd, 65483, true);
  dv.setUint32(TCP_INFO_OFFSETS.sndMss, 65483, true);
  return parseTcpInfo(dv, 0, len)!;
};

test('parseTcpInfo reads tcpi_snd_wnd at 228 when the struct holds it, and leaves it out otherwise', () => {
  assert.equal(TCP_INFO_OFFSETS.sndWnd, 228);
  assert.equal(info(232).sndWnd, 65483);
  assert.equal(info(248).sndWnd, 65483); // 6.x sends rcv_wnd, rehash and the rto fields after it
  assert.equal(info(228).sndWnd, undefined); // 5.3: up to tcpi_rcv_ooopack
  assert.equal('sndWnd' in info(200), false);
});
