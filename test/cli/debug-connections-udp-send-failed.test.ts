// debug-connections --udp: a datagram larger than UDP can carry fails in the send (EMSGSIZE), after the UDP socket's
// connect() succeeded. The sendto line said EMSGSIZE, but meaning:, the verdict and --json diagnosis.summary said
// "connect to 127.0.0.1:PORT failed with EMSGSIZE": the datagram fell through to the connect wording. Real UDP
// listeners on loopback; 65,507 bytes is the most an IPv4 UDP datagram carries, 65,527 an IPv6 one (no jumbograms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { diagnoseDatagram } from '../../src/knowledge/datagram-diagnosis.js';

function listen(type: 'udp4' | 'udp6', address: string): Promise<Socket> {
  return new Promise((resolve) => {
    const s = createSocket(type);
    s.bind(0, address, () => resolve(s));
  });
}

function sockscope(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('bin/sockscope', args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

for (const [type, host, bracketed, max, family] of [
  ['udp4', '127.0.0.1', '127.0.0.1', 65507, 'IPv4'],
  ['udp6', '::1', '[::1]', 65527, 'IPv6'],
] as const) {
  test(`${family}: a ${max + 1}-byte datagram is a failed send, not a failed connect; ${max} bytes go`, { timeout: 60_000 }, async () => {
    const s = await listen(type, host);
    try {
      const port = s.address().port;
      const target = `${bracketed}:${port}`;
      const big = await sockscope(['debug-connections', '--udp', '--address', target, '--send', 'x'.repeat(max + 1), '--timeout', '1s']);
      assert.match(big.stdout, /^ {2}sendto: +\d+ bytes from .*: EMSGSIZE/m, big.stdout);
      assert.doesNotMatch(big.stdout, /connect to .* failed/, big.stdout);
      const said = `the UDP socket's connect() succeeded, but the send failed with EMSGSIZE: the datagram is larger than one UDP datagram carries over ${family}, ${max.toLocaleString('en-US')} bytes of data`;
      assert.match(big.stdout, new RegExp(`^ {2}meaning: +${target.replace(/[[\].]/g, '\\$&')}: ${said.replace(/[()]/g, '\\$&')}`, 'm'), big.stdout);
      assert.match(big.stdout, new RegExp(`^Verdict: ${target.replace(/[[\].]/g, '\\$&')} \\(UDP\\): ${said.replace(/[()]/g, '\\$&')}`, 'm'), big.stdout);
      const doc = JSON.parse((await sockscope(['debug-connections', '--udp', '--address', target, '--send', 'x'.repeat(max + 1), '--timeout', '1s', '--json'])).stdout);
      assert.equal(doc.addresses[0].diagnosis.errno, 'EMSGSIZE');
      assert.equal(doc.addresses[0].datagram.failedCall, 'send');
      assert.ok(doc.addresses[0].diagnosis.summary.startsWith(`${target}: ${said}`), doc.addresses[0].diagnosis.summary);
      assert.ok(doc.verdict.summary.startsWith(`${target} (UDP): ${said}`), doc.verdict.summary);
      assert.ok(doc.addresses[0].diagnosis.nextSteps.some((x: string) => x.includes(`at most ${max.toLocaleString('en-US')} bytes`)), doc.addresses[0].diagnosis.nextSteps.join('\n'));
      // The largest datagram that fits is sent and reaches the listener.
      const fits = JSON.parse((await sockscope(['debug-connections', '--udp', '--address', target, '--send', 'x'.repeat(max), '--timeout', '1s', '--json'])).stdout);
      assert.equal(fits.addresses[0].datagram.errno, undefined, JSON.stringify(fits.addresses[0].datagram));
      assert.equal(fits.addresses[0].datagram.sent, max);
    } finally {
      s.close();
    }
  });
}

test('any other errno of a datagram is not said as a failed connect', () => {
  for (const errno of ['ENOBUFS', 'EAFNOSUPPORT', 'EIO']) {
    const d = diagnoseDatagram({ address: '127.0.0.1', port: 9, timeoutMs: 1000, request: true, errno });
    assert.doesNotMatch(d.summary, /^connect to/, d.summary);
    assert.match(d.summary, new RegExp(`${errno}`), d.summary);
  }
  // When the probe knows which call failed, the sentence names it.
  const c = diagnoseDatagram({ address: '127.0.0.1', port: 9, timeoutMs: 1000, request: true, errno: 'ENOBUFS', failedCall: 'connect' });
  assert.match(c.summary, /^127\.0\.0\.1:9: the datagram was not sent: the UDP socket's connect\(\) failed with ENOBUFS/, c.summary);
  const snd = diagnoseDatagram({ address: '127.0.0.1', port: 9, timeoutMs: 1000, request: true, errno: 'ENOBUFS', failedCall: 'send' });
  assert.match(snd.summary, /^127\.0\.0\.1:9: the datagram was not sent: the UDP socket's send failed with ENOBUFS/, snd.summary);
  const eperm = diagnoseDatagram({ address: '10.0.0.9', port: 9, timeoutMs: 1000, request: true, errno: 'EPERM', route: { ok: true, type: 'unicast' } as never });
  assert.match(eperm.summary, /^10\.0\.0\.9:9: the datagram was refused by this host's policy/, eperm.summary);
});
