// Strict unit parsing for --bandwidth, --rtt and sizes: good forms, and bad ones naming the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBandwidth, parseDurationMs, parseSize, UnitError } from '../../src/advise/units.js';

test('bandwidth: bits (tc style, any case, optional /s) and explicit bytes per second', () => {
  assert.equal(parseBandwidth('10gbit'), 1.25e9);
  assert.equal(parseBandwidth('10Gbit'), 1.25e9);
  assert.equal(parseBandwidth('100mbit/s'), 12.5e6);
  assert.equal(parseBandwidth('1.5gbit'), 187.5e6);
  assert.equal(parseBandwidth('800kbit'), 100e3);
  assert.equal(parseBandwidth('64bit'), 8);
  assert.equal(parseBandwidth('125MB/s'), 125e6);
  assert.equal(parseBandwidth('1MiB/s'), 1048576);
  assert.equal(parseBandwidth(' 1tbit '), 1.25e11);
});

test('bandwidth: missing, unknown and ambiguous units, zero and absurd values are refused with the flag named', () => {
  const bad: [string, RegExp][] = [
    ['10', /^--bandwidth needs a unit/],
    ['10gbps', /^--bandwidth: "gbps" is ambiguous .* write 10gbit for bits or 10GB\/s for bytes/],
    ['10Mbps', /ambiguous/],
    ['10 furlongs', /^--bandwidth: unknown unit "furlongs"/],
    ['10mb/s', /unknown unit "mb\/s"/],
    ['0gbit', /must be greater than 0/],
    ['-1gbit', /must be a number with a unit/],
    ['fast', /must be a number with a unit/],
    ['', /must be a number with a unit/],
    ['1e3mbit', /must be a number with a unit/],
    ['20tbit', /at most 10tbit/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseBandwidth(text), (e: unknown) => e instanceof UnitError && re.test((e as Error).message), text);
  }
  assert.throws(() => parseBandwidth('10', '--link'), /^.*--link needs a unit/);
});

test('durations: ns, us, µs, ms, s; a unit is required; 0 < d <= 60 s', () => {
  assert.equal(parseDurationMs('80ms'), 80);
  assert.equal(parseDurationMs('1.5s'), 1500);
  assert.equal(parseDurationMs('250us'), 0.25);
  assert.equal(parseDurationMs('250µs'), 0.25);
  assert.equal(parseDurationMs('.5ms'), 0.5);
  for (const t of ['80', '80 m', '80min', '0ms', '61s', 'ms', '-5ms']) assert.throws(() => parseDurationMs(t), (e: unknown) => e instanceof UnitError && /^--rtt/.test((e as Error).message), t);
});

test('sizes: bytes, binary K/M/G and IEC, decimal kB/MB/GB; whole bytes below 2 GiB', () => {
  assert.equal(parseSize('65536'), 65536);
  assert.equal(parseSize('64KiB'), 65536);
  assert.equal(parseSize('4M'), 4 * 1024 * 1024);
  assert.equal(parseSize('1MB'), 1e6);
  for (const t of ['0', '3GiB', '4 bananas', 'x']) assert.throws(() => parseSize(t, '--buffer'), (e: unknown) => e instanceof UnitError && /^--buffer/.test((e as Error).message), t);
});
