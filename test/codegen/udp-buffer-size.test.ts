// --buffer-size with --type udp (review-udp #12): it was recorded in the header and the regenerate line
// but every UDP server read 65536 bytes anyway. Now it is the longest datagram served, in every language:
// one that long is echoed, a longer one is dropped with a line on stderr (never cut short); more than
// 65536 is refused (exit 2); the configured TCP read size does not shrink UDP servers. The UDP comments
// describe UDP buffers, not TCP autotuning, listen() or accepted sockets. Runs servers on loopback.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { generateServer, type GeneratorInput } from '../../src/codegen/index.js';
import { DEFAULT_CONFIG } from '../../src/config/schema.js';
import { withServer } from './runtime-suite.js';
import * as h from './harness.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;

const VARIANTS: [string, GeneratorInput][] = [
  ['c epoll', { language: 'c', ioModel: 'epoll' }],
  ['c io_uring', { language: 'c', ioModel: 'io_uring' }],
  ['python asyncio', { language: 'python', ioModel: 'asyncio' }],
  ['python selectors', { language: 'python', ioModel: 'selectors' }],
  ['python threads', { language: 'python', ioModel: 'threads' }],
  ['node', { language: 'node' }],
];

/** Sends one datagram of `size` bytes and resolves with the reply's length, or null after 3 s (resent every 0.7 s). */
function echoSize(port: number, size: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const payload = Buffer.alloc(size, 0x61);
    const done = (v: number | null) => {
      clearInterval(resend);
      clearTimeout(timer);
      s.close();
      resolve(v);
    };
    s.on('message', (m) => done(m.length));
    s.on('error', () => {});
    const send = () => s.send(payload, port, h.LOOPBACK4);
    const resend = setInterval(send, 700);
    const timer = setTimeout(() => done(null), 3000);
    send();
  });
}

describe('--type udp --buffer-size N: the longest datagram served', () => {
  for (const [label, input] of VARIANTS) {
    test(`${label}: 512 bytes echoed, 513 dropped with a line on stderr`, { timeout: 60_000 }, async () => {
      await withServer({ ...input, type: 'udp', bufferSize: 512, bindAddress: h.LOOPBACK4 }, h.LOOPBACK4, async (srv) => {
        assert.equal(await echoSize(srv.port, 512), 512);
        assert.equal(await echoSize(srv.port, 513), null, 'a datagram longer than --buffer-size was answered');
        assert.equal(await echoSize(srv.port, 1), 1, 'still serving after the drop');
        assert.match(srv.stderr(), /dropped a datagram/);
      });
    });
  }
});

test('the generated code uses --buffer-size for UDP; the header and regenerate line say so; the TCP read size from config does not apply', () => {
  const small = { ...DEFAULT_CONFIG, bufferSize: 4096 };
  for (const [, input] of VARIANTS) {
    const r = generateServer({ ...input, type: 'udp', bufferSize: 1024, port: 9000 }, { config: DEFAULT_CONFIG });
    const src = r.files[0].content;
    assert.match(src, /DATAGRAM_BUFFER_SIZE 1024\b|BUFFER_SIZE = 1024\b/, `${input.language}: buffer size not in the code`);
    assert.match(src, /Regenerate: .*--buffer-size 1024 /);
    // Default: 65536 (any datagram fits) whatever the configured TCP read size; not repeated in the regenerate line.
    const d = generateServer({ ...input, type: 'udp', port: 9000 }, { config: small });
    assert.equal(d.options.bufferSize, 65536);
    assert.match(d.files[0].content, /DATAGRAM_BUFFER_SIZE 65536\b|BUFFER_SIZE = 65536\b/);
    assert.doesNotMatch(d.files[0].content, /Regenerate: .*--buffer-size/);
  }
  // TCP keeps the configured read size.
  assert.equal(generateServer({ language: 'c', type: 'tcp' }, { config: small }).options.bufferSize, 4096);
});

test('UDP comments with --rcvbuf/--sndbuf describe UDP buffers, not TCP autotuning, listen() or accepted sockets', () => {
  for (const [label, input] of VARIANTS) {
    const src = generateServer({ ...input, type: 'udp', rcvbuf: 1 << 20, sndbuf: 1 << 20 }, { config: DEFAULT_CONFIG }).files[0].content;
    const body = src.slice(src.indexOf('\n\n'));
    for (const tcpWords of [/autotuning for the socket|disables autotuning|turns off .*autotuning/i, /listen\(\)/, /accepted sockets/, /window scale/])
      assert.doesNotMatch(body, tcpWords, `${label}: ${tcpWords}`);
    assert.match(body, /rmem_max/, `${label}: the rcvbuf cap is not explained`);
  }
});

test('generate-server exits 2 naming the flag for --buffer-size above a datagram, a v4-mapped or an unzoned link-local --bind', () => {
  for (const [args, flag] of [
    [['--type', 'udp', '--buffer-size', '70000'], /--buffer-size 70000 is more than a UDP datagram can carry/],
    [['--bind', '::ffff:127.0.0.1'], /--bind ::ffff:127\.0\.0\.1 is an IPv4-mapped IPv6 address.*bind 127\.0\.0\.1/],
    [['--bind', '::ffff:127.0.0.1', '--ipv6', '--type', 'udp'], /IPv4-mapped/],
    [['--bind', 'fe80::1', '--language', 'python'], /--bind fe80::1 is a link-local address: bind needs its interface.*fe80::1%eth0/],
  ] as const) {
    const r = spawnSync(BIN, ['generate-server', ...args, '--stdout'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, flag);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'stack trace');
    assert.equal(r.stdout, '');
  }
});
