// The /proc/PID/fdinfo parser on a captured socket fdinfo (O_NONBLOCK set by Python's setblocking(False)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openFlagNames, parseFdinfo } from '../../src/parse/fdinfo.js';

test('a non-blocking socket fd: flags in octal, O_NONBLOCK and O_CLOEXEC named', () => {
  const text = readFileSync(new URL('../fixtures/fdinfo/socket-nonblock.txt', import.meta.url), 'utf8');
  const f = parseFdinfo(text);
  assert.equal(f.nonblock, true);
  assert.equal(f.cloexec, true);
  assert.deepEqual(f.flagNames, ['O_RDWR', 'O_NONBLOCK', 'O_CLOEXEC']);
  assert.equal(f.pos, 0);
  assert.ok(f.ino! > 0);
});

test('flag names and unknown lines', () => {
  assert.deepEqual(openFlagNames(0o2), ['O_RDWR']);
  assert.deepEqual(openFlagNames(0o2004001), ['O_WRONLY', 'O_NONBLOCK', 'O_CLOEXEC']);
  const f = parseFdinfo('pos:\t0\nflags:\t02\nmnt_id:\t9\neventfd-count: 5\n');
  assert.equal(f.nonblock, false);
  assert.equal(f.mntId, 9);
  assert.equal(f.other['eventfd-count'], '5');
  assert.deepEqual(parseFdinfo('').flagNames, []);
});
