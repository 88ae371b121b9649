// The value lists bash completion offers are the values the command takes (review s20 cli): inspect-options
// --options offers every name inspect-options reads (the separate Linux options the reference names under an
// entry too: SO_BINDTOIFINDEX, SO_RCVBUFFORCE, IP_MULTICAST_TTL, TCP_FASTOPEN_CONNECT), generate-tcp-server
// --type its one type, and --io-model with --platform windows or portable only the models that platform builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { C_PLATFORM_IO_MODELS, IO_MODELS } from '../../src/codegen/options.js';
import { SOCKET_OPTION_NAMES } from '../../src/knowledge/socket-options.js';
import { BIN_DIR, completeAll } from '../helpers/bash-completion.js';

test('bash completion offers the values each flag takes: inspect-options names, generate-tcp-server --type, --io-model for --platform', { timeout: 120_000 }, () => {
  const [bindTo, rcvbuff, all, fastopen, afterComma, tcpType, tcpTypeT, windows, windowsNoLanguage, portable, posix, windowsAfter, python] = completeAll([
    ['inspect-options', '--options', 'SO_BINDTO'],
    ['inspect-options', '--options', 'SO_RCVBUFF'],
    ['inspect-options', '--port', '80', '--options', ''],
    ['inspect-options', '--options', 'TCP_FASTOPEN'],
    ['inspect-options', '--options', 'SO_RCVBUF,IP_MULTICAST_T'],
    ['generate-tcp-server', '--type', ''],
    ['generate-tcp-server', '--type', '=', 't'],
    ['generate-server', '--language', 'c', '--platform', 'windows', '--io-model', ''],
    ['generate-server', '--platform', 'windows', '--io-model', ''],
    ['generate-server', '--language', 'c', '--platform=portable', '--io-model', ''],
    ['generate-server', '--language', 'c', '--platform', 'posix', '--io-model', ''],
    ['generate-tcp-server', '--platform', 'windows', '--io-model', 'p'],
    ['generate-server', '--language', 'python', '--io-model', ''],
  ]);
  assert.deepEqual(bindTo.sort(), ['SO_BINDTODEVICE', 'SO_BINDTOIFINDEX']);
  assert.deepEqual(rcvbuff, ['SO_RCVBUFFORCE']);
  for (const name of [...SOCKET_OPTION_NAMES, 'SO_BINDTOIFINDEX', 'SO_RCVBUFFORCE', 'SO_SNDBUFFORCE', 'IP_MULTICAST_TTL', 'TCP_FASTOPEN_CONNECT']) assert.ok(all.includes(name), `${name} in: ${all.join(' ')}`);
  assert.equal(new Set(all).size, all.length, 'each name once');
  assert.ok(fastopen.includes('TCP_FASTOPEN') && fastopen.includes('TCP_FASTOPEN_CONNECT'), fastopen.join(' '));
  assert.deepEqual(afterComma, ['SO_RCVBUF,IP_MULTICAST_TTL']);
  assert.deepEqual(tcpType, ['tcp']);
  assert.deepEqual(tcpTypeT, ['tcp']);
  assert.deepEqual(windows.sort(), [...C_PLATFORM_IO_MODELS.windows].sort());
  assert.deepEqual(windowsNoLanguage.sort(), [...C_PLATFORM_IO_MODELS.windows].sort(), '--platform is C only');
  assert.deepEqual(portable.sort(), [...C_PLATFORM_IO_MODELS.portable].sort());
  assert.deepEqual(posix, [...IO_MODELS.c]);
  assert.deepEqual(windowsAfter, ['poll']);
  assert.deepEqual(python, [...IO_MODELS.python]);
});

test('every name inspect-options --options completes is one it reads; generate-tcp-server --type udp still says where to go', { timeout: 60_000 }, () => {
  const [names] = completeAll([['inspect-options', '--options', '']]);
  const run = (...args: string[]) => spawnSync(process.execPath, [`${BIN_DIR}/sockscope`, ...args], { encoding: 'utf8', timeout: 20_000 });
  // An unknown name is exit 2 before any socket is looked for; a known one goes on to look for pid 1's fd 999999.
  const unknown = run('inspect-options', '--pid', '1', '--socket-fd', '999999', '--options', 'SO_NOT_AN_OPTION');
  assert.equal(unknown.status, 2, unknown.stderr);
  assert.match(unknown.stderr, /unknown socket option/);
  const r = run('inspect-options', '--pid', '1', '--socket-fd', '999999', '--options', names.join(','));
  assert.doesNotMatch(r.stderr, /unknown socket option/, r.stderr);
  const udp = run('generate-tcp-server', '--type', 'udp', '--stdout');
  assert.equal(udp.status, 2);
  assert.equal(udp.stderr, 'sockscope: generate-tcp-server makes TCP servers; for --type udp use generate-server --type udp\n');
  const tcp = run('generate-tcp-server', '--type', 'tcp', '--stdout', '--language', 'python');
  assert.equal(tcp.status, 0, tcp.stderr);
});
