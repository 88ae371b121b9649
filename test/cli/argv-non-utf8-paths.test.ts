// A path on the command line whose bytes are not UTF-8 (caf\xe9.json, Latin-1) reached sockscope as caf\uFFFD.json:
// `task` said "no such file" for a file that exists, and `generate-server --output` wrote a file under the other
// name (caf\xEF\xBF\xBD.c). Now refused (exit 2, "is not valid UTF-8"), and nothing is written; a name that
// really holds U+FFFD (valid UTF-8) is used as it is.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-argv-bytes-'));
after(() => rmSync(dir, { recursive: true, force: true }));
/** bash with the words spelt $'...' so that their bytes reach the process as they are. */
const sh = (line: string) => spawnSync('bash', ['-c', line], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, BIN, NO_COLOR: '1' } });
const TASK = '{"operation":"errno","code":"104"}';
writeFileSync(join(dir, 'ok.json'), TASK);
writeFileSync(Buffer.from(join(dir, 'caf\xe9.json'), 'latin1'), TASK);
/** The directory's names as bytes, in hex where not ASCII. */
const names = () => readdirSync(dir, { encoding: 'buffer' }).map((b) => [...b].map((c) => (c < 0x80 ? String.fromCharCode(c) : `\\x${c.toString(16)}`)).join('')).sort();

test('task INPUT not UTF-8: refused as such (unreadable-input, exit 2), not "no such file"', () => {
  const r = sh(`"$BIN" task $'caf\\xe9.json'`);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.error.code, 'unreadable-input');
  assert.match(doc.error.message, /^cannot read caf\uFFFD\.json: the name is not valid UTF-8 .*; rename it or give the task on stdin/);
});

test('task --output and generate-server --output not UTF-8: refused, exit 2, nothing written', () => {
  const before = names();
  const t = sh(`"$BIN" task ok.json --output $'r\\xe9s.json'`);
  assert.equal(t.status, 2, t.stdout + t.stderr);
  assert.match(JSON.parse(t.stdout).error.message, /^--output r\uFFFDs\.json is not valid UTF-8/);
  for (const words of [`--output $'caf\\xe9.c'`, `--output=$'caf\\xe9.c' --force`, `-o $'caf\\xe9.c'`]) {
    const g = sh(`"$BIN" generate-server ${words}`);
    assert.equal(g.status, 2, words + g.stdout + g.stderr);
    assert.match(g.stderr, /^sockscope: --output caf\uFFFD\.c is not valid UTF-8 .*choose a UTF-8 name/);
  }
  assert.deepEqual(names(), before);
});

test('a name that really holds U+FFFD (valid UTF-8) is written as given', () => {
  const r = sh(`"$BIN" task ok.json --output 'r\uFFFD.json'`);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.ok(names().includes('r\\xef\\xbf\\xbd.json'));
});
