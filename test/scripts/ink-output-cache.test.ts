// Ink's line caches kept across frames (scripts/ink-output-cache.ts, patched into Ink's output.js by the build:
// patchInkOutput in scripts/esbuild-plugins.mjs): bounded to two frames, same frames as Ink as published, and
// present in the built bundle (needs the build: npm test builds first).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundlePlugins, patchInkOutput } from '../../scripts/esbuild-plugins.mjs';
import { TwoFrameLineCaches } from '../../scripts/ink-output-cache.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const INK_OUTPUT = join(ROOT, 'node_modules/ink/build/output.js');
const work = mkdtempSync(join(tmpdir(), 'sockscope-ink-cache-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('two generations: a line on screen is computed once, memory stays two frames whatever the frame count', () => {
  let styled = 0;
  let measured = 0;
  const caches = new TwoFrameLineCaches<string>(
    (t) => (measured++, t.length),
    (line) => (styled++, [...line]),
  );
  const frameLines = (f: number) => Array.from({ length: 40 }, (_, i) => (i < 35 ? `static row ${i}` : `row ${i} at frame ${f}`));
  for (let f = 0; f < 2000; f++) {
    for (const line of frameLines(f)) {
      assert.deepEqual(caches.getStyledChars(line), [...line]);
      assert.equal(caches.getStringWidth(line), line.length);
    }
    assert.equal(caches.getWidestLine(frameLines(f).join('\n')), Math.max(...frameLines(f).map((l) => l.length)));
    const s = caches.sizes;
    assert.equal(s.styledChars.current, 40);
    assert.ok(s.styledChars.previous <= 40, `previous generation holds ${s.styledChars.previous} lines`);
    assert.ok(s.widths.current <= 40 && s.widths.previous <= 40);
    assert.ok(s.blockWidths.current === 1 && s.blockWidths.previous <= 1);
    caches.endFrame();
    assert.equal(caches.sizes.styledChars.current, 0);
  }
  // 35 unchanged lines once, then 5 new lines per frame.
  assert.equal(styled, 35 + 5 * 2000);
  assert.equal(measured, 35 + 5 * 2000);
});

test('a line used every other frame only (gone for a whole frame) is computed again: nothing older than the previous frame is kept', () => {
  let styled = 0;
  const caches = new TwoFrameLineCaches<string>((t) => t.length, (line) => (styled++, [...line]));
  caches.getStyledChars('a');
  caches.endFrame();
  caches.getStyledChars('a'); // from the previous generation, carried over
  caches.endFrame();
  caches.endFrame(); // a frame without 'a'
  caches.getStyledChars('a');
  assert.equal(styled, 2);
});

interface Op {
  write?: [x: number, y: number, text: string];
  clip?: { x1?: number; x2?: number; y1?: number; y2?: number };
  unclip?: true;
}
interface InkOutput {
  write(x: number, y: number, text: string, options: { transformers: ((s: string, i: number) => string)[] }): void;
  clip(c: Op['clip']): void;
  unclip(): void;
  get(): { output: string; height: number };
}
type OutputClass = new (o: { width: number; height: number }) => InkOutput;

const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
const bold = (s: string) => `\x1b[1m${s}\x1b[22m`;
const inverse = (s: string) => `\x1b[7m${s}\x1b[27m`;
const c256 = (s: string) => `\x1b[38;5;82m${s}\x1b[39m`;
const bg = (s: string) => `\x1b[44m${s}\x1b[49m`;

/** Frames with styled lines, wide characters (CJK, emoji), overlapping writes, clipped writes; lines recur across frames. */
function frames(): Op[][] {
  const out: Op[][] = [];
  for (let f = 0; f < 12; f++) {
    const ops: Op[] = [
      { write: [0, 0, `${bold('sockscope')} ${red(`ports ${f % 3}`)} 漢字テスト ${c256('🚀')} end`] },
      { write: [2, 1, `${inverse(' 80 tcp  nginx/1234  2/511 ')}  ${bg('全角')}x`] },
      { write: [0, 2, `${red('!')} ${bold(red(`CLOSE_WAIT ${f % 2 ? 5 : 6}`))}\n${c256('second line 😀 wide')}\nthird ${inverse('漢')}`] },
      // Overwrite part of a line that was drawn from a cached line: the cache must not see the change.
      { write: [4, 0, f % 2 ? bold('XY') : 'zz'] },
      // The same text styled differently from frame to frame (a selection moving): the style is part of the key.
      { write: [0, 4, f % 2 ? inverse('selected 漢 row') : f % 3 ? red('selected 漢 row') : 'selected 漢 row'] },
      { clip: { x1: 3, x2: 20, y1: 5, y2: 9 } },
      { write: [0, 5, `${red('clipped 漢字 line')} tail ${bold('bold')}\n${inverse('row two 🚀🚀 inverse')} more`] },
      { write: [1, 7, `${bg(`f${f % 4} background`)} 全角全角全角`] },
      { unclip: true },
      { write: [0, 10, `${f} changes every frame ${red(String(f * 7))}`] },
      { write: [30, 10, `${c256('漢')}${bold('b')}${c256('字')}`] },
    ];
    out.push(ops);
  }
  return out;
}

