// A command sockscope prints that counts sockets with `ss ... | wc -l` must ask ss for no header line (-H):
// without it the count is one too many (review s20 fixcmds: Confirm commands said 71 for 70 TIME_WAIT sockets).
// Scans every source file's text, so that a new rule, note or fix cannot bring the header back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SRC = new URL('../../src', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

test('every `ss ... | wc -l` in printed text asks for no header line (-H)', () => {
  const found: string[] = [];
  const bad: string[] = [];
  for (const file of sources(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bss (-[A-Za-z]+)(?:(?!\bss -)[^|`\n])*\|\s*wc -l/g)) {
      found.push(m[0]);
      if (!m[1]!.includes('H')) bad.push(`${file.slice(SRC.length + 1)}: ${m[0]}`);
    }
  }
  assert.ok(found.length >= 3, `the scan finds the rules' counting commands (${found.length})`);
  assert.deepEqual(bad, []);
});
