// Keys typed after a protocol toggle wait for that protocol's collection (at most 2 s): the screen said nothing
// meanwhile and looked frozen (diff review s21 monitor #1 of a8ef118). The footer now says the keys wait, and
// goes back to the key list once the collection is drawn; Ctrl-C quits at once (test/ui/key-queue).
import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { conn, FakeSource, listener, snapshot } from './fakes.js';
import { mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

it('x then a key: the footer says keys wait while unix sockets are collected, then lists the keys again', async () => {
  const src = new FakeSource(() => snapshot([listener(18080), conn(18080, '127.0.0.1', 40001)]));
  const collect = src.collect.bind(src);
  // The first collection with unix sockets takes 800 ms (a busy host).
  src.collect = async (o) => {
    if (o?.protocols?.includes('unix')) await new Promise((r) => setTimeout(r, 800));
    return collect(o);
  };
  h = await mount(src, { columns: 100, rows: 30 });
  await h.until((f) => f.includes('18080') && f.includes('q quit'));
  await h.press('x', 'j');
  const held = await h.until((f) => f.includes('keys wait:'), 'the footer saying keys wait');
  assert.match(held, /keys wait: collecting the protocol just switched on \(at most 2 s\)\s+Ctrl-C quit/);
  await h.until((f) => f.includes('q quit') && !f.includes('keys wait:'), 'the key list back once the collection is drawn');
});
