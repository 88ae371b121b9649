// The generator wizard as data and a pure reducer: one step per choice, choices filtered to what the
// option rules allow, defaults from config. Wizard.tsx only renders this state and feeds it keys.
import type { Config } from '../../config/schema.js';
import {
  DEFAULT_PORT,
  GeneratorOptionsError,
  IO_MODELS,
  resolveOptions,
  type GeneratorInput,
} from '../../codegen/options.js';

export interface Choice {
  value: string;
  label: string;
  hint?: string;
}

/** A step: either a list of choices or a text field. `applies` hides steps that do not fit. */
export interface Step {
  id: string;
  title: string;
  kind: 'choice' | 'text';
  /** Choices for the current input (choice steps). */
  choices?: (input: GeneratorInput, cfg: Config) => Choice[];
  /** Default value for the current input. */
  initial: (input: GeneratorInput, cfg: Config) => string;
  /** Writes the picked value into the input; throws GeneratorOptionsError for text that does not parse. */
  apply: (input: GeneratorInput, value: string) => GeneratorInput;
  applies?: (input: GeneratorInput) => boolean;
}

const yesNo = (yesHint: string, noHint: string): Choice[] => [
  { value: 'no', label: 'no', hint: noHint },
  { value: 'yes', label: 'yes', hint: yesHint },
];

function parseIntField(label: string, v: string, min: number, max: number): number {
  const t = v.trim();
  if (!/^\d+$/.test(t)) throw new GeneratorOptionsError(`${label} must be a whole number ${min}-${max}`);
  const n = Number(t);
  if (n < min || n > max) throw new GeneratorOptionsError(`${label} must be ${min}-${max}, got ${n}`);
  return n;
}

/** Whether the option rules accept input + patch (used to hide choices that make no sense). */
export function allowed(input: GeneratorInput, patch: Partial<GeneratorInput>, cfg: Config): boolean {
  try {
    resolveOptions({ ...input, ...patch }, cfg);
    return true;
  } catch {
    return false;
  }
}

const isTcp = (i: GeneratorInput) => (i.type ?? 'tcp') === 'tcp';

