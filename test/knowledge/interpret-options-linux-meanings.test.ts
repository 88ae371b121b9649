// Option meanings that must match what Linux does (review session 11, /tmp/s11/review-options.md), checked on the
// interpretation with the values the reviewer's programs read back; the behaviour itself was measured there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unknownSysctls } from '../../src/model/snapshot.js';
import { interpretOption, type OptionContext } from '../../src/knowledge/interpret-options.js';
import { describeOption } from '../../src/knowledge/socket-options.js';

const ctx = (o: Partial<OptionContext> = {}): OptionContext => ({ state: 'ESTABLISHED', protocol: 'tcp', family: 'inet', type: 'stream', sysctls: unknownSysctls(), extraSysctls: {}, values: {}, ...o });

test('SO_LINGER {1, N} on Linux: close() blocks even on an O_NONBLOCK fd, and no reset follows the timeout', () => {
  // linger.py: {1, 2}, 98 KB queued, peer not reading: close() took 2.0 s on the O_NONBLOCK fd; then FIN-WAIT-1, no RST
  const nb = interpretOption('SO_LINGER', { onoff: true, seconds: 4 }, ctx({ nonblock: true }));
  assert.doesNotMatch(nb.meaning + nb.unusual, /does not wait|then resets|reset still follows/i);
  assert.match(nb.meaning, /close\(\) blocks until unsent data is acknowledged or 4 s pass, even on this non-blocking fd/);
  assert.match(nb.meaning, /no reset on Linux/);
  assert.match(nb.unusual!, /can block the calling thread for up to 4 s, although the fd is O_NONBLOCK/);
  assert.doesNotMatch(interpretOption('SO_LINGER', { onoff: true, seconds: 4 }, ctx()).meaning, /then resets/);
  // a listener's close() does not linger (measured 0 s); accepted connections inherit the setting (read back {1, 5})
  const l = interpretOption('SO_LINGER', { onoff: true, seconds: 5 }, ctx({ state: 'LISTEN' }));
  assert.match(l.meaning, /listener's own close\(\) does not linger; the connections it accepts inherit \{1, 5\}/);
  assert.match(l.unusual!, /every accepted connection inherits it/);
  // the reference says the same
  const ref = describeOption('SO_LINGER').details;
  assert.doesNotMatch(ref, /then the connection is reset/);
  assert.match(ref, /even on an O_NONBLOCK socket/);
  assert.match(ref, /Linux does not reset the connection/);
});
