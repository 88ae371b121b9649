// Config files through the built CLI (review s23 config #3, #4, #5): bytes that are not UTF-8 are refused naming
// the file, the line:column and offset of the first one (they were decoded to U+FFFD: a key bound to U+FFFD, exit
// 0; a UTF-16 file read as one scalar); a key given twice is named with its path (it was "Map keys must be
// unique" alone), and only where sockscope reads (a duplicate in another skill's block broke every command); a
// keymap entry YAML reads as a mapping, null, a number or a boolean (`[?]`, `[~]`, `[1]`) says to quote it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli.js');

/** A project directory with an empty home; `run` runs `sockscope config [--json]` there. */
function project() {
  const root = mkdtempSync(join(tmpdir(), 'sockscope-cfgenc-'));
  const home = join(root, 'home');
  const cwd = join(root, 'project');
  mkdirSync(home);
  mkdirSync(cwd);
  const file = join(cwd, 'sockscope.yaml');
  const skill = join(cwd, '.babysitter', 'skills', 'socket-programming.yaml');
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, 'config', ...args], { cwd, env: { PATH: process.env.PATH, HOME: home }, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const writeSkill = (text: string) => {
    mkdirSync(join(cwd, '.babysitter', 'skills'), { recursive: true });
    writeFileSync(skill, text);
  };
  return { file, skill, run, writeSkill, done: () => rmSync(root, { recursive: true, force: true }) };
}

const refused = (r: { code: number | null; stdout: string; stderr: string }, line: string) => {
  assert.equal(r.stderr, `sockscope: ${line}\n`);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
};

test('a config file that is not UTF-8 is exit 2 naming the file, where the first bad byte is and the encoding', { timeout: 60_000 }, () => {
  const p = project();
  try {
    const latin1 = 'a config file is UTF-8 (convert it, e.g. iconv -f latin1 -t utf-8)';
    // The reviewer's case: pause bound to U+FFFD and the default space binding gone, exit 0.
    writeFileSync(p.file, Buffer.from('keymap:\n  pause: [\xe9]\n', 'latin1'));
    refused(p.run(), `${p.file}:2:11: not UTF-8: byte 0xE9 at offset 18; ${latin1}`);
    writeFileSync(p.file, Buffer.from('defaultLanguage: caf\xe9\n', 'latin1'));
    refused(p.run('--json'), `${p.file}:1:21: not UTF-8: byte 0xE9 at offset 20; ${latin1}`);
    // After UTF-8 characters on the line (the column counts characters) and a surrogate's encoding (ED A0 80).
    writeFileSync(p.file, Buffer.concat([Buffer.from('bufferSize: 4096\n# éé '), Buffer.from([0xed, 0xa0, 0x80, 0x0a])]));
    refused(p.run(), `${p.file}:2:6: not UTF-8: byte 0xED at offset 24; ${latin1}`);
    // UTF-16 and UTF-32 by their byte order marks; UTF-16 without one by its NUL bytes.
    const text = 'bufferSize: 4096\n';
    writeFileSync(p.file, Buffer.from(`\ufeff${text}`, 'utf16le'));
    refused(p.run(), `${p.file}: not UTF-8: UTF-16LE text (it starts with the byte order mark FF FE); a config file is UTF-8 (convert it, e.g. iconv -f utf-16 -t utf-8)`);
    writeFileSync(p.file, Buffer.from(`\ufeff${text}`, 'utf16le').swap16());
    refused(p.run(), `${p.file}: not UTF-8: UTF-16BE text (it starts with the byte order mark FE FF); a config file is UTF-8 (convert it, e.g. iconv -f utf-16 -t utf-8)`);
    writeFileSync(p.file, Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), ...[...text].map((c) => Buffer.from([c.charCodeAt(0), 0, 0, 0]))]));
    refused(p.run(), `${p.file}: not UTF-8: UTF-32LE text (it starts with the byte order mark FF FE 00 00); a config file is UTF-8 (convert it, e.g. iconv -f utf-32 -t utf-8)`);
    writeFileSync(p.file, Buffer.from(text, 'utf16le'));
    refused(p.run(), `${p.file}:1:2: not UTF-8: UTF-16LE text without a byte order mark (NUL bytes among its first characters, the first at offset 1); a config file is UTF-8 (convert it, e.g. iconv -f utf-16le -t utf-8)`);
    // Its first character not ASCII (é is E9 00): still UTF-16, not the byte 0xE9 and latin1.
    writeFileSync(p.file, Buffer.from(`# é\n${text}`, 'utf16le'));
    refused(p.run(), `${p.file}:1:2: not UTF-8: UTF-16LE text without a byte order mark (NUL bytes among its first characters, the first at offset 1); a config file is UTF-8 (convert it, e.g. iconv -f utf-16le -t utf-8)`);
    writeFileSync(p.file, Buffer.from(`é: 1\n${text}`, 'utf16le').swap16());
    refused(p.run(), `${p.file}:1:1: not UTF-8: UTF-16BE text without a byte order mark (NUL bytes among its first characters, the first at offset 0); a config file is UTF-8 (convert it, e.g. iconv -f utf-16be -t utf-8)`);
    // One NUL further on in UTF-8 text: said as before, a guess.
    writeFileSync(p.file, Buffer.concat([Buffer.from(`${text}${'#'.repeat(80)}\n# `), Buffer.from([0, 0x0a])]));
    refused(p.run(), `${p.file}:3:3: not UTF-8 text: a NUL byte at offset 100 (UTF-16BE without a byte order mark?); a config file is UTF-8 (convert it, e.g. iconv -f utf-16be -t utf-8)`);
    // The skill file is read the same way.
    rmSync(p.file);
    p.writeSkill('');
    writeFileSync(p.skill, Buffer.from('socket-programming:\n  bufferSize: 4096\n# \xff\n', 'latin1'));
    refused(p.run(), `${p.skill}:3:3: not UTF-8: byte 0xFF at offset 41; ${latin1}`);
    rmSync(p.skill);
    // A UTF-8 byte order mark is allowed, and the text is read as written.
    writeFileSync(p.file, '\ufeffbufferSize: 4096\nkeymap: {pause: [é]}\n');
    const ok = p.run('--json');
    assert.equal(ok.code, 0, ok.stderr);
    const doc = JSON.parse(ok.stdout);
    assert.equal(doc.config.bufferSize, 4096);
    assert.deepEqual(doc.config.keymap.pause, ['é']);
  } finally {
    p.done();
  }
});

