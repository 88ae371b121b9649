// `sockscope generate-server`: a TCP or UDP server in C, Python or Node from flags (see generate-shared.ts).
import type { CommandModule } from 'yargs';
import { runGenerate, withGenerateFlags, type GenerateArgs } from './generate-shared.js';
import { COMMAND_HEADS } from './heads.js';

export const generateServerCommand: CommandModule<object, GenerateArgs> = {
  ...COMMAND_HEADS.generateServer,
  builder: (y) =>
    withGenerateFlags(y)
      // Short enough for one line at 80 columns; the description, a shell comment above.
      .example('# a TCP server in C with epoll and listen(fd, 1024), written to server.c\n$0 generate-server --language c --io-model epoll --backlog 1024', '')
      .example('# a UDP server in Python, printed instead of written\n$0 generate-server --type udp --language python --stdout', '') as never,
  handler: (a) => runGenerate(a),
};
