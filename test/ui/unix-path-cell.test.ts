// A unix row's PROCESS cell (path and owner) at widths where it does not fit: the path is cut in the middle,
// keeping its file name, and the owner stays (review s21 monitor #3: fit() cut from the end, `/tmp/dir/…`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitPathAndOwner, stringWidth } from '../../src/ui/format.js';

describe('fitPathAndOwner', () => {
  it('keeps the file name and the owner of paths in one directory', () => {
    const a = fitPathAndOwner('/tmp/s21/rv-monitor/plain.sock', 'python3/4242', 24);
    const b = fitPathAndOwner('/tmp/s21/rv-monitor/sock\\x1b[32mgreen\\x07bell', 'python3/4242', 24);
    assert.equal(stringWidth(a), 24);
    assert.equal(stringWidth(b), 24);
    assert.match(a, /^…\/plain\.sock python3\//);
    assert.match(b, /…\S*\\x07bell python3/);
  });

  it('fits whole as before when it fits; an abstract name is its own end', () => {
    assert.equal(fitPathAndOwner('/run/a.sock', 'sshd/1', 20), '/run/a.sock sshd/1  ');
    const c = fitPathAndOwner('@sockscope-uxq-12329', 'python3/12382', 31);
    assert.match(c, /^@sockscope-uxq-12329 python3\/1/);
    assert.equal(stringWidth(c), 31);
  });
});
