// The line inspect-options prints when nothing is unusual: a verdict only when some option value was read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOptionsReport, nothingUnusualLine } from '../../src/knowledge/interpret-options.js';
import { unknownSysctls } from '../../src/model/snapshot.js';

const base = { socket: { state: 'LISTEN', protocol: 'tcp' }, sysctls: unknownSysctls(), extraSysctls: {}, fdFlags: {} };

test('nothing read (another user\'s socket by --pid, or a source without skmem): nothing to judge, not "every value is a default"', () => {
  const { rows, unusual } = buildOptionsReport({ ...base, options: [{ name: 'TCP_NODELAY', missing: 'unknown: no getsockopt (pidfd_getfd failed with EPERM)' }, { name: 'SO_RCVBUF', missing: 'procfs carries no socket memory (skmem)' }] });
  assert.deepEqual(unusual, []);
  assert.equal(nothingUnusualLine(rows), 'Unusual: nothing to judge: no option value could be read (see Missing below).');
});

test('some value read and none unusual: every value read is a default or an ordinary choice', () => {
  const { rows, unusual } = buildOptionsReport({ ...base, options: [{ name: 'TCP_NODELAY', value: false, source: 'getsockopt' }, { name: 'SO_RCVBUF', missing: 'needs getsockopt' }] });
  assert.deepEqual(unusual, []);
  assert.equal(nothingUnusualLine(rows), 'Unusual: nothing; every value read is a default or an ordinary choice.');
});

test('a string option value (an interface name from the system) is shown with C1 and other controls escaped', async () => {
  // Review: an interface named "br\x1b[31m\u009b" bound with SO_BINDTODEVICE reached the terminal with a raw CSI
  // (displayValue used JSON.stringify, which leaves DEL and C1 raw).
  const { displayValue } = await import('../../src/knowledge/interpret-options.js');
  const d = displayValue('SO_BINDTODEVICE', 'br\u001b[31m\u009b\u007f');
  assert.doesNotMatch(d, /[\u0000-\u001f\u007f-\u009f]/, JSON.stringify(d));
  assert.equal(d, 'br\\x1b[31m\\u009b\\x7f');
  assert.equal(displayValue('TCP_CONGESTION', 'cubic'), 'cubic');
});
