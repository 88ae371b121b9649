// The buffer and window-clamp verdicts against real loopback connections: the kernel facts they rest on
// (autotuning keeps rcvbuf >= 2 * tcp_info rcv_space and sndbuf >= 20 * MSS; window_clamp follows the buffer)
// are checked on the running kernel, not only on the values the review measured.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { unknownSysctls, type Sysctls } from '../../src/model/snapshot.js';
import { interpretOption, type OptionContext } from '../../src/knowledge/interpret-options.js';

// Each client receives and sends 20 MiB over loopback; then its buffers, window clamp and tcp_info are printed.
const SCRIPT = String.raw`
import socket, struct, threading, json
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(8)
def mk(rcv=None, snd=None):
    c = socket.socket()
    if rcv: c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcv)
    if snd: c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, snd)
    c.settimeout(20); c.connect(l.getsockname()); p = l.accept()[0]; p.settimeout(20)
    return c, p
def pump(src, dst, n=20):
    def rd():
        m = 0
        while m < (n << 20):
            b = dst.recv(1 << 20)
            if not b: break
            m += len(b)
    t = threading.Thread(target=rd); t.start()
    buf = b'z' * (1 << 20)
    for _ in range(n): src.sendall(buf)
    t.join()
out = {}
for name, kw in (('rcv65536', dict(rcv=65536)), ('rcv100000', dict(rcv=100000)), ('snd100000', dict(snd=100000)), ('default', {})):
    c, p = mk(**kw)
    pump(p, c); pump(c, p)
    b = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 232)
    u = struct.unpack_from('24I', b, 8)
    acked, received = struct.unpack_from('QQ', b, 120)
    out[name] = dict(rcvbuf=c.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF), sndbuf=c.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
                     clamp=c.getsockopt(socket.IPPROTO_TCP, 10), rcvSpace=u[22], sndMss=u[2], pmtu=u[13], bytesAcked=acked, bytesReceived=received)
    c.close(); p.close()
print(json.dumps(out))
`;

const proc = (p: string) => readFileSync(`/proc/sys/${p}`, 'utf8').trim().replace(/\s+/g, ' ');

test('real loopback connections: setsockopt buffers are found fixed, the default connection is not, and its window clamp is no finding', { timeout: 60_000 }, (t) => {
  if (proc('net/ipv4/tcp_moderate_rcvbuf') === '0') return t.skip('net.ipv4.tcp_moderate_rcvbuf=0: nothing autotunes on this host');
  const sysctls: Sysctls = {
    ...unknownSysctls(),
    'net.ipv4.tcp_rmem': proc('net/ipv4/tcp_rmem'), 'net.ipv4.tcp_wmem': proc('net/ipv4/tcp_wmem'),
    'net.core.rmem_max': proc('net/core/rmem_max'), 'net.core.wmem_max': proc('net/core/wmem_max'),
    'net.core.rmem_default': proc('net/core/rmem_default'), 'net.core.wmem_default': proc('net/core/wmem_default'),
  };
  const got = JSON.parse(execFileSync('python3', ['-c', SCRIPT], { encoding: 'utf8', timeout: 50_000 })) as Record<string, { rcvbuf: number; sndbuf: number; clamp: number; rcvSpace: number; sndMss: number; pmtu: number; bytesAcked: number; bytesReceived: number }>;
  const ctx = (k: string): OptionContext => {
    const g = got[k];
    return { state: 'ESTABLISHED', protocol: 'tcp', family: 'inet', type: 'stream', sysctls, extraSysctls: { 'net.ipv4.tcp_moderate_rcvbuf': '1' }, values: { SO_RCVBUF: g.rcvbuf }, tcp: { rcvSpace: g.rcvSpace, sndMss: g.sndMss, pmtu: g.pmtu, bytesAcked: g.bytesAcked, bytesReceived: g.bytesReceived } };
  };
  const show = JSON.stringify(got);
  for (const k of ['rcv65536', 'rcv100000']) assert.match(interpretOption('SO_RCVBUF', got[k].rcvbuf, ctx(k)).unusual ?? '', /^SO_RCVBUF fixed at/, `${k}: ${show}`);
  assert.match(interpretOption('SO_SNDBUF', got.snd100000.sndbuf, ctx('snd100000')).unusual ?? '', /^SO_SNDBUF fixed at/, show);
  for (const name of ['SO_RCVBUF', 'SO_SNDBUF'] as const) {
    const i = interpretOption(name, name === 'SO_RCVBUF' ? got.default.rcvbuf : got.default.sndbuf, ctx('default'));
    assert.equal(i.unusual, undefined, `default ${name}: ${i.unusual} ${show}`);
  }
  for (const k of Object.keys(got)) assert.equal(interpretOption('TCP_WINDOW_CLAMP', got[k].clamp, ctx(k)).unusual, undefined, `${k}: ${show}`);
});
