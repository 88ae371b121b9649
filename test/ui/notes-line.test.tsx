// The full-screen monitor showed none of the snapshot's notes (a failed or stale remote host's error, unix
// names with newlines, ss lines not read): the Header's notes line shows them, escaped, on one line cut to
// the width; once a snapshot has had notes the line stays (empty) so that a note that comes and goes does
// not move the table on every refresh.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Text } from 'ink';
import { render } from 'ink-testing-library';
import { Header } from '../../src/ui/components/Header.js';
import { notesText, useNotesLine } from '../../src/ui/components/NotesLine.js';
import type { Snapshot } from '../../src/model/snapshot.js';
import { createTheme } from '../../src/ui/theme.js';
import { snapshot } from './fakes.js';

const theme = createTheme(false);
const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
const withNotes = (notes: string[], attribution?: Partial<Snapshot['attribution']>): Snapshot => {
  const s = snapshot([]);
  return { ...s, notes, attribution: { ...s.attribution, ...attribution } };
};

test('notesText: every note escaped, in order; none: empty; the attribution note only when the identity line does not say it', () => {
  assert.equal(notesText(undefined), '');
  assert.equal(notesText(withNotes([])), '');
  const evil = 'web2: ssh: \u001b[2Jconnect to host web2 port 22: Connection refused\r\nsecond line';
  const t = notesText(withNotes([evil, '2 unix socket names contain a newline']));
  assert.equal(t, 'notes (2): web2: ssh: \\x1b[2Jconnect to host web2 port 22: Connection refused\\r\\nsecond line · 2 unix socket names contain a newline');
  assert.ok(!/[\u0000-\u001f]/.test(t));
  assert.equal(notesText(withNotes(['one'])), 'note: one');
  // Incomplete attribution: its note is in the identity line (hiddenOwners), not repeated here.
  const note = "process owners of other users' sockets are hidden";
  assert.equal(notesText(withNotes([note, 'other'], { complete: false, note })), 'note: other');
  assert.equal(notesText(withNotes([note], { complete: true, note })), `note: ${note}`);
});

test('Header: a fourth line with the notes, cut to the width, only when given', () => {
  const props = { identity: 'sockscope · testhost', totals: 'TCP 0', rates: 'listen overflows 0/s', paused: false, width: 60, theme };
  const three = render(<Header {...props} />);
  assert.equal(strip(three.lastFrame() ?? '').split('\n').length, 3);
  three.unmount();
  const text = notesText(withNotes(['web2: ssh: connect to host web2 port 22: Connection refused', 'several hosts: kernel counters and sysctls shown are web1\'s']));
  const four = render(<Header {...props} notes={text} />);
  const lines = strip(four.lastFrame() ?? '').split('\n');
  four.unmount();
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.match(lines[3], /^notes \(2\): web2: ssh: connect to host web2 port 22: Conn\S*…$/);
  assert.equal(lines[3].length, 60);
  const empty = render(<Header {...props} notes="" />);
  const emptyLines = strip(empty.lastFrame() ?? '').split('\n');
  empty.unmount();
  assert.equal(emptyLines.length, 4);
  assert.equal(emptyLines[3].trim(), 'notes: none now');
});

test('useNotesLine: no line until a snapshot has notes, then the line stays while they come and go', async () => {
  const seen: Array<ReturnType<typeof useNotesLine>> = [];
  function Probe({ s }: { s: Snapshot }) {
    const r = useNotesLine(s);
    seen.push(r);
    return <Text>{r.lines}</Text>;
  }
  const inst = render(<Probe s={withNotes([])} />);
  inst.rerender(<Probe s={withNotes(['the socket tables changed during the netlink dump; a few sockets may be missing or doubled'])} />);
  inst.rerender(<Probe s={withNotes([])} />);
  inst.unmount();
  assert.deepEqual(seen[0], { notes: undefined, lines: 0 });
  assert.equal(seen[1].lines, 1);
  assert.match(seen[1].notes ?? '', /^note: the socket tables changed/);
  assert.deepEqual(seen[seen.length - 1], { notes: '', lines: 1 });
});