function draw(Output: OutputClass, ops: Op[]): string {
  const o = new Output({ width: 40, height: 12 });
  for (const op of ops) {
    if (op.write) o.write(op.write[0], op.write[1], op.write[2], { transformers: [] });
    else if (op.clip) o.clip(op.clip);
    else o.unclip();
  }
  return o.get().output;
}

test('patched Output draws the same frames as Ink as published, frame after frame (styles, wide characters, clips, overwrites)', async () => {
  const outfile = join(work, 'output-patched.mjs');
  await build({ entryPoints: [INK_OUTPUT], bundle: true, platform: 'node', format: 'esm', outfile, plugins: bundlePlugins(), logLevel: 'warning' });
  assert.match(readFileSync(outfile, 'utf8'), /this\.caches\.endFrame\(\)/);
  const Patched: OutputClass = (await import(pathToFileURL(outfile).href)).default;
  const Published: OutputClass = (await import(pathToFileURL(INK_OUTPUT).href)).default;
  const all = frames();
  // Twice through: the second pass draws every frame from lines cached by earlier frames.
  for (const ops of [...all, ...all, ...all.slice().reverse()]) {
    const want = draw(Published, ops);
    assert.equal(draw(Patched, ops), want);
    assert.match(want, /漢字|🚀/);
  }
});

test('the patch fails loudly when the text it edits is not in Ink output.js', () => {
  const text = readFileSync(INK_OUTPUT, 'utf8');
  const patched = patchInkOutput(text, '/x/ink-output-cache.ts');
  assert.match(patched, /caches = twoFrameLineCaches;/);
  assert.match(patched, /import \{ TwoFrameLineCaches \} from "\/x\/ink-output-cache\.ts";/);
  assert.throws(() => patchInkOutput(text.replace('caches = new OutputCaches();', 'caches = new OtherCaches();')), /found 0 times, expected once \(Ink changed\)/);
  assert.throws(() => patchInkOutput(text.replace(/return \{\n {12}output: generatedOutput,/, 'return {\n output: generatedOutput,')), /Ink changed/);
});

/** The files of the built CLI: Ink is in dist/ui-vendor.js (scripts/build.mjs), and in no other. */
const CLI_FILES = ['dist/cli.js', 'dist/cli.cjs', 'dist/cli-core.cjs', 'dist/ui-vendor.js'];

test('the built CLI bundle has Ink with the line caches kept across frames', () => {
  assert.ok(existsSync(join(ROOT, 'dist/cli-core.cjs')), 'dist/cli-core.cjs missing: node scripts/build.mjs');
  const files = CLI_FILES;
  // dist/cli-core.cjs loads the vendor file by this name (src/cli/load-ui.ts, esbuild define).
  assert.match(readFileSync(join(ROOT, 'dist/cli-core.cjs'), 'utf8'), /new URL\("\.\/ui-vendor\.js", __sockscopeModuleUrl\)/);
  // Ink's Output: the file holding its get() (the clipping code is Ink's own).
  const withInk = files.filter((f) => {
    const text = readFileSync(join(ROOT, f), 'utf8');
    return text.includes('const clipHorizontally = typeof clip?.x1');
  });
  assert.equal(withInk.length, 1, `Ink's Output found in ${withInk.length} files: ${withInk.join(', ')}`);
  const text = readFileSync(join(ROOT, withInk[0]), 'utf8');
  assert.match(text, /caches = twoFrameLineCaches\d*;/, `${withInk[0]}: Ink's Output is not patched (rebuild: node scripts/build.mjs)`);
  assert.match(text, /(var TwoFrameLineCaches\d* = class|class TwoFrameLineCaches\d*) \{/);
  assert.match(text, /this\.caches\.endFrame\(\);/);
});
