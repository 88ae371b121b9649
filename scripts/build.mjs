// Bundles the CLI (dist/cli.js) and the library entry point (dist/index.js), then emits types.
// The CLI is split (README, Performance > Start-up): dist/cli.js plus small shared chunks hold what every
// command needs; heavy command-specific parts (Ink UI and wizard, prom-client, the generator, the task
// interface) are chunks in dist/chunks/ that only the commands needing them load, with dynamic import().
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
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { commonOptions } from './esbuild-plugins.mjs';

const pkg = JSON.parse(await readFile('package.json', 'utf8'));

const common = commonOptions(pkg.version);

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
