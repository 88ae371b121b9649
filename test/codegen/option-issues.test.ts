// The issue each refused combination carries: the message names the CLI flag, issues[0].path the option
// key (what the task document's error.issues and library callers read). One case per refusal in
// resolveOptions, so a refusal that names the wrong key, or none, shows here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { GeneratorOptionsError, resolveOptions, type GeneratorInput } from '../../src/codegen/options.js';

/** [input, issue path, how the message starts]. */
const CASES: [GeneratorInput, string, string][] = [
  [{ language: 'python', ioModel: 'epoll' }, 'ioModel', '--io-model epoll is not available for python'],
  [{ language: 'python', platform: 'windows' }, 'platform', '--platform windows applies to C only'],
  [{ language: 'c', ioModel: 'epoll', platform: 'windows' }, 'ioModel', '--io-model epoll cannot be built for --platform windows'],
  [{ type: 'udp', handler: 'http' }, 'handler', '--handler http needs --type tcp'],
  [{ type: 'udp', tcpNodelay: false }, 'tcpNodelay', '--no-tcp-nodelay applies to --type tcp only'],
  [{ type: 'udp', tcpNodelay: true }, 'tcpNodelay', '--tcp-nodelay applies to --type tcp only'],
  [{ type: 'udp', backlog: 5 }, 'backlog', '--backlog applies to --type tcp only'],
  [{ type: 'udp', keepalive: { idle: 1, interval: 1, count: 1 } }, 'keepalive', '--keepalive applies to --type tcp only'],
  [{ type: 'udp', maxConnections: 5 }, 'maxConnections', '--max-connections applies to --type tcp only'],
  [{ type: 'udp', idleTimeoutMs: 5 }, 'idleTimeoutMs', '--idle-timeout applies to --type tcp only'],
  [{ language: 'python', ioModel: 'threads', nonBlocking: true }, 'nonBlocking', '--non-blocking does not fit --io-model threads'],
  [{ language: 'python', ioModel: 'asyncio', nonBlocking: false }, 'ioModel', '--io-model asyncio is an event loop'],
  [{ dualStack: true, ipv6: false }, 'dualStack', '--dual-stack needs an IPv6 socket'],
  [{ bindAddress: 'a b' }, 'bindAddress', '--bind must be an IP address'],
  [{ bindAddress: '::1', ipv6: false }, 'bindAddress', '--bind ::1 is an IPv6 address but --no-ipv6'],
  [{ bindAddress: '127.0.0.1', ipv6: true }, 'bindAddress', '--bind 127.0.0.1 is an IPv4 address'],
  [{ bindAddress: '::1', dualStack: true }, 'dualStack', '--dual-stack accepts IPv4 only on the IPv6 wildcard'],
  [{ profile: 'throughput', tcpNodelay: false }, 'profile', '--profile throughput turns TCP_NODELAY on'],
  [{ type: 'udp', profile: 'latency' }, 'profile', '--profile latency sets TCP_NODELAY and TCP_QUICKACK'],
  [{ language: 'c', platform: 'windows', profile: 'latency' }, 'profile', '--profile latency needs TCP_QUICKACK (Linux only)'],
  [{ language: 'node', profile: 'latency' }, 'profile', "--profile latency needs TCP_QUICKACK, which Node's"],
  [{ profile: 'latency', tcpNodelay: false }, 'profile', '--profile latency turns TCP_NODELAY on'],
  // The message starts with no flag: the issue names the field given (sndbuf/rcvbuf), else the profile that set them.
  [{ language: 'node', sndbuf: 4096 }, 'sndbuf', "Node's net module cannot set SO_SNDBUF/SO_RCVBUF on TCP sockets;"],
  [{ language: 'node', profile: 'throughput' }, 'profile', "Node's net module cannot set SO_SNDBUF/SO_RCVBUF on TCP sockets (needed by --profile throughput)"],
  [{ language: 'c', platform: 'windows', reusePort: true }, 'reusePort', '--reuse-port: Windows has no SO_REUSEPORT'],
  [{ language: 'c', ioModel: 'select', maxConnections: 2000 }, 'maxConnections', '--max-connections 2000 is more than select() can watch'],
  // Bind addresses every generated server would fail to bind at its first run (EINVAL), review-ipv6 #6.
  [{ bindAddress: '::ffff:127.0.0.1' }, 'bindAddress', '--bind ::ffff:127.0.0.1 is an IPv4-mapped IPv6 address'],
  [{ bindAddress: '::FFFF:7f00:1', ipv6: true }, 'bindAddress', '--bind ::FFFF:7f00:1 is an IPv4-mapped IPv6 address'],
  [{ bindAddress: '0:0:0:0:0:ffff:10.1.2.3', type: 'udp' }, 'bindAddress', '--bind 0:0:0:0:0:ffff:10.1.2.3 is an IPv4-mapped IPv6 address'],
  // Under --dual-stack the socket is not IPv6-only: the reason given is the dual-stack rule (review-codegen #9).
  [{ bindAddress: '::ffff:127.0.0.1', dualStack: true }, 'bindAddress', '--bind ::ffff:127.0.0.1 is an IPv4-mapped IPv6 address: --dual-stack accepts IPv4 only on the IPv6 wildcard; bind ::'],
  [{ bindAddress: 'fe80::1' }, 'bindAddress', '--bind fe80::1 is a link-local address: bind needs its interface'],
  [{ bindAddress: 'FEBF:0::2', language: 'python' }, 'bindAddress', '--bind FEBF:0::2 is a link-local address'],
  [{ type: 'udp', bufferSize: 65537 }, 'bufferSize', '--buffer-size 65537 is more than a UDP datagram can carry'],
  // Empty values (review s21 codegen #1): the rule in words, not zod's "Too small"; the value shown quoted.
  [{ bindAddress: '' }, 'bindAddress', `--bind must be an IP address (e.g. 127.0.0.1, ::1, fe80::1%eth0) or a host name (letters, digits, '-' and '.'), got ""`],
  [{ ioModel: '' }, 'ioModel', '--io-model "" is not available for c; allowed: epoll, poll, select, kqueue, io_uring'],
  [{ ioModel: ' epoll2 ' }, 'ioModel', '--io-model " epoll2 " is not available for c'],
];

test('every refused combination names its option key in issues[0].path, and the message in issues[0].message', () => {
  for (const [input, path, start] of CASES) {
    let err: unknown;
    try {
      resolveOptions(input, DEFAULT_CONFIG);
    } catch (e) {
      err = e;
    }
    const what = JSON.stringify(input);
    assert.ok(err instanceof GeneratorOptionsError, `${what} was accepted`);
    assert.ok(err.message.startsWith(start), `${what}: ${err.message}`);
    assert.equal(err.code, 'invalid-options', what);
    assert.deepEqual(err.issues, [{ path, message: err.message }], what);
  }
});

test('schema refusals keep zod\'s issue paths; errors built without issues are about the whole input', () => {
  assert.throws(
    () => resolveOptions({ port: 70000, backlog: 0 }, DEFAULT_CONFIG),
    (e: unknown) => e instanceof GeneratorOptionsError && e.issues.map((i) => i.path).sort().join() === 'backlog,port',
  );
  // A message that happens to start with a flag says nothing about the path: only the thrower knows it.
  assert.deepEqual(new GeneratorOptionsError('--port must be a number').issues, [{ path: '', message: '--port must be a number' }]);
});
