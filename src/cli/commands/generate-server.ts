// `sockscope generate-server`: a TCP or UDP server in C, Python or Node from flags (see generate-shared.ts).
import type { CommandModule } from 'yargs';
import { runGenerate, withGenerateFlags, type GenerateArgs } from './generate-shared.js';

export const generateServerCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate-server',
  describe: 'Generate a TCP/UDP server (C, Python, Node) that handles partial writes, RST, signals and load',
  builder: (y) =>
    withGenerateFlags(y)
      .example('$0 generate-server --type tcp --language c --io-model epoll --buffer-size 65536 --backlog 1024 --output server.c', '')
      .example('$0 generate-server --type udp --language python --io-model asyncio --stdout', '') as never,
  handler: (a) => runGenerate(a),
};
