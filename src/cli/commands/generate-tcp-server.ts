// `sockscope generate-tcp-server`: generate-server with --type tcp (the spelling existing users type).
import type { CommandModule } from 'yargs';
import { runGenerate, withGenerateFlags, type GenerateArgs } from './generate-shared.js';
import { COMMAND_HEADS } from './heads.js';

export const generateTcpServerCommand: CommandModule<object, GenerateArgs> = {
  ...COMMAND_HEADS.generateTcpServer,
  builder: (y) => withGenerateFlags(y, 'tcp').example('$0 generate-tcp-server --port 8080 --language c --non-blocking', '') as never,
  handler: (a) => runGenerate(a, 'tcp'),
};
