// `sockscope task`: a task that is not UTF-8 is refused (exit 2, the offset of the first bad byte), never decoded
// to U+FFFD (which wrote a generated file under a mangled name); `-o -` and `--output -` both mean stdout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../bin/sockscope', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sockscope-task-bytes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function task(args: string[], input?: Buffer): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'task', ...args], { cwd: dir, input, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a task file with a Latin-1 byte: exit 2, invalid-json naming the byte and its offset; no file written', () => {
  // "café.py" in Latin-1: é is the single byte 0xE9.
  const head = '{"operation":"generate-server","type":"tcp","language":"python","port":9000,"output":"caf';
  const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0xe9]), Buffer.from('.py"}')]);
  writeFileSync(join(dir, 'latin1.json'), bytes);
  for (const [args, input, where] of [
    [['latin1.json'], undefined, 'latin1.json'],
    [['-'], bytes, 'stdin'],
  ] as const) {
    const r = task([...args], input);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.error.code, 'invalid-json');
    assert.equal(doc.error.message, `${where} is not UTF-8 text: byte 0xE9 at offset ${head.length}; a task is JSON, which is UTF-8 (convert it, e.g. iconv -f latin1 -t utf-8)`);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('caf')), [], 'nothing generated');
  // A sequence cut off at the end, and a lone continuation byte in a string the task would send.
  writeFileSync(join(dir, 'cut.json'), Buffer.concat([Buffer.from('{"operation":"errno","code":"E'), Buffer.from([0xc3])]));
  assert.match(JSON.parse(task(['cut.json']).stdout).error.message, /cut\.json is not UTF-8 text: byte 0xC3 at offset 30/);
  writeFileSync(join(dir, 'send.json'), Buffer.concat([Buffer.from('{"operation":"debug-connections","address":"127.0.0.1:9","send":"a'), Buffer.from([0x80]), Buffer.from('"}')]));
  const s = task(['send.json']);
  assert.equal(s.status, 2);
  assert.match(JSON.parse(s.stdout).error.message, /byte 0x80 at offset 66/);
  // UTF-8 itself (and a BOM) is fine: the file is written under its real name.
  writeFileSync(join(dir, 'utf8.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"operation":"generate-server","type":"tcp","language":"python","port":9000,"output":"café.py"}')]));
  const ok = task(['utf8.json']);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).result.written, ['café.py']);
  assert.ok(readdirSync(dir).includes('café.py'));
});

test('-o - and --output - (and --output=-) print the result on stdout, like no --output; no file named -', () => {
  writeFileSync(join(dir, 'ep.json'), '{"operation":"errno","code":"EPIPE"}');
  const plain = task(['ep.json']);
  assert.equal(plain.status, 0);
  for (const args of [['ep.json', '-o', '-'], ['ep.json', '--output', '-'], ['ep.json', '--output=-'], ['-o', '-', 'ep.json'], ['--output', '-', 'ep.json']]) {
    const r = task(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '', args.join(' '));
    assert.deepEqual(JSON.parse(r.stdout).result, JSON.parse(plain.stdout).result, args.join(' '));
  }
  // Input from stdin and the result on stdout.
  const both = task(['-', '--output', '-'], Buffer.from('{"operation":"errno","code":"EPIPE"}'));
  assert.equal(both.status, 0, both.stderr);
  assert.equal(JSON.parse(both.stdout).result.matches[0].name, 'EPIPE');
  assert.ok(!readdirSync(dir).includes('-'), 'no file named -');
  // A file named - is still possible, spelled ./-.
  const f = task(['ep.json', '--output', './-']);
  assert.equal(f.status, 0, f.stderr);
  assert.equal(f.stdout, '');
  assert.ok(readdirSync(dir).includes('-'));
});
