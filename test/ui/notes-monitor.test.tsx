// The monitor's notes line in the App (applies with /tmp/s12/fix-drill-app-notes.patch): the snapshot's notes
// show in the header, escaped; the table moves down once when the first note comes and stays put while
// notes come and go; the frame stays rows-1 tall; a refresh that brings only a new note is drawn.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { FakeSource, listener, snapshot } from './fakes.js';
import { mount, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(() => {
  h?.unmount();
  h = undefined;
});

const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
const row = (lines: string[], what: RegExp) => lines.findIndex((l) => what.test(strip(l)));

test('notes: shown escaped in the header, the table moved once, not on every refresh', async () => {
  let notes: string[] = [];
  const sockets = [listener(18080), listener(18081)];
  const src = new FakeSource(() => ({ ...snapshot(sockets), notes }));
  h = await mount(src, { columns: 100, rows: 24 });
  const before = h.lines();
  assert.equal(row(before, /^note/), -1, before.join('\n'));
  const headerAt = row(before, /LOCAL PORTS/);

  // Only the notes change: the refresh is drawn (the refresh check compares them too).
  notes = ['web2: ssh: \u001b[2Jconnect to host web2 port 22: Connection refused\nmore', '3 unix socket names contain a newline'];
  await h.refresh();
  let f = await h.until((x) => /notes \(2\)/.test(x));
  let lines = f.split('\n');
  assert.equal(lines.length, 23);
  const n = row(lines, /^notes \(2\): /);
  assert.equal(n, 3, f);
  assert.match(strip(lines[n]), /web2: ssh: \\x1b\[2Jconnect to host web2 port 22: Connection refused\\nmore · 3 unix socket/);
  assert.ok(!f.includes('\u001b[2J'));
  assert.equal(row(lines, /LOCAL PORTS/), headerAt + 1);

  // Gone: the line stays (empty), the table does not move back; back again: nothing moves.
  notes = [];
  await h.refresh();
  f = await h.until((x) => x.includes('notes: none now'));
  lines = f.split('\n');
  assert.equal(lines.length, 23);
  assert.equal(row(lines, /LOCAL PORTS/), headerAt + 1);
  notes = ['the socket tables changed during the netlink dump; a few sockets may be missing or doubled'];
  await h.refresh();
  f = await h.until((x) => x.includes('note: the socket tables changed'));
  assert.equal(row(f.split('\n'), /LOCAL PORTS/), headerAt + 1);
});
