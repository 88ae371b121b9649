// A task's failure document: error.message and each issue's path and message are escaped text, as the CLI's
// stderr shows the same messages (`sockscope errno CODE`) and --json's recommendation messages are. Before, the
// decoded message carried what the task held raw: an errno code of ESC ] 0 ; ... BEL (a terminal title), U+202E,
// U+009B (CSI); an unknown field's name joined into "invalid analyze task: NAME: ..."; the input file's name.
// jsonText kept the document itself safe to cat, but a program printing error.message got the raw characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeTask } from '../../src/api/task.js';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
// C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates: none may be in the decoded text.
const RAW = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

function assertEscaped(doc: { ok: boolean; error?: { message: string; issues: { path: string; message: string }[] } }): void {
  assert.equal(doc.ok, false);
  const e = doc.error!;
  assert.doesNotMatch(e.message, RAW, `raw control in error.message: ${JSON.stringify(e.message)}`);
  for (const i of e.issues) {
    assert.doesNotMatch(i.message, RAW, `raw control in an issue's message: ${JSON.stringify(i.message)}`);
    assert.doesNotMatch(i.path, RAW, `raw control in an issue's path: ${JSON.stringify(i.path)}`);
  }
}

test('executeTask: an errno code with a terminal title, U+202E and U+009B is quoted escaped', async () => {
  const r = await executeTask({ operation: 'errno', code: '\x1b]0;PWNED\x07\u202e\u009b' });
  assert.equal(r.exitCode, 2);
  assertEscaped(r.document);
  assert.ok(!r.document.ok);
  assert.equal(r.document.error.message, "no error name, number or message matches '\\x1b]0;PWNED\\x07\\u202e\\u009b'");
});

test("executeTask: an unknown field's name is escaped where the message joins it, and in the issue's path", async () => {
  const r = await executeTask({ operation: 'analyze', port: 47140, '\x1b]0;X\x07': 1 });
  assert.equal(r.exitCode, 2);
  assertEscaped(r.document);
  assert.ok(!r.document.ok);
  assert.match(r.document.error.message, /^invalid analyze task: \\x1b\]0;X\\x07: unknown field/);
  assert.equal(r.document.error.issues[0].path, '\\x1b]0;X\\x07');
});

test('sockscope task: the three messages reach stdout escaped (errno code, unknown field, the file name)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'task-esc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const e1 = join(dir, 'e1.json');
  const e2 = join(dir, 'e2.json');
  writeFileSync(e1, '{"operation":"errno","code":"\\u001b]0;PWNED\\u0007\\u202e\\u009b"}');
  writeFileSync(e2, '{"operation":"analyze","port":47140,"\\u001b]0;X\\u0007":1}');
  for (const input of [e1, e2, join(dir, 'nonexist\x1b[31m\u009b.json')]) {
    const r = spawnSync(process.execPath, [BIN, 'task', input], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    const doc = JSON.parse(r.stdout);
    assertEscaped(doc);
  }
  const r = spawnSync(process.execPath, [BIN, 'task', join(dir, 'nonexist\x1b[31m\u009b.json')], { encoding: 'utf8', timeout: 30_000 });
  assert.match(JSON.parse(r.stdout).error.message, /^cannot read .*nonexist\\x1b\[31m\\u009b\.json: no such file$/);
});
