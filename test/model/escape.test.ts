// decodeUtf8 (bytes from the system or a peer as text, bad bytes kept) and how escapeControl shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUtf8, escapeControl, escapeMessage, jsonText } from '../../src/model/escape.js';

/** The inverse of decodeUtf8: U+DC80..U+DCFF back to their byte, the rest as UTF-8. */
function encodeBack(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    parts.push(c >= 0xdc80 && c <= 0xdcff ? Buffer.from([c - 0xdc00]) : Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}

test('UTF-8 decodes as UTF-8, and each byte that is not shows as \\xNN', () => {
  assert.equal(decodeUtf8(Buffer.from('héllo wörld 😀\n', 'utf8')), 'héllo wörld 😀\n');
  assert.equal(decodeUtf8(Buffer.from('\ufeffbom', 'utf8')), '\ufeffbom', 'a BOM is a character like another, not dropped');
  const cases: [number[], string][] = [
    [[0x61, 0xff, 0x62], 'a\\xffb'],
    [[0xe9], '\\xe9'], // latin1 é: not UTF-8
    [[0x68, 0xc3], 'h\\xc3'], // a sequence cut short
    [[0xc0, 0xaf], '\\xc0\\xaf'], // overlong '/'
    [[0xe0, 0x80, 0xaf], '\\xe0\\x80\\xaf'], // overlong, three bytes
    [[0xed, 0xa0, 0x80], '\\xed\\xa0\\x80'], // an encoded surrogate
    [[0xf4, 0x90, 0x80, 0x80], '\\xf4\\x90\\x80\\x80'], // above U+10FFFF
    [[0xe2, 0x82, 0x41], '\\xe2\\x82A'], // a continuation missing: the next byte is read again
    [[0x80, 0xc3, 0xa9], '\\x80é'],
  ];
  for (const [bytes, shown] of cases) assert.equal(escapeControl(decodeUtf8(Buffer.from(bytes))), shown, Buffer.from(bytes).toString('hex'));
  // a backslash in the text and a bad byte stay apart, and C1 controls keep their \u form
  assert.equal(escapeControl(decodeUtf8(Buffer.from([0x5c, 0x78, 0x66, 0x66, 0xff, 0xc2, 0x9b]))), '\\\\xff\\xff\\u009b');
  assert.equal(escapeControl('\ud800 alone'), '\\ud800 alone', 'another lone surrogate is shown, not written raw');
  assert.equal(jsonText(decodeUtf8(Buffer.from([0x61, 0xff]))), '"a\\udcff"');
});

test('decodeUtf8 loses no byte: encoding the text back gives the bytes (random buffers)', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  for (let n = 0; n < 2000; n++) {
    const len = Math.floor(rnd() * 24);
    // biased to bytes that make and break UTF-8 sequences
    const pool = [0x41, 0x80, 0x9f, 0xa9, 0xbf, 0xc2, 0xc3, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    const b = Buffer.from(Array.from({ length: len }, () => (rnd() < 0.3 ? Math.floor(rnd() * 256) : pool[Math.floor(rnd() * pool.length)])));
    const text = decodeUtf8(b);
    assert.deepEqual(encodeBack(text), b, b.toString('hex'));
    // where Node's own decoder finds no error, the text is the same
    if (!Buffer.from(b.toString('utf8'), 'utf8').equals(b)) continue;
    assert.equal(text, b.toString('utf8'), b.toString('hex'));
  }
});

test('escapeMessage: raw controls escaped as escapeControl does, backslashes of text already escaped kept single', () => {
  assert.equal(escapeMessage('path /tmp/d\u001b[31m: key k\u0007\u009b\n'), 'path /tmp/d\\x1b[31m: key k\\x07\\u009b\\n');
  assert.equal(escapeMessage('got "\\x1b[31m" in C:\\dir'), 'got "\\x1b[31m" in C:\\dir');
  assert.equal(escapeMessage('\u202eevil'), '\\u202eevil');
});

test('every Bidi_Control character and the invisible marks are escaped, in text and in --json; ZWNJ/ZWJ are kept', () => {
  // U+061C ALM, U+200E LRM and U+200F RLM reorder text as the overrides do; U+200B, U+2060..U+2064 and U+FEFF hide in it.
  for (const c of [0x061c, 0x200b, 0x200e, 0x200f, 0x2060, 0x2064, 0xfeff, 0x202a, 0x202e, 0x2066, 0x2069, 0x2028]) {
    const ch = String.fromCodePoint(c);
    const hex = c.toString(16).padStart(4, '0');
    assert.equal(escapeControl(`a${ch}b`), `a\\u${hex}b`, hex);
    assert.equal(escapeMessage(`a${ch}b`), `a\\u${hex}b`, hex);
    const json = jsonText({ name: `a${ch}b` });
    assert.ok(json.includes(`a\\u${hex}b`), `${hex}: ${json}`);
    assert.equal((JSON.parse(json) as { name: string }).name, `a${ch}b`, 'the same value back');
  }
  // Persian and emoji need the joiners: left as they are.
  assert.equal(escapeControl('می\u200cخواهم 👨\u200d👩'), 'می\u200cخواهم 👨\u200d👩');
});
