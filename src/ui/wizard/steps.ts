// The generator wizard as data and a pure reducer: one step per choice, choices filtered to what the
// option rules allow, defaults from config. Wizard.tsx only renders this state and feeds it keys.
import { DEFAULT_CONFIG, type Config } from '../../config/schema.js';
import {
  DEFAULT_PORT,
  GeneratorOptionsError,
  IO_MODELS,
  NUMBER_RANGES,
  OPTION_FLAGS,
  rangeRefusal,
  resolveOptions,
  UDP_BUFFER_SIZE,
  type GeneratorInput,
  type Profile,
} from '../../codegen/options.js';
import { BUFFER_SIZE_MAX, BUFFER_SIZE_MIN } from '../../config/defaults.js';
import { nodeReusePortHint } from '../../codegen/node-reuse-port.js';
import { argsToInput } from '../../cli/commands/generate-shared.js';
import { UsageError } from '../../cli/errors.js';

export interface Choice {
  value: string;
  label: string;
  hint?: string;
}

/** A step: either a list of choices or a text field. `applies` hides steps that do not fit. */
export interface Step {
  id: string;
  /** The question; a function when it depends on the answers so far (the buffer size range of the protocol). */
  title: string | ((input: GeneratorInput) => string);
  kind: 'choice' | 'text';
  /** The input fields this step answers (dropped again when an earlier answer makes them invalid). */
  keys: (keyof GeneratorInput)[];
  /** Choices for the current input (choice steps). */
  choices?: (input: GeneratorInput, cfg: Config) => Choice[];
  /** Default value for the current input. */
  initial: (input: GeneratorInput, cfg: Config) => string;
  /** Writes the picked value into the input; throws GeneratorOptionsError for text that does not parse or that the option rules refuse. */
  apply: (input: GeneratorInput, value: string, cfg?: Config) => GeneratorInput;
  applies?: (input: GeneratorInput) => boolean;
}

const yesNo = (yesHint: string, noHint: string): Choice[] => [
  { value: 'no', label: 'no', hint: noHint },
  { value: 'yes', label: 'yes', hint: yesHint },
];

/** The port as typed, refused in the CLI's words (rangeRefusal), naming the field. */
function parsePort(v: string): number {
  const t = v.trim();
  const { min, max } = NUMBER_RANGES.port;
  if (!/^\d+$/.test(t)) throw new GeneratorOptionsError(`port must be a whole number ${min} to ${max}, got ${JSON.stringify(t)}`);
  const n = Number(t);
  const refused = rangeRefusal('port', n, t);
  if (refused) throw new GeneratorOptionsError(`port ${refused}`);
  return n;
}

const isTcp = (i: GeneratorInput) => (i.type ?? 'tcp') === 'tcp';

/**
 * A buffer size read by the parser of `generate-server --buffer-size` (65536, 64k, 1M, 64KiB: k and M are
 * 1024 and 1024²), so the wizard takes what the CLI takes; it refused `64k` as "not a whole number".
 */
export function parseBufferSize(v: string): number {
  let n: number | undefined;
  try {
    n = argsToInput({ 'buffer-size': v }).bufferSize;
  } catch (e) {
    // The CLI's words name its flag; here the field is on screen.
    if (e instanceof UsageError) throw new GeneratorOptionsError(e.message.replace(/^--buffer-size\b/, 'buffer size'));
    throw e;
  }
  // The CLI's range message (options.ts rangeRefusal), quoting the size as typed (70M, not 73400320).
  const refused = rangeRefusal('bufferSize', n ?? NaN, v.trim());
  if (refused || n === undefined) throw new GeneratorOptionsError(`buffer size ${refused}`);
  return n;
}

