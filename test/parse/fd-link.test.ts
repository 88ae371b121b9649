// socketInodeInLink: a readlink(2) result in a byte buffer -> socket inode (0: another file, -1: failed read);
// socketInodeInText: the same from a link read as a string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketInodeInLink, socketInodeInText } from '../../src/parse/fd-link.js';

function read(link: string, size = 64): [Buffer, number] {
  const buf = Buffer.alloc(size);
  const n = buf.write(link, 'latin1');
  return [buf, Math.min(n, size)];
}

test('socket links give their inode', () => {
  assert.equal(socketInodeInLink(...read('socket:[1]')), 1);
  assert.equal(socketInodeInLink(...read('socket:[4026531993]')), 4026531993);
});

test('other links are 0, a failed read is -1', () => {
  for (const link of ['/dev/null', 'pipe:[12345]', 'anon_inode:[eventfd]', 'socket:[]', 'socket:[12a4]', 'socket:[123', 'Socket:[123]', '']) {
    assert.equal(socketInodeInLink(...read(link)), 0, link);
  }
  assert.equal(socketInodeInLink(Buffer.alloc(64), -1), -1);
});

test('a link that filled the whole buffer (maybe cut short) is not trusted', () => {
  assert.equal(socketInodeInLink(...read('socket:[12345]', 14)), 0);
  assert.equal(socketInodeInLink(...read('socket:[12345]', 15)), 12345);
});

test('its source runs on its own, as the fd-reading worker runs it', () => {
  const f = new Function(`return (${socketInodeInLink.toString()});`)() as typeof socketInodeInLink;
  assert.equal(f(...read('socket:[777]')), 777);
  assert.equal(f(...read('/dev/zero')), 0);
});

test('a link read as a string gives what the byte parser gives', () => {
  for (const link of ['socket:[1]', 'socket:[4026531993]', '/dev/null', 'pipe:[12345]', 'anon_inode:[eventfd]', 'socket:[]', 'socket:[12a4]', 'socket:[123', 'Socket:[123]', ' socket:[5]', '']) {
    assert.equal(socketInodeInText(link), socketInodeInLink(...read(link)), link);
  }
});
