// Every command's name line and one-line description, in the order `sockscope --help` lists them: what the
// root parser needs of a command it does not run (index.ts loads only the commands named on the line).
import { TASK_OPERATIONS } from '../../api/task-operations.js';

export const COMMAND_HEADS = {
  monitor: {
    command: '$0',
    describe: 'Full-screen monitor of every socket (one snapshot table when stdout is not a TTY)',
  },
  analyze: {
    command: 'analyze',
    describe: 'One port: states, listener/backlog, process, top peers, recommendations',
  },
  analyzeStates: {
    command: 'analyze-states',
    describe: 'TCP connections per state, then one recommendation line',
  },
  export: {
    command: 'export',
    describe: 'Prometheus metrics endpoint (/metrics) for fleets',
  },
  inspectOptions: {
    command: 'inspect-options',
    describe: "Real option values of one socket (another process's, via pidfd_getfd + getsockopt), explained",
  },
  debugConnections: {
    command: 'debug-connections',
    describe: 'Why a connection to HOST:PORT works or fails: every address, route, timed connect, TLS, reply, existing sockets, verdict',
  },
  try: {
    command: 'try <op> <address>',
    describe: 'Run bind/listen/connect/sendto for real on this host (closed at once) and explain the result',
  },
  errno: {
    command: 'errno <code>',
    describe: 'Explain an errno or Winsock code: ECONNRESET | 104 | "reset by peer" | WSAECONNRESET | 10054',
  },
  options: {
    command: 'options [name]',
    describe: 'Socket option reference: level, type, default, semantics per platform, limits',
  },
  config: {
    command: 'config',
    describe: 'The effective configuration and where each value came from',
  },
  generateServer: {
    command: 'generate-server',
    describe: 'Generate a TCP/UDP server (C, Python, Node) that handles partial writes, RST, signals and load',
  },
  generateTcpServer: {
    command: 'generate-tcp-server',
    describe: 'Same as generate-server --type tcp (kept for compatibility)',
  },
  generate: {
    command: 'generate',
    describe: 'Interactive wizard that generates a server (the same as `c` in the monitor)',
  },
  buffers: {
    command: 'buffers',
    describe: 'Buffer sizing: BDP vs SO_RCVBUF/SO_SNDBUF vs sysctl caps (per connection, or for --bandwidth and --rtt)',
  },
  task: {
    command: 'task <input>',
    describe: `Run one JSON task for automation (${TASK_OPERATIONS.join(', ')}); - reads stdin`,
  },
} as const satisfies Record<string, { command: string; describe: string }>;
