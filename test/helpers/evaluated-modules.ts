// Which of the CLI bundle's modules a run evaluated. dist/cli-core.cjs is one CommonJS file compiled whole (with a
// code cache, README "Start-up"); what a command pays for is the modules whose top-level code runs. esbuild wraps
// each module that is reached through a dynamic import() (or is CommonJS) in an init function named after its path
// (`"src/collect/netlink.ts"() {...}`), run on first import; a module not wrapped runs when the bundle loads. V8's
// coverage (NODE_V8_COVERAGE) says which init functions ran.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const CORE = join(ROOT, 'dist', 'cli-core.cjs');

/**
 * The bundle's modules (esbuild's `// path` comments; `ui-vendor:ink` and the like are the stand-ins for Ink and
 * React, scripts/esbuild-plugins.mjs) and those of them wrapped in an init function.
 */
export function bundleModules(): { all: Set<string>; wrapped: Set<string> } {
  const text = readFileSync(CORE, 'utf8');
  const all = new Set([...text.matchAll(/^\/\/ ((?:src\/|node_modules\/|ui-vendor:)\S+)$/gm)].map((m) => m[1]));
  const wrapped = new Set([...text.matchAll(/^ {2}"((?:src\/|node_modules\/|ui-vendor:)[^"]+)"\(/gm)].map((m) => m[1]));
  return { all, wrapped };
}

/** The modules `node dist/cli.js ...args` evaluated: those never wrapped, and the wrapped ones whose init ran. */
export function evaluatedModules(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): { modules: Set<string>; status: number | null; stderr: string; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-coverage-'));
  try {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...opts.env, NODE_V8_COVERAGE: dir } });
    const ran = new Set<string>();
    let seen = false;
    for (const f of readdirSync(dir)) {
      for (const script of JSON.parse(readFileSync(join(dir, f), 'utf8')).result as { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[]) {
        if (!script.url.endsWith('/dist/cli-core.cjs')) continue;
        seen = true;
        for (const fn of script.functions) if (/^(src\/|node_modules\/|ui-vendor:)/.test(fn.functionName) && fn.ranges[0].count > 0) ran.add(fn.functionName);
      }
    }
    assert.ok(seen, `no coverage of dist/cli-core.cjs from ${args.join(' ')}: ${r.stderr}`);
    const { all, wrapped } = bundleModules();
    const modules = new Set([...all].filter((m) => !wrapped.has(m) || ran.has(m)));
    return { modules, status: r.status, stderr: r.stderr, stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
