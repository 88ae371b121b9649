// dist/cli.cjs, the CLI's loader (bin/sockscope, and dist/cli.js for `node dist/cli.js`): compiles dist/cli-core.cjs
// (every command, one CommonJS bundle) with a V8 code cache, then runs its main(). Node 20 keeps no compiled code
// between runs of an ES module; a script compiled through vm.Script takes a code cache, and with it V8 neither
// parses the bundle nor compiles the functions that were compiled when the cache was made.
// - The build's cache (dist/cli-core.cjs.cache, scripts/code-cache.mjs) is for the Node that built it, run without
//   V8 flags. V8 rejects it under another Node or other V8 flags (NODE_OPTIONS=--max-old-space-size=N is one; Node's
//   own flags, -r or --input-type, keep it): then the run's own cache is written when it ends to the user's cache
//   directory (userCacheFile), one file per bundle, Node and command-line flags, which later runs with the same
//   ones use first.
// - V8 checks a cache against the source's length only (and its own version and flags): a same-length edit of the
//   bundle would run the old bytecode. Every cache starts with the SHA-256 of the bundle it was made from.
// - A cache file in the user's directory is used only when this user owns it and the directory, and neither is
//   writable by others: bytecode runs with the privileges of whoever loads it (root through sudo keeping HOME).
// - With --enable-source-maps the bundle is loaded by require(), whose stack traces Node maps (vm.Script's not).
// CommonJS, as bin/sockscope is: an ES module entry made Node start its ES module loader first (about 10 ms).
// See README "Start-up". Only Node's built-in modules here: this file is bundled alone.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** How the code cache fared in this run and how long the compile took, for SOCKET_DEBUG (cli/main.ts logs it). */
export interface CoreLoad {
  /** accepted: the build's cache; accepted-user: this user's (userCacheFile); the others compiled from the text. */
  cache: 'accepted' | 'accepted-user' | 'rejected' | 'stale' | 'missing' | 'source-maps';
  compileMs: number;
  /** Where this run's cache is written when it ends (the user's cache directory), when it is. */
  writes?: string;
}

const MAGIC = 'sockscope code cache 2 ';
/** MAGIC, the bundle's SHA-256 (64 hex), a newline. */
const HEADER_BYTES = MAGIC.length + 64 + 1;

/** How many caches of one bundle (for different Nodes or flags) the user's cache directory keeps. */
const MAX_USER_CACHES = 8;

/** What a user's cache depends on besides the bundle: the Node (its V8) and the flags it runs with (in its name). */
export function flagsKey(env: NodeJS.ProcessEnv = process.env): string {
  return createHash('sha256')
    .update([process.version, process.arch, ...process.execArgv, env.NODE_OPTIONS ?? ''].join('\0'))
    .digest('hex')
    .slice(0, 16);
}

/** The user's cache file for this bundle, Node and flags: $XDG_CACHE_HOME/sockscope, else $HOME/.cache/sockscope. */
export function userCacheFile(digest: string, key: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : env.HOME && isAbsolute(env.HOME) ? join(env.HOME, '.cache') : undefined;
  return base === undefined ? undefined : join(base, 'sockscope', `cli-core-${digest.slice(0, 16)}-${key}.cache`);
}

/** Owned by this user and writable by no one else (a file, or with `dir` a directory that is no symbolic link). */
function ownOnly(st: { uid: number; mode: number }): boolean {
  return st.uid === process.geteuid!() && (st.mode & 0o022) === 0;
}

