// The port view of a unix path with a bidi control (review s23 #4, 70cc81f4): the screen shows `\u202ekcos.sock`,
// and typing those six characters into the filter found 0 of 2 (socketSearchTerms searched the local path only
// as the system gave it); the raw character matched. Both forms find it now, as process names do (nameTerms).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Socket } from '../../src/model/socket.js';
import { FakeSource, snapshot } from './fakes.js';
import { KEY, mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const path = '/tmp/\u202ekcos.sock';
const unix = (state: Socket['state'], inode: number, peer = '*'): Socket => ({ protocol: 'unix', ipVersion: 4, state, local: { address: path, port: 0 }, peer: { address: peer, port: 0 }, recvQ: 0, sendQ: 0, processes: [], inode });

describe("a unix port view's filter: the path as shown and as it is", () => {
  for (const [what, typed] of [
    ['as shown (escaped)', '\\u202ekcos'],
    ['raw', '\u202ekcos'],
    ['a peer as shown', '\\u202erep'],
  ] as const) {
    it(what, async () => {
      h = await mount(new FakeSource(() => snapshot([unix('LISTEN', 1), unix('ESTABLISHED', 2, '/tmp/\u202erep.sock')])), { columns: 100, rows: 20, protocols: { tcp: false, udp: false, unix: true } });
      await h.until((x) => x.includes('kcos'));
      await h.press(KEY.enter);
      await h.until((x) => x.includes(': SOCKETS'));
      await h.press('/', ...typed, KEY.enter);
      const want = what === 'a peer as shown' ? 1 : 2;
      const f = await h.until((x) => /SOCKETS \d+ of \d+|no sockets match/.test(x), 'the filter applied');
      assert.match(f, new RegExp(`SOCKETS ${want} of 2`), f);
    });
  }
});
