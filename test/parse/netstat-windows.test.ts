import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseWindowsNetstat } from '../../src/parse/netstat-windows.js';

const fx = (name: string): string => readFileSync(new URL(`../fixtures/netstat-windows/${name}`, import.meta.url), 'utf8');
type S = ReturnType<typeof parseWindowsNetstat>[number];
const row = (s: S) => [s.protocol, s.ipVersion, s.state, s.local.address, s.local.port, s.local.scope ?? null, s.peer.address, s.peer.port, s.processes.map((p) => p.pid)];

test('netstat -ano: CRLF, every state word, bracketed IPv6 with numeric zones, UDP *:*, PID 0, truncated last line', () => {
  const socks = parseWindowsNetstat(fx('ano.txt'));
  assert.deepEqual(socks.map(row), [
    ['tcp', 4, 'LISTEN', '0.0.0.0', 135, null, '0.0.0.0', 0, [1052]],
    ['tcp', 4, 'LISTEN', '0.0.0.0', 445, null, '0.0.0.0', 0, [4]],
    ['tcp', 4, 'ESTABLISHED', '127.0.0.1', 5354, null, '127.0.0.1', 49669, [3624]],
    ['tcp', 4, 'ESTABLISHED', '192.168.1.23', 49753, null, '20.42.73.24', 443, [5960]],
    ['tcp', 4, 'TIME_WAIT', '192.168.1.23', 50402, null, '52.113.194.132', 443, []],
    ['tcp', 4, 'CLOSE_WAIT', '192.168.1.23', 50410, null, '52.113.194.132', 443, [5960]],
    ['tcp', 4, 'FIN_WAIT1', '192.168.1.23', 50411, null, '52.113.194.132', 443, [5960]],
    ['tcp', 4, 'FIN_WAIT2', '192.168.1.23', 50412, null, '52.113.194.132', 443, [5960]],
    ['tcp', 4, 'SYN_SENT', '192.168.1.23', 50413, null, '52.113.194.132', 443, [5960]],
    ['tcp', 4, 'SYN_RECV', '192.168.1.23', 3389, null, '10.0.0.9', 60001, [1164]],
    ['tcp', 4, 'LAST_ACK', '192.168.1.23', 50414, null, '52.113.194.132', 443, [5960]],
    ['tcp', 4, 'CLOSING', '192.168.1.23', 50415, null, '52.113.194.132', 443, [5960]],
    ['tcp', 4, 'CLOSE', '192.168.1.23', 50416, null, '52.113.194.132', 443, [5960]],
    ['tcp', 4, 'CLOSE', '192.168.1.23', 50417, null, '0.0.0.0', 0, [5960]],
    ['tcp', 6, 'LISTEN', '::', 135, null, '::', 0, [1052]],
    ['tcp', 6, 'ESTABLISHED', '::1', 49669, null, '::1', 5354, [3624]],
    ['tcp', 6, 'LISTEN', 'fe80::8d3b:2b1a:6f4e:9a21', 139, '13', '::', 0, [4]],
    ['tcp', 6, 'ESTABLISHED', '10.0.0.5', 8080, null, '10.0.0.7', 50001, [7788]],
    ['udp', 4, 'CLOSE', '0.0.0.0', 5353, null, '0.0.0.0', 0, [2452]],
    ['udp', 6, 'CLOSE', '::', 5353, null, '::', 0, [2452]],
    ['udp', 6, 'CLOSE', 'fe80::8d3b:2b1a:6f4e:9a21', 1900, '13', '::', 0, [4836]],
    ['udp', 4, 'CLOSE', '127.0.0.1', 51234, null, '127.0.0.1', 53, [2452]],
  ]);
  assert.ok(socks.every((s) => s.sendQUnknown && s.recvQ === 0 && s.sendQ === 0));
});

test('netstat -anob: process names from the [name.exe] line after each connection', () => {
  const socks = parseWindowsNetstat(fx('anob.txt'));
  assert.deepEqual(
    socks.map((s) => [s.local.port, s.processes[0]?.pid, s.processes[0]?.name]),
    [
      [135, 1052, 'svchost.exe'],
      [445, 4, ''],
      [8080, 7788, 'my app (x64), "beta".exe'],
      [5353, 2452, 'chrome.exe'],
    ],
  );
});

test('localized state words are skipped, empty output is empty', () => {
  assert.deepEqual(parseWindowsNetstat(fx('ano-german.txt')).map((s) => [s.protocol, s.local.port]), [['udp', 5353]]);
  assert.deepEqual(parseWindowsNetstat(fx('empty.txt')), []);
});
