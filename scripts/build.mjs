// Bundles the CLI and the library entry point (dist/index.js), then emits types.
// The CLI (README, Performance > Start-up) is three files:
// - dist/cli-core.cjs: every command, one CommonJS bundle. Modules that only some commands need are still
//   evaluated only when a command imports them (esbuild keeps dynamic import() lazy), but the file is compiled
//   whole, so scripts/code-cache.mjs then runs it once (`analyze` on a port it opens) and saves V8's code cache
//   beside it (dist/cli-core.cjs.cache): later runs skip parsing and compiling what that run compiled.
// - dist/cli.cjs: the loader (src/cli/load-core.ts), which compiles the bundle with that cache and runs main();
//   bin/sockscope requires it, and dist/cli.js (src/cli/entry.ts) does the same for `node dist/cli.js`.
// - dist/ui-vendor.js: Ink, React and yoga as an ES module (top-level await, which CommonJS cannot hold),
//   imported only by the monitor and the wizard (src/cli/load-ui.ts).
//
// Third-party sources are patched on their way into the bundle (plugins and options in
// scripts/esbuild-plugins.mjs, shared with the monitor's CPU bench so that it measures what ships): a stand-in
// for react-devtools-core, zod's namespace import, yoga-layout without fetch, a lazy string-width for yargs,
// Ink's useInput given '' for a ctrl key without a name (Ctrl-F1 threw), and Ink's line caches kept across
// frames. Ink 6.8 builds a new cache for every frame, so every line of every frame was tokenized again and
// measured again, changed or not: half of the monitor's CPU at 1,000 sockets with the screen changing every
// second (1.43% of a core without the patch, 0.73% with it; README, monitor figures). Each patch fails the
// build when the text it edits is gone, so an upgrade cannot drop one silently.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { commonOptions, uiVendorShims } from './esbuild-plugins.mjs';

const pkg = JSON.parse(await readFile('package.json', 'utf8'));

const common = commonOptions(pkg.version);

// Separate builds: the library (one ES module file) shares no code with the CLI's files.
const [cliBuild, loaderBuild, entryBuild, vendorBuild, libBuild] = await Promise.all([
  build({
    ...common,
    format: 'cjs',
    banner: {},
    entryPoints: { 'cli-core': 'src/cli/main.ts' },
    outExtension: { '.js': '.cjs' },
    outdir: 'dist',
    metafile: true,
    plugins: [uiVendorShims(), ...common.plugins],
    inject: ['scripts/cjs-module-url.js'],
    define: { ...common.define, 'import.meta.url': '__sockscopeModuleUrl', __SOCKSCOPE_UI_VENDOR__: JSON.stringify('./ui-vendor.js') },
  }),
  build({
    ...common,
    format: 'cjs',
    banner: {},
    plugins: [],
    entryPoints: { cli: 'src/cli/load-core.ts' },
    outExtension: { '.js': '.cjs' },
    outdir: 'dist',
    metafile: true,
    inject: ['scripts/cjs-module-url.js'],
    define: { ...common.define, 'import.meta.url': '__sockscopeModuleUrl' },
  }),
  build({ ...common, banner: {}, plugins: [], entryPoints: { cli: 'src/cli/entry.ts' }, external: ['./cli.cjs'], outdir: 'dist', metafile: true }),
  build({ ...common, entryPoints: { 'ui-vendor': 'scripts/ui-vendor-entry.mjs' }, outdir: 'dist', metafile: true }),
  build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: 'dist', metafile: true }),
]);

// dist/cli-core.cjs runs under vm.Script, whose code has no import() of its own (load-core.ts): an import() esbuild
// leaves in it (of a built-in or external module) would fail only when reached. Such imports use require, or
// load-core's importer (load-ui.ts); the build fails on any left.
const left = Object.values(cliBuild.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
if (left.length > 0) throw new Error(`dist/cli-core.cjs keeps import() of ${left.join(', ')}: vm.Script cannot run it (see src/cli/load-core.ts); use a static import or require`);

// dist/cli-core.cjs in ASCII: load-core.ts decodes it as latin1 (a copy into a one-byte string: 1.6 ms for the
// 2.9 MB, against 10.5 ms for UTF-8 on a busy machine). esbuild escapes non-ASCII in strings and identifiers but
// left it in a regular expression and a comment: each such character becomes its \uXXXX escape, which means the
// same in a string, a regular expression (a pair of surrogate escapes is one code point under /u) and a comment.
{
  const text = readFileSync('dist/cli-core.cjs', 'utf8');
  const escape = (c) => Array.from({ length: c.length }, (_, i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
  const ascii = text.replace(/[^\x00-\x7f]/gu, escape);
  if (ascii !== text) writeFileSync('dist/cli-core.cjs', ascii);
}

// V8's code cache for dist/cli-core.cjs, made by running it (see the top of this file). A failure leaves no cache:
// the CLI then compiles the bundle at every start (slower, not wrong), and the build says so.
rmSync('dist/cli-core.cjs.cache', { force: true });
try {
  // Made as the CLI runs: no V8 flags (NODE_OPTIONS would make a cache that plain runs reject), no config file or
  // variable of the builder's (a bad one would make the run fail), in an empty directory.
  const home = mkdtempSync(join(tmpdir(), 'sockscope-code-cache-'));
  try {
    execFileSync(process.execPath, [join(process.cwd(), 'scripts/code-cache.mjs')], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 60_000, cwd: home, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home } });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  if (!existsSync('dist/cli-core.cjs.cache')) throw new Error('scripts/code-cache.mjs wrote no cache (its run of analyze failed?)');
} catch (err) {
  process.stderr.write(`build: no code cache for dist/cli-core.cjs (${err.message.split('\n')[0]}); the CLI will compile it at every start\n`);
}

// Builds before 2026-11-28 split the CLI into hashed chunks in dist/chunks: drop those older than 10 minutes
// (a monitor started from such a build may still import one).
const written = new Set([cliBuild, loaderBuild, entryBuild, vendorBuild, libBuild].flatMap((r) => Object.keys(r.metafile.outputs)).map((p) => p.replace(/^dist\//, '')));
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
