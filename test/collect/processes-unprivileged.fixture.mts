// Run by processes.test.ts under an unprivileged uid: prints what attribution could see.
import { ProcessAttributor } from '../../src/collect/processes.js';

const info = await new ProcessAttributor().attribute([], 'all');
process.stdout.write(JSON.stringify(info) + '\n');