function bytes(n: number): string {
  if (n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

/**
 * What a profile sets for this input, read from resolveOptions (which applies the profiles), so the hint
 * cannot describe options the server does not get: for UDP it said "+ TCP_NODELAY", a TCP option.
 * The choice of TCP_NODELAY comes after this step: an earlier "no" does not count here.
 */
function profileHint(input: GeneratorInput, profile: Profile, cfg: Config): string {
  // Linux autotunes TCP buffers (tcp_rmem/tcp_wmem); a UDP socket gets the net.core defaults, fixed.
  if (profile === 'none') return isTcp(input) ? 'kernel defaults (autotuned buffers)' : 'kernel defaults (net.core.rmem_default/wmem_default)';
  const o = resolveOptions({ ...input, profile, tcpNodelay: undefined }, cfg);
  const parts: string[] = [];
  if (o.sndbuf !== null && o.sndbuf === o.rcvbuf) parts.push(`${bytes(o.sndbuf)} SO_SNDBUF/SO_RCVBUF`);
  else {
    if (o.sndbuf !== null) parts.push(`${bytes(o.sndbuf)} SO_SNDBUF`);
    if (o.rcvbuf !== null) parts.push(`${bytes(o.rcvbuf)} SO_RCVBUF`);
  }
  if (o.tcpNodelay) parts.push('TCP_NODELAY');
  if (o.quickack) parts.push('TCP_QUICKACK (Linux)');
  return parts.join(' + ');
}

/**
 * Throws the option rules' error when it is about `key` (an error about another answer is left to pruneLater),
 * with the field's name `label` for the CLI flag the rules name: the UDP size refusal said "--buffer-size 65537 ..."
 * where parseBufferSize's own messages say "buffer size".
 */
function checkField(input: GeneratorInput, key: keyof GeneratorInput, cfg: Config, label: string): void {
  try {
    resolveOptions(input, cfg);
  } catch (e) {
    if (e instanceof GeneratorOptionsError && e.issues.some((x) => x.path === key)) throw new GeneratorOptionsError(e.message.split(OPTION_FLAGS[key]).join(label), e.issues);
  }
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

/** What each io model's generated TCP server does (templates/): connections. */
const TCP_IO_HINTS: Record<string, string> = {
  epoll: 'Linux, scales to C10K',
  poll: 'portable, O(n) per wakeup',
  select: 'portable, at most FD_SETSIZE fds',
  kqueue: 'BSD/macOS (libkqueue on Linux)',
  // The operations it queues (SEND/RECV/READ) and the opcode probe are 5.6; an older kernel, or io_uring
  // turned off, runs the epoll loop in the same file. Multishot accept (5.19) is used when present.
  io_uring: 'Linux 5.6+ (else its epoll loop), liburing',
  asyncio: 'coroutines, one thread',
  selectors: 'explicit event loop',
  threads: 'one blocking thread per connection',
  'event-loop': 'net on libuv',
};

/**
 * The same for UDP, where every model serves one socket (no connections, so no C10K or FD_SETSIZE to speak of):
 * the C loops drain a batch of datagrams per wakeup (templates/c/_udp.eta), Python threads is WORKERS = 4 threads
 * on one blocking socket (templates/python/threads.py.eta; a test holds the number equal).
 */
const UDP_IO_HINTS: Record<string, string> = {
  epoll: 'Linux, one socket, a batch of datagrams per wakeup',
  poll: 'portable, one socket, a batch of datagrams per wakeup',
  select: 'portable, one socket, a batch of datagrams per wakeup',
  kqueue: 'BSD/macOS (libkqueue on Linux), one socket',
  io_uring: 'Linux 5.6+ (else its epoll loop), liburing',
  asyncio: 'a datagram protocol, one thread',
  selectors: 'explicit event loop, one socket',
  threads: '4 threads reading one blocking socket',
  'event-loop': 'dgram on libuv',
};

export const STEPS: Step[] = [
  {
    id: 'type',
    keys: ['type'],
    title: 'Protocol',
    kind: 'choice',
    choices: () => [
      { value: 'tcp', label: 'TCP', hint: 'connections, streams' },
      { value: 'udp', label: 'UDP', hint: 'datagrams' },
    ],
    initial: (i) => i.type ?? 'tcp',
    // The later answers UDP refuses (TCP_NODELAY, http, the latency profile) are dropped by pruneLater, which keeps the
    // others: this step cleared the profile and TCP_NODELAY on every Enter on UDP, throughput too, which UDP allows.
    apply: (i, v) => ({ ...i, type: v as 'tcp' | 'udp' }),
  },
  {
    id: 'language',
    keys: ['language'],
    title: 'Language',
    kind: 'choice',
    choices: () => [
      { value: 'c', label: 'C', hint: 'C11, POSIX or Winsock' },
      { value: 'python', label: 'Python 3' },
      { value: 'node', label: 'Node.js' },
    ],
    initial: (i, cfg) => i.language ?? cfg.defaultLanguage,
    // Only the language: pruneLater drops the io model, platform or profile the new language refuses. Clearing them
    // here threw them away on every Enter, even on the language already chosen.
    apply: (i, v) => ({ ...i, language: v as GeneratorInput['language'] }),
  },
  {
    id: 'platform',
    keys: ['platform'],
    title: 'C platform',
    kind: 'choice',
    choices: () => [
      { value: 'posix', label: 'POSIX', hint: 'Linux, BSD, macOS' },
      { value: 'windows', label: 'Windows', hint: 'Winsock, MinGW or MSVC' },
      { value: 'portable', label: 'portable', hint: '#ifdef _WIN32: one file for both' },
    ],
    initial: (i) => i.platform ?? 'posix',
    // An io model this platform cannot build is dropped by pruneLater (epoll for windows); select or poll stay.
    apply: (i, v) => ({ ...i, platform: v as GeneratorInput['platform'] }),
    applies: (i) => i.language === 'c',
  },
  {
    id: 'ioModel',
    keys: ['ioModel'],
    title: 'IO model',
    kind: 'choice',
    choices: (i, cfg) => {
      const hints = isTcp(i) ? TCP_IO_HINTS : UDP_IO_HINTS;
      const lang = i.language ?? cfg.defaultLanguage;
      return IO_MODELS[lang].filter((m) => allowed(i, { ioModel: m }, cfg)).map((m) => ({ value: m, label: m, hint: hints[m] }));
    },
    // The answer given, when it still fits (back here after Windows + poll the cursor sat on select, the default).
    initial: (i, cfg) => {
      try {
        if (i.ioModel !== undefined && allowed(i, {}, cfg)) return resolveOptions(i, cfg).ioModel;
        return resolveOptions({ ...i, ioModel: undefined }, cfg).ioModel;
      } catch {
        return IO_MODELS[i.language ?? cfg.defaultLanguage][0];
      }
    },
    apply: (i, v) => ({ ...i, ioModel: v }),
  },
  {
    id: 'handler',
    keys: ['handler'],
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
    keys: ['port'],
    title: 'Port',
    kind: 'text',
    initial: (i) => String(i.port ?? DEFAULT_PORT),
    apply: (i, v) => ({ ...i, port: parsePort(v) }),
  },
  {
    id: 'family',
    keys: ['ipv6', 'dualStack'],
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
    keys: ['profile'],
    title: 'Tuning profile',
    kind: 'choice',
    // TCP_NODELAY is asked after this step, only without a profile (both profiles turn it on): a "no" given
    // before going back here must not hide the profiles.
    choices: (i, cfg) =>
      (['none', 'throughput', 'latency'] as const)
        .filter((p) => allowed(i, { profile: p, tcpNodelay: p === 'none' ? i.tcpNodelay : undefined }, cfg))
        .map((p) => ({ value: p, label: p, hint: profileHint(i, p, cfg) })),
    initial: (i) => i.profile ?? 'none',
    apply: (i, v) => ({ ...i, profile: v as Profile, ...(v === 'none' ? {} : { tcpNodelay: undefined }) }),
  },
  {
    id: 'tcpNodelay',
    keys: ['tcpNodelay'],
    title: 'TCP_NODELAY (send small writes at once)',
    kind: 'choice',
    choices: () => yesNo('lower latency for request/response', 'Nagle batches small writes'),
    initial: (i) => (i.tcpNodelay === false ? 'no' : 'yes'),
    apply: (i, v) => ({ ...i, tcpNodelay: v === 'yes' }),
    applies: (i) => isTcp(i) && (i.profile ?? 'none') === 'none',
  },
  {
    id: 'bufferSize',
    keys: ['bufferSize'],
    // The range the CLI allows for this protocol (it said "512 to 64M" for UDP too, then took 1M).
    title: (i) =>
      isTcp(i)
        ? `Read buffer size (bytes, or with k/M: 65536, 64k, 1M; ${BUFFER_SIZE_MIN} to ${BUFFER_SIZE_MAX / (1024 * 1024)}M)`
        : `Read buffer size (bytes, or with k: 65536, 64k; ${BUFFER_SIZE_MIN} to ${UDP_BUFFER_SIZE / 1024}k) - UDP: the longest datagram served`,
    kind: 'text',
    // UDP: the longest datagram served, 65536 unless asked (as generate-server does); the config's bufferSize
    // is a TCP read size, and one above 64k would be refused for UDP.
    initial: (i, cfg) => String(i.bufferSize ?? (isTcp(i) ? cfg.bufferSize : UDP_BUFFER_SIZE)),
    // The CLI's rule check too (resolveOptions), with its message: the spelling parsed, a UDP size above 65536
    // was taken and left the SO_REUSEPORT step with no choice (every one failed the rules).
    apply: (i, v, cfg) => {
      const next = { ...i, bufferSize: parseBufferSize(v) };
      checkField(next, 'bufferSize', cfg ?? DEFAULT_CONFIG, 'buffer size');
      return next;
    },
  },
  {
    id: 'reusePort',
    keys: ['reusePort'],
    title: 'SO_REUSEPORT (several processes on one port)',
    kind: 'choice',
    // Node's listen/createSocket take reusePort since 22.12: the generated server exits 1 on an older node, so "yes"
    // says so, and whether the node running the wizard (this machine's) has it.
    choices: (i, cfg) =>
      yesNo((i.language ?? cfg.defaultLanguage) === 'node' ? nodeReusePortHint(process.version) : 'Linux load-balances between them', 'one process owns the port').filter((c) =>
        allowed(i, { reusePort: c.value === 'yes' }, cfg),
      ),
    initial: (i) => (i.reusePort ? 'yes' : 'no'),
    apply: (i, v) => ({ ...i, reusePort: v === 'yes' }),
  },
  {
    id: 'comments',
    keys: ['comments'],
    title: 'Explanatory comments',
    kind: 'choice',
    choices: () => yesNo('why each call is there', 'just the code'),
    initial: (i, cfg) => ((i.comments ?? cfg.generateComments) ? 'yes' : 'no'),
    apply: (i, v) => ({ ...i, comments: v === 'yes' }),
  },
  {
    id: 'output',
    keys: [],
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

/** The step's question for this input. */
export function stepTitle(step: Step, input: GeneratorInput): string {
  return typeof step.title === 'function' ? step.title(input) : step.title;
}

/** Why the option rules refuse this input (null: they accept it). */
export function refusal(input: GeneratorInput, cfg: Config): string | null {
  try {
    resolveOptions(input, cfg);
    return null;
  } catch (e) {
    if (e instanceof GeneratorOptionsError) return e.message;
    throw e;
  }
}

/**
 * After the answer to step `id` changed, drops the answers of later steps that the new combination makes
 * invalid, so that no later choice list comes out empty (all its choices failing the rules because of an
 * answer given before going back: SO_REUSEPORT yes then Windows, a 1M buffer then UDP). The answer the
 * rules name goes first; if they name none of the later ones, the latest goes, until the rules accept the
 * input. Answers that still fit are kept (they are the defaults when the user gets there again).
 */
export function pruneLater(input: GeneratorInput, id: string, cfg: Config): GeneratorInput {
  const at = STEPS.findIndex((s) => s.id === id);
  const laterKeys = STEPS.slice(at + 1).flatMap((s) => s.keys);
  let cur = input;
  for (let k = 0; k <= laterKeys.length; k++) {
    let issueKeys: string[];
    try {
      resolveOptions(cur, cfg);
      return cur;
    } catch (e) {
      if (!(e instanceof GeneratorOptionsError)) throw e;
      issueKeys = e.issues.map((x) => x.path.split('.')[0]);
    }
    const answered = laterKeys.filter((key) => cur[key] !== undefined);
    if (answered.length === 0) return cur;
    const named = answered.filter((key) => issueKeys.includes(key));
    // A step's fields go together (family: ipv6 and dualStack).
    const drop = named.length ? named : [answered[answered.length - 1]];
    const steps = STEPS.filter((s) => s.keys.some((key) => drop.includes(key)));
    cur = { ...cur };
    for (const key of steps.flatMap((s) => s.keys)) delete cur[key];
  }
  return cur;
}

/** The steps that apply to this input, in order. */
export function visibleSteps(input: GeneratorInput): Step[] {
  return STEPS.filter((s) => !s.applies || s.applies(input));
}
