// The esbuild plugins and options of the product bundle (scripts/build.mjs), shared with the bench worker that
// measures the monitor's CPU (bench/sections/monitor-worker.ts bundles itself with them: the figure is the
// cost of the code that ships, third-party patches included).
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** The runtime half of the Ink patch below (TypeScript: esbuild compiles it into the bundle). */
const INK_LINE_CACHES = fileURLToPath(new URL('./ink-output-cache.ts', import.meta.url));

/**
 * Ink 6.8 draws every frame into a new Output (ink/build/renderer.js), and every Output a new OutputCaches:
 * each line of each frame is tokenized again (`styledCharsFromTokens(tokenize(line))`, an object per
 * character and a style array per character) and its string width recomputed, changed or not. In the
 * monitor (1,000 sockets, a row changing every second) that was half of its CPU. The patch gives every
 * Output one shared cache that keeps two generations, the frame being drawn and the previous one
 * (scripts/ink-output-cache.ts): memory stays about two frames of lines, whatever the number of frames.
 * Ink only reads the cached arrays (it puts their character objects into a per-frame grid and joins them
 * into a string), so sharing them across frames draws the same bytes. Ink's package "exports" closes its
 * build/ files to imports, so the patch is made on its source here; each text it edits must be found
 * exactly once, or the build fails (an Ink upgrade must not drop the patch silently).
 */
export function patchInkOutput(text, cacheModule = INK_LINE_CACHES) {
  const importLine = "import { styledCharsFromTokens, styledCharsToString, tokenize, } from '@alcalzone/ansi-tokenize';\n";
  const edits = [
    [
      importLine,
      importLine +
        `import { TwoFrameLineCaches } from ${JSON.stringify(cacheModule)};\n` +
        'const twoFrameLineCaches = new TwoFrameLineCaches(stringWidth, (line) => styledCharsFromTokens(tokenize(line)));\n',
    ],
    ['    caches = new OutputCaches();\n', '    caches = twoFrameLineCaches;\n'],
    ['        return {\n            output: generatedOutput,\n', '        this.caches.endFrame();\n        return {\n            output: generatedOutput,\n'],
  ];
  let out = text;
  for (const [from, to] of edits) {
    const n = out.split(from).length - 1;
    if (n !== 1) throw new Error(`ink/build/output.js: ${JSON.stringify(from.trim())} found ${n} times, expected once (Ink changed); update patchInkOutput in scripts/esbuild-plugins.mjs`);
    out = out.replace(from, () => to);
  }
  return out;
}

/** Applies patchInkOutput to Ink's output.js; fails the build when that file is never loaded (moved or renamed). */
function inkLineCachesAcrossFrames() {
  return {
    name: 'ink-line-caches-across-frames',
    setup(b) {
      let inkSeen = false;
      let patched = false;
      b.onStart(() => {
        inkSeen = patched = false;
      });
      b.onLoad({ filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/][^\\/]+\.js$/ }, async (args) => {
        inkSeen = true;
        if (!/[\\/]output\.js$/.test(args.path)) return undefined;
        patched = true;
        return { contents: patchInkOutput(await readFile(args.path, 'utf8')), loader: 'js', resolveDir: dirname(args.path) };
      });
      b.onEnd(() => {
        if (inkSeen && !patched) return { errors: [{ text: 'Ink is in the bundle but ink/build/output.js was not patched (moved or renamed?); update scripts/esbuild-plugins.mjs' }] };
        return undefined;
      });
    },
  };
}

/**
 * Ink 6.8's useInput takes a keypress that parseKeypress reads as ctrl with no name (Ctrl-F1...F4 as xterm,
 * VTE and tmux send them, `\x1b[1;5P`; a pasted SGR code, `\x1b[7m`; a terminal's DSR reply, `\x1b[0n`) as input
 * `undefined`, then calls `input.startsWith(...)`: a TypeError out of its stdin handler, which ended the monitor
 * and the wizard (exit 1, the wizard with Node's stack trace). The patch gives such a key the input '' (a key
 * sockscope's keymaps bind to nothing), as Ink does for other keys without text. Exactly once, or the build fails.
 */
export function patchInkUseInput(text) {
  const from = '            else if (keypress.ctrl) {\n                input = keypress.name;\n            }\n';
  const to = "            else if (keypress.ctrl) {\n                input = keypress.name ?? '';\n            }\n";
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`ink/build/hooks/use-input.js: ${JSON.stringify(from.trim())} found ${n} times, expected once (Ink changed); update patchInkUseInput in scripts/esbuild-plugins.mjs`);
  return text.replace(from, () => to);
}

/**
 * Applies patchInkUseInput to Ink's hooks/use-input.js; fails the build when Ink's entry (build/index.js, which
 * imports useInput) is bundled without that file. A bundle of other Ink files alone (the output.js test) needs none.
 */
