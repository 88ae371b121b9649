// Bundles the CLI (dist/cli.js) and the library entry point (dist/index.js), then emits types.
// The CLI is split (README, Performance > Start-up): dist/cli.js plus small shared chunks hold what every
// command needs; heavy command-specific parts (Ink UI and wizard, prom-client, the generator, the task
// interface) are chunks in dist/chunks/ that only the commands needing them load, with dynamic import().
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Ink imports react-devtools-core only when DEV=true; the bundle gets an inert stand-in. */
function stubDevtools() {
  return {
    name: 'stub-react-devtools-core',
    setup(b) {
      b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'stub' }));
      b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
        contents: 'export default { initialize() {}, connectToDevTools() {} };',
        loader: 'js',
      }));
    },
  };
}

/**
 * `import { z } from 'zod'` reaches zod's namespace through a re-export, which esbuild cannot tree-shake:
 * every schema kind, JSON-schema converter and all ~50 locales end up in the bundle (~730 KB, parsed at
 * every start). `import * as z from 'zod'` is the same object at run time and is tree-shaken (~180 KB).
 * The source keeps the documented spelling; only the bundle's input is rewritten.
 */
function zodNamespaceImport() {
  return {
    name: 'zod-namespace-import',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/].*\.tsx?$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes("import { z } from 'zod';")) return undefined;
        return { contents: text.replaceAll("import { z } from 'zod';", "import * as z from 'zod';"), loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
}

/**
 * yoga-layout (Ink's layout engine) ships its wasm inline as a data: URI and, when a global fetch exists,
 * "fetches" it: in Node that loads undici (~20-40 ms at the monitor's start). Decoding the inline base64
 * directly is emscripten's own path when fetch is absent; the bundle takes that path always.
 */
function yogaWithoutFetch() {
  return {
    name: 'yoga-without-fetch',
    setup(b) {
      b.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        const patched = text.replaceAll('"function"!=typeof fetch', '!0');
        if (patched === text) throw new Error(`${args.path}: the fetch test to patch is gone (yoga-layout changed); update scripts/build.mjs`);
        return { contents: patched, loader: 'js' };
      });
    },
  };
}

/**
 * string-width builds an Intl.Segmenter and Unicode-property regexes (RGI_Emoji, `v` flag) when its
 * module is evaluated: ~20 ms at every start, though yargs (cliui, wrap-ansi) measures text only to
 * print help. For yargs' own imports the bundle gets a stand-in that loads the real module on the first
 * call (esbuild evaluates a require()d ESM module lazily); Ink imports the real one directly.
 */
function lazyStringWidth() {
  const importers = /[\\/]node_modules[\\/](yargs|cliui|wrap-ansi)[\\/]/;
  return {
    name: 'lazy-string-width',
    setup(b) {
      b.onResolve({ filter: /^string-width$/ }, async (args) => {
        if (args.pluginData?.real || !importers.test(args.importer)) return undefined;
        const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { real: true } });
        if (real.errors.length) return { errors: real.errors };
        return { path: real.path, namespace: 'lazy-string-width' };
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
        contents: `export default function stringWidth(text, options) { return require(${JSON.stringify(args.path)}).default(text, options); }`,
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
    },
  };
}

const pkg = JSON.parse(await readFile('package.json', 'utf8'));

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  jsx: 'automatic',
  // koffi is a native module with prebuilt binaries: loaded from node_modules at run time.
  external: ['koffi'],
  plugins: [stubDevtools(), zodNamespaceImport(), yogaWithoutFetch(), lazyStringWidth()],
  // Bundled CommonJS deps (yargs helpers, react) may call require(): give ESM a require.
  banner: {
    js: "import { createRequire as __sockscopeCreateRequire } from 'node:module'; const require = __sockscopeCreateRequire(import.meta.url);",
  },
  define: { 'process.env.NODE_ENV': '"production"', __SOCKSCOPE_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

// Two builds: shared chunks between the CLI and the library would split the CLI's common path over
// many files. The CLI: one entry file plus lazy chunks (dynamic imports); the library: one file.
const [cliBuild, libBuild] = await Promise.all([
  build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunks/[name]-[hash]', metafile: true }),
  build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: 'dist', metafile: true }),
]);

// Chunk names carry a content hash: drop chunks this build did not write (left by earlier builds).
// Only those older than 10 minutes: a monitor started from the previous build may still import one.
const written = new Set([cliBuild, libBuild].flatMap((r) => Object.keys(r.metafile.outputs)).map((p) => p.replace(/^dist\//, '')));
if (existsSync('dist/chunks')) {
  for (const f of readdirSync('dist/chunks')) {
    const path = `dist/chunks/${f}`;
    if (!written.has(`chunks/${f}`) && Date.now() - statSync(path).mtimeMs > 10 * 60_000) rmSync(path, { force: true });
  }
}

if (existsSync('src/index.ts') && !process.argv.includes('--no-types')) {
  // Declarations of files that no longer exist must not ship: start from an empty folder.
  rmSync('dist/types', { recursive: true, force: true });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
