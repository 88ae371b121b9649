// codegen/languages.ts: the per-language data (IO models, default file names) that config's schema, the
// CLI's flags and the wizard share. It must stay a leaf: config/schema.ts imported IO_MODELS from
// codegen/options.ts, which imports config/load.ts, which imports config/schema.ts, and schema.ts had to
// build its message lazily because a generator start evaluated it before IO_MODELS existed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { DEFAULT_OUTPUT_NAMES, GEN_LANGUAGES } from '../../src/codegen/languages.js';
import { generateServer } from '../../src/codegen/index.js';
import { defaultOutput } from '../../src/ui/wizard/output-name.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Each src/ module's static imports of other src/ modules (type-only imports are gone after esbuild). */
async function importGraph(): Promise<Map<string, string[]>> {
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli/main.ts', 'src/index.ts'],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    splitting: true,
    outdir: 'out-not-written',
    jsx: 'automatic',
    logLevel: 'silent',
  });
  const graph = new Map<string, string[]>();
  for (const [file, info] of Object.entries(r.metafile.inputs)) {
    if (file.startsWith('src/')) graph.set(file, info.imports.filter((i) => i.kind === 'import-statement' && i.path.startsWith('src/')).map((i) => i.path));
  }
  return graph;
}

/** The import cycles reachable from `start`, each as the list of modules from start back to it. */
function cyclesFrom(graph: Map<string, string[]>, start: string): string[][] {
  const out: string[][] = [];
  const path: string[] = [];
  const done = new Set<string>();
  const walk = (m: string): void => {
    const at = path.indexOf(m);
    if (at >= 0) {
      out.push([...path.slice(at), m]);
      return;
    }
    if (done.has(m)) return;
    path.push(m);
    for (const next of graph.get(m) ?? []) walk(next);
    path.pop();
    done.add(m);
  };
  walk(start);
  return out;
}

test('no import cycle runs through config/ or codegen/; languages.ts imports nothing', async () => {
  const graph = await importGraph();
  assert.ok(graph.has('src/config/schema.ts') && graph.has('src/codegen/options.ts'), 'the graph holds the modules this is about');
  const cycles = [...graph.keys()]
    .filter((m) => m.startsWith('src/config/') || m.startsWith('src/codegen/'))
    .flatMap((m) => cyclesFrom(graph, m).filter((c) => c[0] === m))
    .map((c) => c.join(' -> '));
  assert.deepEqual(cycles, []);
  assert.deepEqual(graph.get('src/codegen/languages.ts'), []);
  assert.doesNotMatch(readFileSync(join(ROOT, 'src/codegen/languages.ts'), 'utf8'), /^\s*import\b/m);
});

test('DEFAULT_OUTPUT_NAMES is what each language writes without --output, and what the wizard proposes', () => {
  assert.deepEqual(Object.keys(DEFAULT_OUTPUT_NAMES).sort(), [...GEN_LANGUAGES].sort());
  for (const language of GEN_LANGUAGES) {
    for (const type of ['tcp', 'udp'] as const) {
      const r = generateServer({ language, type }, { config: DEFAULT_CONFIG });
      assert.equal(r.files[0].path, DEFAULT_OUTPUT_NAMES[language], `${language} ${type}`);
    }
    assert.equal(defaultOutput({ language }, DEFAULT_CONFIG), DEFAULT_OUTPUT_NAMES[language]);
    assert.equal(defaultOutput({}, { ...DEFAULT_CONFIG, defaultLanguage: language }), DEFAULT_OUTPUT_NAMES[language]);
  }
});