function inkKeysWithoutName() {
  return {
    name: 'ink-keys-without-name',
    setup(b) {
      let inkSeen = false;
      let patched = false;
      b.onStart(() => {
        inkSeen = patched = false;
      });
      b.onLoad({ filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/].+\.js$/ }, async (args) => {
        if (/[\\/]ink[\\/]build[\\/]index\.js$/.test(args.path)) inkSeen = true;
        if (!/[\\/]hooks[\\/]use-input\.js$/.test(args.path)) return undefined;
        patched = true;
        return { contents: patchInkUseInput(await readFile(args.path, 'utf8')), loader: 'js', resolveDir: dirname(args.path) };
      });
      b.onEnd(() => {
        if (inkSeen && !patched) return { errors: [{ text: 'Ink is in the bundle but ink/build/hooks/use-input.js was not patched (moved or renamed?); update scripts/esbuild-plugins.mjs' }] };
        return undefined;
      });
    },
  };
}

/**
 * execa 9.6 when spawn() fails for want of file descriptors (EMFILE, ENFILE): Node's spawn then returns a child
 * with no stdio and emits 'error' on the next tick; execa spreads `subprocess.stdio` at once (a TypeError out of
 * execa()) and never listens for that 'error', which then ended sockscope with Node's stack trace (`ulimit -n 24`,
 * `try connect`: `ip route get`). The patch makes it execa's early error (the result of a command that could not
 * run, with the code), as for ENOENT. Exactly once, or the build fails.
 */
export function patchExecaSpawnWithoutFds(text) {
  const from = '\tconst controller = new AbortController();\n\tsetMaxListeners(Number.POSITIVE_INFINITY, controller.signal);\n\n\tconst originalStreams = [...subprocess.stdio];\n';
  const to =
    '\tif (subprocess.stdio == null) {\n' +
    "\t\tsubprocess.once('error', () => {});\n" +
    "\t\tlet code = 'EMFILE';\n" +
    "\t\ttry { __sockscopeCloseSync(__sockscopeOpenSync('/dev/null', 'r')); } catch (probe) { if (probe.code === 'ENFILE') code = 'ENFILE'; }\n" +
    '\t\tconst error = Object.assign(new Error(`spawn ${file} ${code}`), {code, syscall: `spawn ${file}`, path: file});\n' +
    '\t\treturn handleEarlyError({error, command, escapedCommand, fileDescriptors, options, startTime, verboseInfo});\n' +
    '\t}\n\n' +
    from;
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`execa/lib/methods/main-async.js: the stdio spread found ${n} times, expected once (execa changed); update patchExecaSpawnWithoutFds in scripts/esbuild-plugins.mjs`);
  return "import {openSync as __sockscopeOpenSync, closeSync as __sockscopeCloseSync} from 'node:fs';\n" + text.replace(from, () => to);
}

function execaSpawnWithoutFds() {
  return {
    name: 'execa-spawn-without-fds',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/]execa[\\/]lib[\\/]methods[\\/]main-async\.js$/ }, async (args) => ({
        contents: patchExecaSpawnWithoutFds(await readFile(args.path, 'utf8')),
        loader: 'js',
        resolveDir: dirname(args.path),
      }));
    },
  };
}

/**
 * The plugins of every bundle. `inkLineCache: false` leaves Ink as published (only to measure the patch's
 * effect: bench/sections/monitor-worker.ts, `"inkLineCache":false`).
 */
export function bundlePlugins({ inkLineCache = true } = {}) {
  return [stubDevtools(), zodNamespaceImport(), yogaWithoutFetch(), lazyStringWidth(), execaSpawnWithoutFds(), inkKeysWithoutName(), ...(inkLineCache ? [inkLineCachesAcrossFrames()] : [])];
}

/**
 * The CLI's CommonJS bundle (dist/cli-core.cjs) leaves Ink and React to dist/ui-vendor.js (scripts/ui-vendor-entry.mjs:
 * Ink and yoga-layout use top-level await, which CommonJS cannot hold). Its `ink`, `react` and `react/jsx-runtime`
 * are stand-ins that hand out the vendor bundle's objects, which src/cli/load-ui.ts imports before the UI's
 * modules run; a stand-in evaluated before that says so instead of handing out undefined.
 */
export function uiVendorShims() {
  return {
    name: 'ui-vendor-shims',
    setup(b) {
      b.onResolve({ filter: /^(ink|react|react\/jsx-runtime)$/ }, (args) => ({ path: args.path, namespace: 'ui-vendor' }));
      b.onLoad({ filter: /.*/, namespace: 'ui-vendor' }, (args) => ({
        contents:
          "const vendor = globalThis[Symbol.for('sockscope.uiVendor')];\n" +
          `if (!vendor) throw new Error(${JSON.stringify(`${args.path} is used before dist/ui-vendor.js was loaded (src/cli/load-ui.ts)`)});\n` +
          `module.exports = vendor[${JSON.stringify(args.path)}];\n`,
        loader: 'js',
      }));
    },
  };
}

/** esbuild options shared by the CLI, the library and the bench worker bundles. */
export function commonOptions(version) {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    jsx: 'automatic',
    // koffi is a native module with prebuilt binaries: loaded from node_modules at run time.
    external: ['koffi'],
    plugins: bundlePlugins(),
    // Bundled CommonJS deps (yargs helpers, react) may call require(): give ESM a require.
    banner: {
      js: "import { createRequire as __sockscopeCreateRequire } from 'node:module'; const require = __sockscopeCreateRequire(import.meta.url);",
    },
    define: { 'process.env.NODE_ENV': '"production"', __SOCKSCOPE_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  };
}
