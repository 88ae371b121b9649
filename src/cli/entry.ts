// dist/cli.js: `node dist/cli.js ARGS` runs the CLI as bin/sockscope does, through dist/cli.cjs (load-core.ts).
import { createRequire } from 'node:module';

const { runCli } = createRequire(import.meta.url)('./cli.cjs') as typeof import('./load-core.js');
await runCli();
