// `sockscope generate-tcp-server`: generate-server with --type tcp (the spelling existing users type).
import type { CommandModule } from 'yargs';
import { runGenerate, withGenerateFlags, type GenerateArgs } from './generate-shared.js';

export const generateTcpServerCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate-tcp-server',
  describe: 'Same as generate-server --type tcp (kept for compatibility)',
  builder: (y) => withGenerateFlags(y, 'tcp').example('$0 generate-tcp-server --port 8080 --language c --non-blocking', '') as never,
  handler: (a) => runGenerate(a, 'tcp'),
};
