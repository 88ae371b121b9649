// What every command evaluates before it runs: the modules of dist/cli-core.cjs that `--version` evaluates (the
// bundle is compiled whole, with a code cache; esbuild leaves a module reached through import() unevaluated until a
// command imports it). Heavy modules that only some commands or only some runs need must stay out of it: zod and the
// YAML parser (only with a config file or flags), the errno tables, the socket option tables, Ink and React, the
// generator. Needs the build (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CORE, bundleModules, evaluatedModules } from '../helpers/evaluated-modules.js';

test('what every command evaluates at start-up leaves out what only some commands need', { skip: !existsSync(CORE) && 'run the build first', timeout: 60_000 }, () => {
  const { modules, status, stderr } = evaluatedModules(['--version']);
  assert.equal(status, 0, stderr);
  const has = (prefix: string) => [...modules].filter((s) => s.startsWith(prefix));
  // The check itself works: yargs and the CLI's own entry are found, and the heavy modules are in the bundle.
  assert.ok(has('node_modules/yargs/').length > 0, 'yargs is evaluated at start-up');
  assert.ok(modules.has('src/cli/main.ts'));
  const { all } = bundleModules();
  for (const inBundle of ['node_modules/zod/', 'node_modules/yaml/', 'ui-vendor:ink', 'src/collect/netlink.ts', 'src/codegen/index.ts']) assert.ok([...all].some((m) => m.startsWith(inBundle)), `${inBundle} is in the bundle`);
  for (const heavy of [
    'node_modules/zod/',
    'node_modules/yaml/',
    'node_modules/ink/', // not in the bundle at all (dist/ui-vendor.js), as long as nothing evaluates its stand-in
    'node_modules/react/',
    'ui-vendor:', // the stand-ins for Ink and React: evaluated, they would want dist/ui-vendor.js loaded
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
    assert.deepEqual(has(heavy), [], `${heavy} is evaluated by every command at start-up`);
  }
});