/** The user cache file's bytes when it is this user's own (see the top of this file), else undefined. */
function readOwnCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    const dir = lstatSync(dirname(file));
    if (!dir.isDirectory() || !ownOnly(dir)) return undefined;
    fd = openSync(file, 'r');
    const st = fstatSync(fd);
    if (!st.isFile() || !ownOnly(st)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `file` (mode 600, its directory 700) through a temporary file and a rename, and drops the caches
 * of other bundles (names not starting with `keep`). Never throws.
 */
function writeOwnCache(file: string, data: Buffer, keep: string): void {
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownOnly(lstatSync(dir))) return;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
    // Caches of other bundles (an upgrade, a rebuild), about 1 MB each, are never read again; of this bundle's, one
    // per Node and flags, the 8 written last are kept.
    const mine: { f: string; at: number }[] = [];
    for (const f of readdirSync(dir)) {
      if (!f.startsWith('cli-core-')) continue;
      if (!f.startsWith(keep)) rmSync(join(dir, f), { force: true });
      else mine.push({ f, at: lstatSync(join(dir, f)).mtimeMs });
    }
    for (const { f } of mine.sort((a, b) => b.at - a.at).slice(MAX_USER_CACHES)) rmSync(join(dir, f), { force: true });
  } catch {
    // A read-only or full home: the next run compiles the bundle again, as this one did.
  }
}

/** Compiles and runs the CLI bundle: its main() reads process.argv. */
export function runCli(): Promise<void> {
  const started = performance.now();
  const core = fileURLToPath(new URL('./cli-core.cjs', import.meta.url));
  const globals = globalThis as Record<symbol, unknown>;
  // The bundle's own import() of an ES module (dist/ui-vendor.js, load-ui.ts): code compiled by vm.Script has no
  // module loader of its own for import() (and vm's USE_MAIN_CONTEXT_DEFAULT_LOADER is experimental in Node 20: a
  // warning on stderr, and lost when the script comes from the code cache), so it borrows this file's.
  globals[Symbol.for('sockscope.import')] = (specifier: string) => import(specifier);
  if (process.sourceMapsEnabled) {
    globals[Symbol.for('sockscope.coreLoad')] = { cache: 'source-maps', compileMs: 0 } satisfies CoreLoad;
    return (createRequire(core)(core) as { main: () => Promise<void> }).main();
  }
  const bytes = readFileSync(core);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const header = `${MAGIC}${digest}\n`;
  // This user's cache for this Node and these flags when a run made one (the build's was rejected), else the build's.
  let cache: CoreLoad['cache'] = 'missing';
  let cachedData: Buffer | undefined;
  let fromUser = false;
  const userFile = userCacheFile(digest, flagsKey());
  const own = userFile === undefined ? undefined : readOwnCache(userFile);
  if (own !== undefined && own.toString('latin1', 0, HEADER_BYTES) === header) {
    cachedData = own.subarray(HEADER_BYTES);
    fromUser = true;
  } else {
    try {
      const built = readFileSync(`${core}.cache`);
      if (built.toString('latin1', 0, HEADER_BYTES) === header) cachedData = built.subarray(HEADER_BYTES);
      else cache = 'stale';
    } catch {
      cachedData = undefined;
    }
  }
  // CommonJS's wrapper on the bundle's first line, so that its line numbers are the source map's. The build writes
  // the bundle in ASCII (scripts/build.mjs), so latin1 decodes it: a copy, where UTF-8 took 6 times as long.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${bytes.toString('latin1')}\n})`, { filename: core, cachedData });
  if (cachedData !== undefined) cache = script.cachedDataRejected ? 'rejected' : fromUser ? 'accepted-user' : 'accepted';
  const data = () => Buffer.concat([Buffer.from(header, 'latin1'), script.createCachedData()]);
  // Set only by scripts/code-cache.mjs (the build), never from the environment: where to write this run's cache.
  const writeTo = globals[Symbol.for('sockscope.writeCodeCache')];
  let writes: string | undefined;
  if (typeof writeTo === 'string') process.once('exit', (code) => code === 0 && writeFileSync(writeTo, data()));
  else if (cache !== 'accepted' && cache !== 'accepted-user' && userFile !== undefined) {
    writes = userFile;
    process.once('exit', () => writeOwnCache(userFile, data(), `cli-core-${digest.slice(0, 16)}-`));
  }
  globals[Symbol.for('sockscope.coreLoad')] = { cache, compileMs: performance.now() - started, writes } satisfies CoreLoad;
  const module = { exports: {} as { main?: () => Promise<void> } };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(core), module, core, dirname(core));
  return module.exports.main!();
}
