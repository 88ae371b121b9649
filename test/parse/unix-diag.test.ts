import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NLMSG_DONE, NLM_F_MULTI, SOCK_DIAG_BY_FAMILY } from '../../src/parse/inet-diag.js';
import { escapeControl } from '../../src/model/escape.js';
import {
  UDIAG_SHOW_NAME,
  UDIAG_SHOW_PEER,
  UDIAG_SHOW_RQLEN,
  UDIAG_SHOW_UID,
  UDIAG_SHOW_VFS,
  UNIX_DIAG_NAME,
  UNIX_DIAG_PEER,
  UNIX_DIAG_RQLEN,
  UNIX_DIAG_UID,
  UNIX_DIAG_VFS,
  buildUnixDiagRequest,
  parseUnixDiagBuffer,
  parseUnixDiagMsg,
  resolveUnixPeers,
} from '../../src/parse/unix-diag.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/netlink/${name}`, import.meta.url));
const manifest = JSON.parse(readFileSync(new URL('../fixtures/netlink/manifest.json', import.meta.url), 'utf8')) as Record<string, number | string>;

function nlmsg(type: number, payload: Buffer): Buffer {
  const len = 16 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(NLM_F_MULTI, 6);
  payload.copy(b, 16);
  return b;
}

function attr(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  data.copy(b, 4);
  return b;
}

const u32s = (...v: number[]) => {
  const b = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => b.writeUInt32LE(x, i * 4));
  return b;
};

function unixMsg(o: { type?: number; state?: number; ino?: number; attrs?: Buffer[] }): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(1, 0);
  b.writeUInt8(o.type ?? 1, 1);
  b.writeUInt8(o.state ?? 10, 2);
  b.writeUInt32LE(o.ino ?? 100, 4);
  b.writeUInt32LE(7, 8);
  return Buffer.concat([b, ...(o.attrs ?? [])]);
}

test('unix_diag_req asks for name, vfs, peer, queue lengths and uid', () => {
  const r = buildUnixDiagRequest({ seq: 3 });
  assert.equal(r.length, 40);
  assert.equal(r.readUInt16LE(4), SOCK_DIAG_BY_FAMILY);
  assert.equal(r[16], 1, 'AF_UNIX');
  assert.equal(r.readUInt32LE(20), 0xffffffff, 'every state');
  assert.equal(r.readUInt32LE(28), UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_UID);
});

test('hand-built: path with spaces, abstract name padded with NULs, peer, queues, uid, types', () => {
  const listener = unixMsg({ ino: 100, attrs: [attr(UNIX_DIAG_NAME, Buffer.from('/run/my app/s.sock')), attr(UNIX_DIAG_VFS, u32s(555, 66)), attr(UNIX_DIAG_RQLEN, u32s(2, 128)), attr(UNIX_DIAG_UID, u32s(1000))] });
  const abstract = unixMsg({ type: 2, state: 7, ino: 101, attrs: [attr(UNIX_DIAG_NAME, Buffer.concat([Buffer.from('\0abs-name'), Buffer.alloc(20)]))] });
  const client = unixMsg({ type: 5, state: 1, ino: 102, attrs: [attr(UNIX_DIAG_PEER, u32s(103)), attr(UNIX_DIAG_RQLEN, u32s(10, 20))] });
  const server = unixMsg({ type: 5, state: 1, ino: 103, attrs: [attr(UNIX_DIAG_NAME, Buffer.from('/run/my app/s.sock')), attr(UNIX_DIAG_PEER, u32s(102))] });
  const doneMsg = nlmsg(NLMSG_DONE, Buffer.alloc(4));
  const buf = Buffer.concat([nlmsg(SOCK_DIAG_BY_FAMILY, listener), nlmsg(SOCK_DIAG_BY_FAMILY, abstract), nlmsg(SOCK_DIAG_BY_FAMILY, client), nlmsg(SOCK_DIAG_BY_FAMILY, server), doneMsg]);
  const r = parseUnixDiagBuffer(buf, buf.length);
  assert.equal(r.done, true);
  assert.equal(r.sockets.length, 4);
  const [l, a, c, s] = r.sockets;
  assert.equal(l.state, 'LISTEN');
  assert.equal(l.unixType, 'stream');
  assert.equal(l.local.address, '/run/my app/s.sock');
  assert.equal(l.recvQ, 2);
  assert.equal(l.sendQ, 128);
  assert.equal(l.uid, 1000);
  assert.equal(l.vfsInode, 555);
  assert.equal(l.inode, 100);
  // ss and /proc/net/unix print the padding NULs of an abstract name as '@': so does this parser.
  assert.equal(a.local.address, `@abs-name${'@'.repeat(20)}`);
  assert.equal(a.state, 'CLOSE');
  assert.equal(a.unixType, 'dgram');
  assert.equal(c.unixType, 'seqpacket');
  assert.equal(c.local.address, '');
  assert.equal(c.peerInode, 103);
  assert.equal(c.peer.address, '', 'peers stay unnamed unless resolved');
  resolveUnixPeers(r.sockets);
  assert.equal(c.peer.address, '/run/my app/s.sock');
  assert.equal(s.peer.address, '');
});

