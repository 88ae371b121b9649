// receiveBufferDiagnosis and receiveDiagnosisWithoutBdp share one core (the slow-reader, window-scale and
// cap logic). Their outputs over a grid of receiving sockets (window scaling on / off / unknown, scale 0 or
// not, rcvbuf at every position against tcp_rmem, unread data or none, caps known or not, BDP small or large,
// rtt and measured rate) are pinned to those recorded before the two were joined (a66feaf):
// test/advise/fixtures/receive-diagnosis-golden.json. RECORD_GOLDEN=1 rewrites it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { receiveBufferDiagnosis, receiveDiagnosisWithoutBdp } from '../../src/advise/buffer-diagnosis.js';
import { capsFromSysctls } from '../../src/advise/buffers.js';
import type { BufferCaps } from '../../src/advise/buffer-plan.js';
import type { Socket, TcpInfo } from '../../src/model/socket.js';
import { fakeSnapshot, tcp } from '../helpers/fake-snapshot.js';

const GOLDEN = fileURLToPath(new URL('./fixtures/receive-diagnosis-golden.json', import.meta.url));

const capsOf = (s: Record<string, string>): BufferCaps => capsFromSysctls(fakeSnapshot({ sysctls: s }).sysctls);
const RMEM = { 'net.core.rmem_max': '4194304', 'net.core.wmem_max': '4194304', 'net.ipv4.tcp_rmem': '4096 131072 33554432', 'net.ipv4.tcp_wmem': '4096 16384 4194304' };
const CAPS: [string, BufferCaps | undefined][] = [
  ['none', undefined],
  ['rmem', capsOf(RMEM)],
  ['moderate-off', capsOf({ ...RMEM, 'net.ipv4.tcp_moderate_rcvbuf': '0' })],
  ['moderate-on', capsOf({ ...RMEM, 'net.ipv4.tcp_moderate_rcvbuf': '1' })],
  ['no-rmem', capsOf({ 'net.core.rmem_max': '212992', 'net.ipv4.tcp_moderate_rcvbuf': '0' })],
];
const SCALING: (boolean | undefined)[] = [false, true, undefined];
const WSCALE: (number | undefined)[] = [0, 7, undefined];
const RCVBUF = [0, 4000, 32768, 131072, 200001, 33554432, 40000000];
// [recvQ, rmemAlloc, recvQUnknown]
const QUEUE: [number, number, boolean][] = [[0, 0, false], [95232, 96064, false], [10, 39_000_000, false], [95232, 96064, true], [70000, 0, false]];
const BDP: ([number, boolean] | null)[] = [null, [20_000, false], [100_000, true], [3_000_000, false]];
const RTT: (number | null)[] = [null, 0.02];
const MEASURED: (number | null | undefined)[] = [undefined, 1e12];

function cases(): { key: string; out: unknown }[] {
  const out: { key: string; out: unknown }[] = [];
  const run = (key: string, s: Socket, caps: BufferCaps | undefined, bdp: [number, boolean] | null, rtt: number | null, measured: number | null | undefined): void => {
    const d = bdp == null ? receiveDiagnosisWithoutBdp(s, caps, rtt) : receiveBufferDiagnosis(s, bdp[0], bdp[1], caps, rtt, measured);
    out.push({ key, out: d });
  };
  for (const [capsName, caps] of CAPS)
    for (const scaling of SCALING)
      for (const wscale of WSCALE)
        for (const rcvbuf of RCVBUF)
          for (const [recvQ, rmemAlloc, recvQUnknown] of QUEUE)
            for (const bdp of BDP)
              for (const rtt of RTT)
                for (const measured of bdp == null ? [undefined] : MEASURED) {
                  const tcpInfo: TcpInfo = { ...(scaling === undefined ? {} : { windowScaling: scaling }), ...(wscale === undefined ? {} : { rcvWscale: wscale }) };
                  const s = tcp('127.0.0.1:5331', '127.0.0.1:58788', 'ESTABLISHED', { recvQ, ...(recvQUnknown ? { recvQUnknown } : {}), skmem: { rmemAlloc, rcvbuf, wmemAlloc: 0, sndbuf: 2626560 }, tcpInfo });
                  run(JSON.stringify([capsName, scaling, wscale, rcvbuf, recvQ, rmemAlloc, recvQUnknown, bdp, rtt, measured]), s, caps, bdp, rtt, measured);
                }
  // No skmem and no tcp_info at all.
  for (const bdp of BDP) run(JSON.stringify(['no-skmem', bdp]), tcp('127.0.0.1:5331', '127.0.0.1:58788', 'ESTABLISHED', { recvQ: 5 }), CAPS[1]![1], bdp, 0.02, undefined);
  run(JSON.stringify(['no-tcp-info', null]), tcp('127.0.0.1:5331', '127.0.0.1:58788', 'ESTABLISHED', { recvQ: 95232, skmem: { rmemAlloc: 96064, rcvbuf: 131072, wmemAlloc: 0, sndbuf: 0 } }), CAPS[1]![1], null, 0.02, undefined);
  return out;
}

test('receive diagnoses with and without a BDP are those recorded before the two shared one core', () => {
  const now = cases();
  // Stored compactly: each distinct diagnosis once, each case as its index.
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ids = now.map(({ out }) => {
    const text = JSON.stringify(out);
    if (!index.has(text)) { index.set(text, strings.length); strings.push(text); }
    return index.get(text)!;
  });
  if (process.env.RECORD_GOLDEN === '1') writeFileSync(GOLDEN, JSON.stringify({ keys: now.length, diagnoses: strings, cases: ids }) + '\n');
  const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as { keys: number; diagnoses: string[]; cases: number[] };
  assert.equal(now.length, golden.keys);
  let differ = 0;
  for (let i = 0; i < now.length; i++) {
    const want = golden.diagnoses[golden.cases[i]!]!;
    const got = JSON.stringify(now[i]!.out);
    if (got !== want && differ++ < 5) assert.equal(got, want, now[i]!.key);
  }
  assert.equal(differ, 0);
  // The grid reaches every branch: both functions' kinds and null.
  const kinds = new Set(strings.map((t) => (JSON.parse(t) as { kind?: string } | null)?.kind ?? 'null'));
  assert.deepEqual([...kinds].sort(), ['fixed', 'null', 'size', 'slow-reader']);
});
