// A failed host's note carries ssh's error text as the collector escaped it (escapeRemoteText: control characters
// as \x1b, a byte that is not UTF-8 kept for the printer). The plain table and the monitor's notes line ran
// escapeControl on every note, which escaped that text a second time: ssh's `\` read `\\\\`, ESC `\\x1b`. They
// escape notes as the CLI escapes its messages (escapeMessage): once, with raw control characters still escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeRemoteText } from '../../src/collect/remote.js';
import { notesText } from '../../src/ui/components/notes-text.js';
import { plainReport } from '../../src/ui/plain.js';
import { fakeSnapshot } from '../helpers/fake-snapshot.js';

const TOGGLES = { tcp: true, udp: true, unix: false };

test("a failed host's note (already escaped ssh text) is escaped once in the plain table and the notes line", () => {
  // What multi-host.ts notes for a host whose ssh said `refused \x9b back\slash ctl ESC[31m`.
  const said = escapeRemoteText('refused \udc9bx back\\slash ctl\u001b[31m');
  const note = `web1: ssh web1: ${said}`;
  // A raw control character in a note (untrusted text a collector did not escape) is still escaped.
  const snap = { ...fakeSnapshot(), notes: [note, 'raw \u001b[2J and \u009b here'] };
  const plain = plainReport(snap, [], { protocols: TOGGLES });
  assert.ok(plain.includes('note: web1: ssh web1: refused \\x9bx back\\\\slash ctl\\x1b[31m\n'), plain);
  assert.ok(plain.includes('note: raw \\x1b[2J and \\u009b here\n'), plain);
  assert.doesNotMatch(plain, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  const line = notesText(snap);
  assert.equal(line, 'notes (2): web1: ssh web1: refused \\x9bx back\\\\slash ctl\\x1b[31m · raw \\x1b[2J and \\u009b here');
});
