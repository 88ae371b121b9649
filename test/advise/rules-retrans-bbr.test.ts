// retransmissions-high suggests BBR only where the retransmitting sockets (or the default) do not use it.
// Review session 11, r6: 3% loss on a 20 Mbit/s x 50 ms path, host and socket on bbr (ss: "bbr ...
// retrans:0/449"), and the fix still said "try BBR: sysctl -w net.ipv4.tcp_congestion_control=bbr".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, makeContext } from '../../src/advise/index.js';
import type { SysctlName } from '../../src/model/snapshot.js';
import { fakeHistory, tcp } from '../helpers/fake-snapshot.js';

// RetransSegs/OutSegs 3.15% over the window, as nstat showed at 3% loss.
const lossy = (congestion?: string, sysctls?: Record<string, string>) => {
  const h = fakeHistory(4, (i) => ({
    snmp: { Tcp: { RetransSegs: i * 315, OutSegs: i * 10_000 } },
    sysctls: sysctls as Partial<Record<SysctlName, string>>,
    sockets: [
      tcp('10.77.0.1:49504', '10.77.0.2:5321', 'ESTABLISHED', {
        tcpInfo: { rttUs: 54_937, totalRetrans: 449 + i * 100, deliveryRate: 18_901_160 / 8, ...(congestion ? { congestion } : {}) },
      }),
    ],
  }));
  const r = evaluateRules(makeContext({ snapshot: h[3], history: h })).find((x) => x.id === 'retransmissions-high');
  assert.ok(r, 'retransmissions-high fires');
  return r;
};

test('retransmissions-high: no "try BBR" for sockets already on bbr', () => {
  const r = lossy('bbr');
  assert.doesNotMatch(r.fix, /tcp_congestion_control=bbr/);
  assert.match(r.fix, /the retransmitting sockets already use BBR, so changing congestion control does not help: the loss has to be found/);
  assert.match(r.evidence, /5321 retrans 749 \(bbr\)/);
});

test('retransmissions-high: BBR is suggested for cubic sockets, and conditionally when congestion control is unknown', () => {
  assert.match(lossy('cubic').fix, /BBR keeps throughput where cubic backs off: sysctl -w net\.ipv4\.tcp_congestion_control=bbr/);
  assert.match(lossy().fix, /if sysctl net\.ipv4\.tcp_congestion_control is not bbr, sysctl -w net\.ipv4\.tcp_congestion_control=bbr/);
  // When the snapshot's sysctls carry the default, it decides for sockets without tcp_info.
  assert.doesNotMatch(lossy(undefined, { 'net.ipv4.tcp_congestion_control': 'bbr' }).fix, /=bbr/);
});
