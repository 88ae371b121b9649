// dist/cli.cjs, the CLI's loader (bin/sockscope, and dist/cli.js for `node dist/cli.js`): compiles dist/cli-core.cjs (every command, one CommonJS bundle) with the V8 code
// cache the build made for it (dist/cli-core.cjs.cache, scripts/code-cache.mjs), then runs its main(). Node 20
// keeps no compiled code between runs of an ES module; a script compiled through vm.Script takes a code cache,
// and with it V8 neither parses the bundle nor compiles the functions that the build's run of `analyze` compiled.
// V8 checks a cache against the source's length only (and its own version and flags), so the cache starts with
// the SHA-256 of the bundle it was made from: a bundle changed since (same length or not) is compiled as usual.
// CommonJS, as bin/sockscope is: an ES module entry made Node start its ES module loader first (about 10 ms).
// See README "Start-up". Only Node's built-in modules here: this file is bundled alone.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** How the code cache fared in this run and how long the compile took, for SOCKET_DEBUG (cli/main.ts logs it). */
export interface CoreLoad {
  cache: 'accepted' | 'rejected' | 'stale' | 'missing';
  compileMs: number;
}

const MAGIC = 'sockscope code cache 1 ';
const HEADER_BYTES = MAGIC.length + 64 + 1;

/** Compiles and runs the CLI bundle: its main() reads process.argv. */
export function runCli(): Promise<void> {
  const started = performance.now();
  const core = fileURLToPath(new URL('./cli-core.cjs', import.meta.url));
  const bytes = readFileSync(core);
  const header = `${MAGIC}${createHash('sha256').update(bytes).digest('hex')}\n`;
  let cache: CoreLoad['cache'] = 'missing';
  let cachedData: Buffer | undefined;
  try {
    const file = readFileSync(`${core}.cache`);
    if (file.toString('latin1', 0, HEADER_BYTES) === header) cachedData = file.subarray(HEADER_BYTES);
    else cache = 'stale';
  } catch {
    cachedData = undefined;
  }
  // CommonJS's wrapper on the bundle's first line, so that its line numbers are the source map's. The build writes
  // the bundle in ASCII (scripts/build.mjs), so latin1 decodes it: a copy, where UTF-8 took 6 times as long.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${bytes.toString('latin1')}\n})`, { filename: core, cachedData });
  if (cachedData !== undefined) cache = script.cachedDataRejected ? 'rejected' : 'accepted';
  const globals = globalThis as Record<symbol, unknown>;
  const load: CoreLoad = { cache, compileMs: performance.now() - started };
  globals[Symbol.for('sockscope.coreLoad')] = load;
  // The bundle's own import() of an ES module (dist/ui-vendor.js, load-ui.ts): code compiled by vm.Script has no
  // module loader of its own for import() (and vm's USE_MAIN_CONTEXT_DEFAULT_LOADER is experimental in Node 20: a
  // warning on stderr, and lost when the script comes from the code cache), so it borrows this file's.
  globals[Symbol.for('sockscope.import')] = (specifier: string) => import(specifier);
  // Set only by scripts/code-cache.mjs (the build), never from the environment: where to write this run's cache.
  const writeTo = globals[Symbol.for('sockscope.writeCodeCache')];
  if (typeof writeTo === 'string') process.once('exit', () => writeFileSync(writeTo, Buffer.concat([Buffer.from(header, 'latin1'), script.createCachedData()])));
  const module = { exports: {} as { main?: () => Promise<void> } };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(core), module, core, dirname(core));
  return module.exports.main!();
}