export const STEPS: Step[] = [
  {
    id: 'type',
    title: 'Protocol',
    kind: 'choice',
    choices: () => [
      { value: 'tcp', label: 'TCP', hint: 'connections, streams' },
      { value: 'udp', label: 'UDP', hint: 'datagrams' },
    ],
    initial: (i) => i.type ?? 'tcp',
    apply: (i, v) => ({ ...i, type: v as 'tcp' | 'udp', ...(v === 'udp' ? { handler: 'echo' as const, profile: undefined } : {}) }),
  },
  {
    id: 'language',
    title: 'Language',
    kind: 'choice',
    choices: () => [
      { value: 'c', label: 'C', hint: 'C11, POSIX or Winsock' },
      { value: 'python', label: 'Python 3' },
      { value: 'node', label: 'Node.js' },
    ],
    initial: (i, cfg) => i.language ?? cfg.defaultLanguage,
    apply: (i, v) => ({ ...i, language: v as GeneratorInput['language'], ioModel: undefined, platform: undefined, profile: undefined }),
  },
  {
    id: 'platform',
    title: 'C platform',
    kind: 'choice',
    choices: () => [
      { value: 'posix', label: 'POSIX', hint: 'Linux, BSD, macOS' },
      { value: 'windows', label: 'Windows', hint: 'Winsock, MinGW or MSVC' },
      { value: 'portable', label: 'portable', hint: '#ifdef _WIN32: one file for both' },
    ],
    initial: (i) => i.platform ?? 'posix',
    apply: (i, v) => ({ ...i, platform: v as GeneratorInput['platform'], ioModel: undefined }),
    applies: (i) => i.language === 'c',
  },
  {
    id: 'ioModel',
    title: 'IO model',
    kind: 'choice',
    choices: (i, cfg) => {
      const hints: Record<string, string> = {
        epoll: 'Linux, scales to C10K',
        poll: 'portable, O(n) per wakeup',
        select: 'portable, at most FD_SETSIZE fds',
        kqueue: 'BSD/macOS (libkqueue on Linux)',
        io_uring: 'Linux 5.19+, liburing; falls back to epoll',
        asyncio: 'coroutines, one thread',
        selectors: 'explicit event loop',
        threads: 'one blocking thread per connection',
        'event-loop': 'net / dgram on libuv',
      };
      const lang = i.language ?? cfg.defaultLanguage;
      return IO_MODELS[lang].filter((m) => allowed(i, { ioModel: m }, cfg)).map((m) => ({ value: m, label: m, hint: hints[m] }));
    },
    initial: (i, cfg) => {
      try {
        return resolveOptions({ ...i, ioModel: undefined }, cfg).ioModel;
      } catch {
        return IO_MODELS[i.language ?? cfg.defaultLanguage][0];
      }
    },
    apply: (i, v) => ({ ...i, ioModel: v }),
  },
  {
    id: 'handler',
    title: 'What the server does',
    kind: 'choice',
    choices: () => [
      { value: 'echo', label: 'echo', hint: 'send every byte back' },
      { value: 'http', label: 'http', hint: 'HTTP/1.1 keep-alive "ok" (for wrk)' },
    ],
    initial: (i) => i.handler ?? 'echo',
    apply: (i, v) => ({ ...i, handler: v as 'echo' | 'http' }),
    applies: isTcp,
  },
  {
    id: 'port',
    title: 'Port',
    kind: 'text',
    initial: (i) => String(i.port ?? DEFAULT_PORT),
    apply: (i, v) => ({ ...i, port: parseIntField('port', v, 0, 65535) }),
  },
  {
    id: 'family',
    title: 'Address family',
    kind: 'choice',
    choices: (i, cfg) =>
      [
        { value: 'ipv4', label: 'IPv4', hint: 'bind 0.0.0.0' },
        { value: 'ipv6', label: 'IPv6 only', hint: 'bind ::, IPV6_V6ONLY=1' },
        { value: 'dual', label: 'dual-stack', hint: 'bind ::, IPv4 too' },
      ].filter((c) => allowed(i, familyPatch(c.value), cfg)),
    initial: (i) => (i.dualStack ? 'dual' : i.ipv6 ? 'ipv6' : 'ipv4'),
    apply: (i, v) => ({ ...i, ...familyPatch(v) }),
  },
  {
    id: 'profile',
    title: 'Tuning profile',
    kind: 'choice',
    choices: (i, cfg) =>
      [
        { value: 'none', label: 'none', hint: 'kernel defaults (autotuned buffers)' },
        { value: 'throughput', label: 'throughput', hint: '1 MiB SO_SNDBUF/SO_RCVBUF + TCP_NODELAY' },
        { value: 'latency', label: 'latency', hint: 'TCP_NODELAY + TCP_QUICKACK (Linux)' },
      ].filter((c) => allowed(i, { profile: c.value as GeneratorInput['profile'] }, cfg)),
    initial: (i) => i.profile ?? 'none',
    apply: (i, v) => ({ ...i, profile: v as GeneratorInput['profile'] }),
  },
  {
    id: 'tcpNodelay',
    title: 'TCP_NODELAY (send small writes at once)',
    kind: 'choice',
    choices: () => yesNo('lower latency for request/response', 'Nagle batches small writes'),
    initial: (i) => (i.tcpNodelay === false ? 'no' : 'yes'),
    apply: (i, v) => ({ ...i, tcpNodelay: v === 'yes' }),
    applies: (i) => isTcp(i) && (i.profile ?? 'none') === 'none',
  },
  {
    id: 'bufferSize',
    title: 'Read buffer size (bytes)',
    kind: 'text',
    initial: (i, cfg) => String(i.bufferSize ?? cfg.bufferSize),
    apply: (i, v) => ({ ...i, bufferSize: parseIntField('buffer size', v, 512, 64 * 1024 * 1024) }),
  },
  {
    id: 'reusePort',
    title: 'SO_REUSEPORT (several processes on one port)',
    kind: 'choice',
    choices: (i, cfg) => yesNo('Linux load-balances between them', 'one process owns the port').filter((c) => allowed(i, { reusePort: c.value === 'yes' }, cfg)),
    initial: (i) => (i.reusePort ? 'yes' : 'no'),
    apply: (i, v) => ({ ...i, reusePort: v === 'yes' }),
  },
  {
    id: 'comments',
    title: 'Explanatory comments',
    kind: 'choice',
    choices: () => yesNo('why each call is there', 'just the code'),
    initial: (i, cfg) => ((i.comments ?? cfg.generateComments) ? 'yes' : 'no'),
    apply: (i, v) => ({ ...i, comments: v === 'yes' }),
  },
  {
    id: 'output',
    title: 'Write to file',
    kind: 'text',
    initial: () => '',
    apply: (i) => i,
  },
];

function familyPatch(v: string): Partial<GeneratorInput> {
  if (v === 'dual') return { ipv6: true, dualStack: true };
  if (v === 'ipv6') return { ipv6: true, dualStack: false };
  return { ipv6: false, dualStack: false };
}

/** Default output name for the language (what the CLI writes without --output). */
export function defaultOutput(input: GeneratorInput, cfg: Config): string {
  const lang = input.language ?? cfg.defaultLanguage;
  return lang === 'c' ? 'server.c' : lang === 'python' ? 'server.py' : 'server.mjs';
}

/** The steps that apply to this input, in order. */
export function visibleSteps(input: GeneratorInput): Step[] {
  return STEPS.filter((s) => !s.applies || s.applies(input));
}