test('abstract names: a NUL inside is kept (ss prints @, so \\0dup\\0x and \\0dup@x merged), trailing NULs are @ as ss prints them; paths end at their NUL', () => {
  const named = (name: Buffer) => {
    const m = unixMsg({ type: 2, state: 7, attrs: [attr(UNIX_DIAG_NAME, name)] });
    return parseUnixDiagMsg(m, 0, m.length)!.local.address;
  };
  assert.equal(named(Buffer.from('\0nul\0inside')), '@nul\0inside');
  assert.equal(named(Buffer.from('\0nul\0other')), '@nul\0other');
  assert.notEqual(named(Buffer.from('\0dup\0x')), named(Buffer.from('\0dup@x')), 'a NUL and an @ are two names');
  assert.equal(escapeControl(named(Buffer.from('\0dup\0x'))), '@dup\\x00x', 'shown escaped');
  assert.equal(named(Buffer.from('\0pad\0\0')), '@pad@@', 'padding NULs as ss shows them');
  assert.equal(named(Buffer.from('\0a\0b\0\0')), '@a\0b@@', 'inner NUL kept, padding @');
  assert.equal(named(Buffer.from('\0\0')), '@@', 'a name of one NUL: padding');
  assert.equal(named(Buffer.from('\0trailing space ')), '@trailing space ');
  assert.equal(named(Buffer.from('\0')), '@', 'autobind-style empty abstract name');
  assert.equal(named(Buffer.from('/run/a.sock\0')), '/run/a.sock', 'the terminating NUL of a path');
  assert.equal(named(Buffer.from('\0caf\xc3\xa9\0x', 'latin1')), '@café\0x');
});

test('hand-built: short, foreign and truncated messages', () => {
  assert.equal(parseUnixDiagMsg(Buffer.alloc(10), 0, 10), null);
  const notUnix = unixMsg({});
  notUnix.writeUInt8(2, 0);
  assert.equal(parseUnixDiagMsg(notUnix, 0, notUnix.length), null);
  const badAttr = attr(UNIX_DIAG_NAME, Buffer.from('/x'));
  badAttr.writeUInt16LE(90, 0);
  const m = unixMsg({ attrs: [badAttr] });
  const s = parseUnixDiagMsg(m, 0, m.length)!;
  assert.equal(s.local.address, '', 'an attribute running past the message is ignored');
  const whole = nlmsg(SOCK_DIAG_BY_FAMILY, unixMsg({ attrs: [attr(UNIX_DIAG_NAME, Buffer.from('/tmp/a'))] }));
  const r = parseUnixDiagBuffer(whole, whole.length - 3);
  assert.equal(r.sockets.length, 0);
  assert.ok(r.trailing > 0);
});

test('capture: the listener with a space in its path, its connected pair and an abstract listener', () => {
  const buf = fixture('unix.bin');
  const r = parseUnixDiagBuffer(buf, buf.length);
  assert.equal(r.done, true);
  assert.equal(r.error, 0);
  assert.equal(r.trailing, 0);
  const path = manifest.unixPath as string;
  const listener = r.sockets.find((s) => s.state === 'LISTEN' && s.local.address === path)!;
  assert.ok(listener, 'listener found by path');
  assert.equal(listener.sendQ, 4, 'backlog');
  assert.equal(listener.unixType, 'stream');
  assert.equal(listener.uid, manifest.uid);
  assert.ok(listener.vfsInode! > 0);
  const accepted = r.sockets.find((s) => s.state === 'ESTABLISHED' && s.local.address === path)!;
  const client = r.sockets.find((s) => s.inode === accepted.peerInode)!;
  assert.equal(client.peerInode, accepted.inode);
  assert.equal(client.local.address, '');
  // Node binds an abstract name with the whole sun_path: the kernel keeps 107 bytes after the leading
  // NUL, and ss and /proc/net/unix print the padding NULs as '@' too (checked on this capture's kernel).
  const name = manifest.abstractName as string;
  const abs = r.sockets.find((s) => s.local.address.startsWith(name));
  assert.ok(abs, 'abstract listener found');
  assert.equal(abs!.local.address, name.padEnd(108, '@'), 'abstract name as ss shows it, padding included');
  assert.equal(abs!.state, 'LISTEN');
});

test('unix names that are not UTF-8 keep their bytes (shown \\xNN), so two such names do not merge into one U+FFFD name', async () => {
  const { unixName } = await import('../../src/parse/unix-diag.js');
  const { escapeControl } = await import('../../src/model/escape.js');
  const a = unixName(Buffer.from([0x2f, 0x74, 0x2f, 0xff, 0x00]), 0, 5); // "/t/\xff"
  const b = unixName(Buffer.from([0x2f, 0x74, 0x2f, 0xfe, 0x00]), 0, 5); // "/t/\xfe"
  assert.notEqual(a, b);
  assert.equal(escapeControl(a), '/t/\\xff');
  assert.equal(escapeControl(unixName(Buffer.from([0x00, 0x61, 0xc3, 0x00, 0x62]), 0, 5)), '@a\\xc3\\x00b');
  assert.equal(unixName(Buffer.from('/run/é.sock\0'), 0, 13), '/run/é.sock', 'UTF-8 as it is');
});
