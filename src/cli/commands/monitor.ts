// `sockscope` with no command: the full-screen monitor, or one plain snapshot table when stdout is not a TTY.
import type { CommandModule } from 'yargs';

export const monitorCommand: CommandModule = {
  command: '$0',
  describe: 'Full-screen monitor of every socket (one snapshot table when stdout is not a TTY)',
  builder: (y) => y,
  handler: async () => {
    process.stdout.write('monitor: not built yet\n');
  },
};
