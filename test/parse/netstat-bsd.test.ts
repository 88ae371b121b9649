import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBsdNetstat, parseBsdNetstatLine } from '../../src/parse/netstat-bsd.js';
import { parseHostPort } from '../../src/parse/netstat-common.js';

const fx = (name: string): string => readFileSync(new URL(`../fixtures/netstat-bsd/${name}`, import.meta.url), 'utf8');
type S = ReturnType<typeof parseBsdNetstat>[number];
const row = (s: S) => [s.protocol, s.ipVersion, s.state, s.local.address, s.local.port, s.local.scope ?? null, s.peer.address, s.peer.port, s.recvQ, s.sendQ];

test('BSD endpoints: port after the last dot, * wildcards, scoped IPv6', () => {
  assert.deepEqual(parseHostPort('127.0.0.1.8080', '.'), { address: '127.0.0.1', port: 8080, v6: false });
  assert.deepEqual(parseHostPort('*.80', '.'), { address: '0.0.0.0', port: 80, v6: false });
  assert.deepEqual(parseHostPort('*.80', '.', true), { address: '::', port: 80, v6: true });
  assert.deepEqual(parseHostPort('*.*', '.'), { address: '0.0.0.0', port: 0, v6: false });
  assert.deepEqual(parseHostPort('fe80::1%lo0.5353', '.'), { address: 'fe80::1', port: 5353, scope: 'lo0', v6: true });
  assert.deepEqual(parseHostPort('::1.631', '.'), { address: '::1', port: 631, v6: true });
});

test('macOS netstat -an -p tcp: every state, tcp4/tcp6/tcp46, cut IPv6 addresses, truncated last line', () => {
  const socks = parseBsdNetstat(fx('macos-an-p-tcp.txt'));
  assert.deepEqual(socks.map(row), [
    ['tcp', 4, 'ESTABLISHED', '192.168.1.23', 52411, null, '140.82.112.25', 443, 0, 0],
    ['tcp', 4, 'ESTABLISHED', '192.168.1.23', 52409, null, '17.57.146.52', 5223, 0, 31],
    ['tcp', 4, 'CLOSE_WAIT', '127.0.0.1', 8080, null, '127.0.0.1', 52412, 0, 0],
    ['tcp', 4, 'FIN_WAIT2', '127.0.0.1', 52412, null, '127.0.0.1', 8080, 0, 0],
    ['tcp', 4, 'TIME_WAIT', '192.168.1.23', 52399, null, '17.253.3.202', 80, 0, 0],
    ['tcp', 6, 'ESTABLISHED', 'fe80::1', 5353, 'lo0', 'fe80::1', 49152, 0, 0],
    ['tcp', 6, 'LISTEN', '::1', 631, null, '::', 0, 0, 0],
    ['tcp', 6, 'SYN_SENT', 'fe80::1c8e:9d4b:a', 49311, null, 'fe80::18e4:5c4b:', 3283, 0, 0],
    ['tcp', 6, 'LISTEN', '::', 5000, null, '::', 0, 0, 0],
    ['tcp', 4, 'LISTEN', '127.0.0.1', 8080, null, '0.0.0.0', 0, 0, 0],
    ['tcp', 4, 'LISTEN', '0.0.0.0', 22, null, '0.0.0.0', 0, 0, 0],
    ['tcp', 4, 'SYN_SENT', '192.168.1.23', 52500, null, '93.184.216.34', 443, 0, 0],
    ['tcp', 4, 'SYN_RECV', '192.168.1.23', 443, null, '10.0.0.9', 60001, 0, 0],
    ['tcp', 4, 'FIN_WAIT1', '192.168.1.23', 52510, null, '93.184.216.34', 443, 0, 0],
    ['tcp', 4, 'LAST_ACK', '192.168.1.23', 52511, null, '93.184.216.34', 443, 0, 0],
    ['tcp', 4, 'CLOSING', '192.168.1.23', 52512, null, '93.184.216.34', 443, 0, 0],
    ['tcp', 4, 'CLOSE', '192.168.1.23', 52513, null, '93.184.216.34', 443, 0, 0],
  ]);
  assert.ok(socks.every((s) => s.processes.length === 0 && s.inode === undefined));
  assert.ok(socks.filter((s) => s.state === 'LISTEN').every((s) => s.sendQUnknown));
});

test('macOS netstat -an -p udp: no state column, udp46, queued bytes', () => {
  const socks = parseBsdNetstat(fx('macos-an-p-udp.txt'));
  assert.deepEqual(socks.map(row), [
    ['udp', 4, 'CLOSE', '0.0.0.0', 5353, null, '0.0.0.0', 0, 0, 0],
    ['udp', 6, 'CLOSE', '::', 5353, null, '::', 0, 0, 0],
    ['udp', 6, 'CLOSE', '::', 49677, null, '::', 0, 0, 0],
    ['udp', 4, 'CLOSE', '192.168.1.23', 62011, null, '192.168.1.1', 53, 0, 0],
    ['udp', 6, 'CLOSE', 'fe80::1', 546, 'en0', '::', 0, 0, 0],
    ['udp', 4, 'CLOSE', '127.0.0.1', 8125, null, '0.0.0.0', 0, 1024, 0],
  ]);
});

test('FreeBSD and OpenBSD spellings', () => {
  assert.deepEqual(parseBsdNetstat(fx('freebsd-an-p-tcp.txt')).map((s) => [s.ipVersion, s.state, s.local.address, s.local.port]), [
    [4, 'ESTABLISHED', '10.0.2.15', 22],
    [4, 'LISTEN', '0.0.0.0', 22],
    [6, 'LISTEN', '::', 22],
    [4, 'LISTEN', '127.0.0.1', 25],
  ]);
  assert.deepEqual(parseBsdNetstat(fx('openbsd-an-p-tcp.txt')).map((s) => [s.ipVersion, s.state, s.local.address, s.local.port]), [
    [4, 'ESTABLISHED', '10.0.2.15', 22],
    [4, 'LISTEN', '0.0.0.0', 22],
    [6, 'LISTEN', '::', 22],
    [6, 'LISTEN', '::1', 25],
  ]);
});

test('empty input and junk', () => {
  assert.deepEqual(parseBsdNetstat(fx('empty.txt')), []);
  assert.equal(parseBsdNetstatLine('Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)'), null);
  assert.equal(parseBsdNetstatLine('tcp4       0      0  localhost.http         *.*                    LISTEN'), null, 'names need -n');
});
