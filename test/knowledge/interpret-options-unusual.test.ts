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
