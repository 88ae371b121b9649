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
    assert.equal(a, '…/plain.sock pytho…/4242');
    assert.match(b, /…\S*\\x07bell py…\/4242$/);
  });

  it('the owner keeps its PID (its name is cut first), an escape is never cut in half, an abstract name keeps its @ (diff review s21 monitor #2-#4)', () => {
    // 80 columns: a PROCESS cell of 21.
    assert.equal(fitPathAndOwner('/tmp/s21/dr-monitor/u/plain.sock', 'python3/12345', 21), '…/plain.sock p…/12345');
    const e = fitPathAndOwner('/tmp/dir\\x1b[31mred/a\\x07b\\x1bc.sock', 'nginx/812', 24);
    assert.equal(stringWidth(e), 24);
    assert.doesNotMatch(e, /(^|[^\\])x[0-9a-f]{2}/, `an escape cut in half: ${e}`);
    assert.match(e, /\/812\s*$/);
    const a = fitPathAndOwner('@abstract-service-name/with/slashes/identifying-it', 'python3/3356', 30);
    assert.match(a, /^@…/);
    assert.match(a, /identifying-it /);
    assert.equal(stringWidth(a), 30);
  });

  it('fits whole as before when it fits; an abstract name is its own end', () => {
    assert.equal(fitPathAndOwner('/run/a.sock', 'sshd/1', 20), '/run/a.sock sshd/1  ');
    const c = fitPathAndOwner('@sockscope-uxq-12329', 'python3/12382', 31);
    assert.equal(c, '@sockscope-uxq-12329 pyt…/12382');
    assert.equal(stringWidth(c), 31);
  });
});