test('a key given twice is named with its path, and only matters where sockscope reads', { timeout: 60_000 }, () => {
  const p = project();
  try {
    const unique = 'YAML map keys must be unique';
    writeFileSync(p.file, 'bufferSize: 4096\nbufferSize: 8192\n');
    refused(p.run(), `${p.file}:2:1: bufferSize: key given twice (first on line 1); ${unique}`);
    writeFileSync(p.file, 'keymap:\n  pause: [p]\n  quit: [Q]\n  pause: [P]\n');
    refused(p.run(), `${p.file}:4:3: keymap.pause: key given twice (first on line 2); ${unique}`);
    rmSync(p.file);
    // The skill file: another skill's block, or another skill's top-level key given twice, is that skill's business.
    p.writeSkill('other-skill: {retries: 1, retries: 2}\nother: 1\nother: 2\nsocket-programming:\n  bufferSize: 4096\n');
    const ok = p.run('--json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stderr, '');
    assert.equal(JSON.parse(ok.stdout).config.bufferSize, 4096);
    p.writeSkill('other-skill: {retries: 1}\nsocket-programming:\n  bufferSize: 4096\n  bufferSize: 8192\n');
    refused(p.run(), `${p.skill}:4:3: socket-programming.bufferSize: key given twice (first on line 3); ${unique}`);
    p.writeSkill('socket-programming:\n  bufferSize: 4096\nsocket-programming: {}\n');
    refused(p.run(), `${p.skill}:3:1: socket-programming: key given twice (first on line 1); ${unique}`);
  } finally {
    p.done();
  }
});

test('a keymap entry YAML reads as a mapping, null, a number or a boolean says to quote the key', { timeout: 60_000 }, () => {
  const p = project();
  try {
    const cases: [string, string][] = [
      ['keymap: {filter: [?]}\n', 'keymap.filter.0: expected a key name, got {"":null}: YAML reads the unquoted entry as a mapping (an unquoted ? or ": " makes one); quote the key, e.g. ["?"]'],
      ['keymap:\n  filter: [~]\n', 'keymap.filter.0: expected a key name, got null: YAML reads the unquoted entry as null (~, null or nothing); quote the key, e.g. ["~"]'],
      ['keymap: {filter: [f, 1]}\n', 'keymap.filter.1: expected a key name, got 1: YAML reads the unquoted entry as a number; quote the key, e.g. ["1"]'],
      ['keymap: {filter: [true]}\n', 'keymap.filter.0: expected a key name, got true: YAML reads the unquoted entry as a boolean; quote the key, e.g. ["true"]'],
    ];
    for (const [text, message] of cases) {
      writeFileSync(p.file, text);
      refused(p.run(), `${p.file}: ${message}`);
    }
    // Quoted, `?` is the key (help moved off it, which holds it by default).
    writeFileSync(p.file, 'keymap: {filter: ["?"], help: [h]}\n');
    const ok = p.run('--json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).config.keymap.filter, ['?']);
  } finally {
    p.done();
  }
});
