// A UTF-16 task file (PowerShell 5's `>` writes UTF-16LE with a byte order mark; a tool may leave the mark out) was
// refused with "byte 0xFF at offset 0 ... iconv -f latin1 -t utf-8", which made it worse (ÿþ{\0"\0...). It is said
// to be UTF-16, by its byte order mark or the NUL bytes among its first characters, with the iconv that converts it;
// the command advised is run here and the converted task then runs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-utf16-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const TASK = '{"operation":"errno","code":"EPIPE"}';
const task = (args: string[], input?: Buffer) => spawnSync(BIN, ['task', ...args], { cwd: dir, input, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
const le = (s: string) => Buffer.from(s, 'utf16le');
const be = (s: string) => Buffer.from(s, 'utf16le').swap16();
const TAIL = 'a task is JSON, which is UTF-8 (convert it, e.g. iconv -f';

const cases: [string, Buffer, string, string][] = [
  ['bom-le.json', le(`\ufeff${TASK}`), 'it is UTF-16LE (it starts with the byte order mark FF FE)', 'utf-16'],
  ['bom-be.json', be(`\ufeff${TASK}`), 'it is UTF-16BE (it starts with the byte order mark FE FF)', 'utf-16'],
  ['le.json', le(TASK), 'it is UTF-16LE without a byte order mark (NUL bytes among its first characters, the first at offset 1)', 'utf-16le'],
  ['be.json', be(TASK), 'it is UTF-16BE without a byte order mark (NUL bytes among its first characters, the first at offset 0)', 'utf-16be'],
  // A first character that is not ASCII (é is E9 00 in UTF-16LE): still UTF-16, not byte 0xE9 and latin1.
  ['e-first.json', le(`\u00e9${TASK}`), 'it is UTF-16LE without a byte order mark (NUL bytes among its first characters, the first at offset 1)', 'utf-16le'],
];

test('a UTF-16 task file or stdin: exit 2, invalid-json, said to be UTF-16 with the iconv that converts it; converted, it runs', () => {
  for (const [name, bytes, what, from] of cases) {
    writeFileSync(join(dir, name), bytes);
    for (const [args, input, where] of [
      [[name], undefined, name],
      [['-'], bytes, 'stdin'],
    ] as const) {
      const r = task([...args], input);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.error.code, 'invalid-json');
      assert.equal(doc.error.message, `${where} is not UTF-8 text: ${what}; ${TAIL} ${from} -t utf-8)`);
    }
    if (name === 'e-first.json') continue; // é before the JSON: converted, it is not JSON
    const conv = spawnSync('iconv', ['-f', from, '-t', 'utf-8', join(dir, name)]);
    assert.equal(conv.status, 0, String(conv.stderr));
    writeFileSync(join(dir, `u8-${name}`), conv.stdout);
    const ok = task([`u8-${name}`]);
    assert.equal(ok.status, 0, `${name} converted with -f ${from}: ${ok.stdout}${ok.stderr}`);
  }
});

test('Latin-1 keeps its advice; a lone NUL after UTF-8 text is a guess with a question mark', () => {
  writeFileSync(join(dir, 'latin1.json'), Buffer.from('{"operation":"errno","code":"caf\xe9"}', 'latin1'));
  assert.equal(JSON.parse(task(['latin1.json']).stdout).error.message, `latin1.json is not UTF-8 text: byte 0xE9 at offset 32; ${TAIL} latin1 -t utf-8)`);
  const head = `{"operation":"errno","code":"EPIPE"${' '.repeat(70)}`; // 105 bytes: past the first characters, an odd offset
  writeFileSync(join(dir, 'nul.json'), Buffer.concat([Buffer.from(head), Buffer.from([0]), Buffer.from('}')]));
  assert.equal(JSON.parse(task(['nul.json']).stdout).error.message, `nul.json is not UTF-8 text: a NUL byte at offset ${head.length} (UTF-16LE without a byte order mark?); ${TAIL} utf-16le -t utf-8)`);
});
