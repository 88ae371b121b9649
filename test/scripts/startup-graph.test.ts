// What every command loads before it runs: dist/cli.js and the chunks it imports statically (the
// build splits the rest into chunks that commands import when they run). Heavy modules that only some
// commands or only some runs need must stay out of it: zod and the YAML parser (only with a config
// file or flags), the errno tables, the socket option tables, Ink and React, the generator. Needs the
// build (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'cli.js');

/** Every file reachable from `entry` through static `import ... from "./x.js"` (not import()). */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?\bfrom\s*"(\.{1,2}\/[^"]+)";?|^import\s*"(\.{1,2}\/[^"]+)";?/gm)) {
      stack.push(join(dirname(file), m[1] ?? m[2]));
    }
  }
  return [...seen];
}

/** The source paths esbuild names in its `// path` comments, over every file of the graph. */
function sourcesOf(files: string[]): Set<string> {
  const out = new Set<string>();
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)) out.add(m[1]);
  return out;
}

test('the start-up graph of dist/cli.js leaves out what only some commands need', { skip: !existsSync(ENTRY) && 'run the build first' }, () => {
  const sources = sourcesOf(staticGraph(ENTRY));
  const has = (prefix: string) => [...sources].filter((s) => s.startsWith(prefix));
  // The check itself works: yargs and the CLI's own entry are found.
  assert.ok(has('node_modules/yargs/').length > 0, 'yargs is in the start-up graph (esbuild path comments found)');
  assert.ok(sources.has('src/cli/main.ts'));
  for (const heavy of [
    'node_modules/zod/',
    'node_modules/yaml/',
    'node_modules/ink/',
    'node_modules/react/',
    'src/knowledge/generated/errno-tables.ts',
    'src/knowledge/socket-option-table.ts',
    'src/collect/index.ts',
    'src/collect/netlink.ts',
    'src/collect/netlink-dumps.ts',
    'src/collect/processes.ts',
    'src/model/aggregate.ts', // collect/source.ts once pulled it in for isListener alone
    'src/advise/engine.ts',
    'src/codegen/index.ts',
    'src/config/load.ts',
    'src/ui/App.tsx',
    'src/knowledge/host-port.ts', // export's --listen parser (listen-address.ts) and try/debug-connections only
  ]) {
    assert.deepEqual(has(heavy), [], `${heavy} is loaded by every command at start-up`);
  }
});
