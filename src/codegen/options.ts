// Generator options: the zod schema of what a user may ask for, and resolveOptions(), which fills
// defaults (config, profile, io model), normalizes aliases and rejects combinations that make no sense
// with a message that says what is allowed.
import { isBindAddress, isIPv4Literal, isIPv6Literal, isUnzonedLinkLocal, mappedIPv4, showValue } from './bind-address.js';
import { z } from 'zod';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { briefValue, InvalidInputError, zodIssues, type InputIssue } from '../model/input-error.js';
import { BOUNDED_POOL_IDLE_TIMEOUT_MS, GEN_LANGUAGES, IO_MODELS, normalizeIoModel, type GenLanguage } from './languages.js';
import { NUMBER_RANGES, OPTION_FLAGS, rangedFlag, rangeRefusal, type RangedOption } from './option-ranges.js';

export { GEN_LANGUAGES, IO_MODELS, IO_MODEL_ALIASES, normalizeIoModel, type GenLanguage } from './languages.js';
export { NUMBER_RANGES, OPTION_FLAGS, rangedFlag, rangeRefusal, rangeRefusals, type RangedOption } from './option-ranges.js';

export const SERVER_TYPES = ['tcp', 'udp'] as const;
export const HANDLERS = ['echo', 'http'] as const;
export const PROFILES = ['none', 'throughput', 'latency'] as const;
export const PLATFORMS = ['posix', 'windows', 'portable'] as const;

export type ServerType = (typeof SERVER_TYPES)[number];
export type Handler = (typeof HANDLERS)[number];
export type Profile = (typeof PROFILES)[number];
export type Platform = (typeof PLATFORMS)[number];

/** IO models that need non-blocking sockets (an event loop); the others use blocking sockets. */
const BLOCKING_IO_MODELS = new Set(['threads']);

/** Which IO models each C platform can build. */
export const C_PLATFORM_IO_MODELS: Record<Platform, readonly string[]> = {
  posix: ['epoll', 'poll', 'select', 'kqueue', 'io_uring'],
  windows: ['select', 'poll'],
  portable: ['select', 'poll'],
};

/** select() watches at most FD_SETSIZE (1024 on Linux) descriptors; leave room for the listener and stdio. */
export const SELECT_MAX_CONNECTIONS = 1000;

/**
 * The Python threads server runs one thread per connection from a fixed pool of this many (templates/python/threads.py.eta,
 * as it.pythonThreadsMax), or of --max-connections, which may not be more.
 */
export const PYTHON_THREADS_MAX = 1024;

/**
 * Default idle timeout of a TCP server whose capacity is a fixed pool: select() watches at most
 * FD_SETSIZE descriptors and the Python threads server runs at most MAX_THREADS connections, so clients
 * that connect and send nothing could hold every slot (a review held 1,030 idle connections on each with
 * the old default, off: every new client was refused). --idle-timeout 0 turns it off.
 */
export { BOUNDED_POOL_IDLE_TIMEOUT_MS };

/** Whether the io model serves a fixed number of connections at most (select's FD_SETSIZE, Python's thread pool). */
export function hasBoundedPool(o: { language: GenLanguage; ioModel: string }): boolean {
  return (o.language === 'c' && o.ioModel === 'select') || (o.language === 'python' && o.ioModel === 'threads');
}

/** The idle timeout (ms, 0 = never) a TCP server gets without --idle-timeout: BOUNDED_POOL_IDLE_TIMEOUT_MS for bounded pools, else 0. */
export function defaultIdleTimeoutMs(o: { type: ServerType; language: GenLanguage; ioModel: string }): number {
  return o.type === 'tcp' && hasBoundedPool(o) ? BOUNDED_POOL_IDLE_TIMEOUT_MS : 0;
}

/** UDP read buffer by default and at most: holds any datagram (IPv4 payload <= 65507 bytes, IPv6 <= 65527). */
export const UDP_BUFFER_SIZE = 65536;

/** What a Node server's keepalive probes are: libuv sets TCP_KEEPINTVL and TCP_KEEPCNT itself (measured on Node 20). */
export const NODE_KEEPALIVE = { interval: 1, count: 10 } as const;
/** Throughput profile socket buffer size (SO_SNDBUF and SO_RCVBUF). */
export const THROUGHPUT_SOCKET_BUFFER = 1024 * 1024;

const ranged = (key: RangedOption) => z.number().refine((n) => rangeRefusal(key, n) === null, { error: (iss) => rangeRefusal(key, iss.input as number) ?? '' });

/** What a caller may pass: every field optional; resolveOptions() fills the rest. */
export const GeneratorInputSchema = z
  .object({
    /** tcp or udp. Default tcp. */
    type: z.enum(SERVER_TYPES).optional(),
    /** Output language. Default: config defaultLanguage. */
    language: z.enum(GEN_LANGUAGES).optional(),
    /** IO model (see IO_MODELS; aliases in IO_MODEL_ALIASES). Default: config defaultIoModel if it suits the language, else the language's first. */
    ioModel: z.string().optional(),
    /** What the server does with data: echo it back, or answer HTTP/1.1 requests (keep-alive). Default echo. */
    handler: z.enum(HANDLERS).optional(),
    /** Port to listen on (0 = any free port, printed at start). Default 8080. */
    port: ranged('port').optional(),
    /** Address to bind. Default 0.0.0.0, or :: with ipv6/dualStack. */
    bindAddress: z.string().optional(),
    /** Listen on IPv6. */
    ipv6: z.boolean().optional(),
    /** IPv6 socket that also accepts IPv4 (IPV6_V6ONLY=0). Implies ipv6. */
    dualStack: z.boolean().optional(),
    /** listen() backlog (TCP only; capped by net.core.somaxconn). Default 511. */
    backlog: ranged('backlog').optional(),
    /**
     * Read buffer size in bytes. TCP: bytes per read, default config bufferSize (DEFAULT_BUFFER_SIZE, 65536).
     * UDP: the longest datagram served (longer ones are dropped and reported), at most and by default UDP_BUFFER_SIZE.
     */
    bufferSize: ranged('bufferSize').optional(),
    /** SO_SNDBUF in bytes; only set when asked (disables autotuning). */
    sndbuf: ranged('sndbuf').optional(),
    /** SO_RCVBUF in bytes; only set when asked (disables autotuning). */
    rcvbuf: ranged('rcvbuf').optional(),
    /** Non-blocking sockets. Default: true for event loops, false for threads. */
    nonBlocking: z.boolean().optional(),
    /** TCP_NODELAY on each accepted socket. Default true for TCP (false = keep Nagle's algorithm). */
    tcpNodelay: z.boolean().optional(),
    /** SO_REUSEPORT (Linux load-balances between processes). */
    reusePort: z.boolean().optional(),
    /** TCP keepalive probes: idle seconds before the first, seconds between, count before giving up (Node: idle only). */
    keepalive: z.object({ idle: ranged('keepalive.idle'), interval: ranged('keepalive.interval').optional(), count: ranged('keepalive.count').optional() }).strict().optional(),
    /** Refuse (close at once) connections beyond this many. 0 = no limit. */
    maxConnections: ranged('maxConnections').optional(),
    /** Close a connection idle this long, ms. 0 = never. Default 0, or BOUNDED_POOL_IDLE_TIMEOUT_MS (60 s) for C select and Python threads. */
    idleTimeoutMs: ranged('idleTimeoutMs').optional(),
    /** On SIGTERM/SIGINT: stop accepting, flush for at most this long, close, exit 0. Default DEFAULT_GRACEFUL_MS. */
    gracefulShutdownMs: ranged('gracefulShutdownMs').optional(),
    /** Explanatory comments in the output. Default: config generateComments. */
    comments: z.boolean().optional(),
    /** Preset: throughput (1 MiB SO_SNDBUF+SO_RCVBUF, TCP_NODELAY) or latency (TCP_NODELAY, TCP_QUICKACK after reads; Linux). */
    profile: z.enum(PROFILES).optional(),
    /** C only: posix, windows (Winsock) or portable (#ifdef _WIN32). Default posix. */
    platform: z.enum(PLATFORMS).optional(),
  })
  .strict();

export type GeneratorInput = z.infer<typeof GeneratorInputSchema>;

export const DEFAULT_PORT = 8080;
export const DEFAULT_BACKLOG = 511;
export const DEFAULT_GRACEFUL_MS = 1500;

/** Every option decided: what templates see as `it.o`. */
export interface GeneratorOptions {
  type: ServerType;
  language: GenLanguage;
  ioModel: string;
  handler: Handler;
  port: number;
  bindAddress: string;
  ipv6: boolean;
  dualStack: boolean;
  backlog: number;
  bufferSize: number;
  sndbuf: number | null;
  rcvbuf: number | null;
  nonBlocking: boolean;
  tcpNodelay: boolean;
  /** TCP_QUICKACK re-armed after each read (latency profile; Linux only). */
  quickack: boolean;
  reusePort: boolean;
  keepalive: { idle: number; interval: number; count: number } | null;
  maxConnections: number;
  idleTimeoutMs: number;
  gracefulShutdownMs: number;
  comments: boolean;
  profile: Profile;
  platform: Platform;
}

/**
 * Bad generator input: an InvalidInputError (code invalid-options) whose message names the CLI flag
 * (`--port: ...`) and whose issues name the option key (`port`); the CLI turns it into exit 2. Without
 * `issues` the one issue is about the whole input (path '').
 */
export class GeneratorOptionsError extends InvalidInputError {
  constructor(message: string, issues?: InputIssue[]) {
    super(message, issues, 'invalid-options');
    this.name = 'GeneratorOptionsError';
  }
}

/** Characters that would end a comment line or break a source file if a path reached a header comment: C0/C1 controls, DEL, and U+2028/U+2029 (line terminators in JavaScript). */
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Linux's PATH_MAX: a path's bytes with its terminating NUL. */
const PATH_MAX = 4096;

/** Throws GeneratorOptionsError unless the output path names a file and can be written into generated headers. `example` is the default file name, for the message about a directory path. */
export function checkOutputPath(path: string, example = 'server.c'): void {
  // The issue names the field (output) for a library or task caller; the message names the flag, as for every option.
  const fail = (msg: string): never => {
    throw new GeneratorOptionsError(msg, [{ path: 'output', message: msg }]);
  };
  // Linux refuses a path of PATH_MAX (4,096) bytes or more (ENAMETOOLONG): said here, briefly, before any message
  // that quotes the path (a megabyte path made a 4 MB failure document).
  const bytes = Buffer.byteLength(path);
  if (bytes >= PATH_MAX) fail(`--output is ${bytes} bytes long; a path on Linux is at most ${PATH_MAX - 1} (PATH_MAX), got ${briefValue(path)}`);
  if (UNSAFE_TEXT.test(path)) fail(`--output must be a file name without control characters or line breaks, got ${briefValue(path)}`);
  if (path.trim() === '') fail(`--output needs a file path, got ${JSON.stringify(path)}`);
  if (/(^|\/)(\.\.?)?$/.test(path)) fail(`--output names the file to write, got the directory path ${JSON.stringify(path)}; add a file name (e.g. ${path.replace(/\/*$/, '/')}${example})`);
}


function zodMessage(err: z.ZodError): string {
  return err.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown option ${i.keys.join(', ')}; known: ${Object.keys(OPTION_FLAGS).join(', ')}`;
      const head = i.path[0] as keyof GeneratorInput | undefined;
      const key = head && OPTION_FLAGS[head] ? [OPTION_FLAGS[head], ...i.path.slice(1)].join('.') : i.path.join('.');
      // A range refusal reads as one sentence with the flag, as the CLI says it (rangeRefusals).
      const rangedKey = i.path.join('.');
      if (i.code === 'custom' && Object.hasOwn(NUMBER_RANGES, rangedKey)) return `${rangedFlag(rangedKey as RangedOption)} ${i.message}`;
      return key ? `${key}: ${i.message}` : i.message;
    })
    .join('; ');
}

/**
 * Validates raw input (from flags, the wizard, the library or automation) and decides every option.
 * Throws GeneratorOptionsError naming the option and what is allowed.
 */
export function resolveOptions(raw: unknown, config: Config = loadConfig().config): GeneratorOptions {
  const parsed = GeneratorInputSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new GeneratorOptionsError(zodMessage(parsed.error), zodIssues(parsed.error));
  const i = parsed.data;
  // The message names the flag as typed; `key` is the option it is about ('' for the input as a whole).
  const fail = (key: keyof GeneratorInput | '', msg: string): never => {
    throw new GeneratorOptionsError(msg, [{ path: key, message: msg }]);
  };

  const type: ServerType = i.type ?? 'tcp';
  const language: GenLanguage = i.language ?? config.defaultLanguage;
  const tcp = type === 'tcp';

  // IO model: explicit, else the configured default if it fits this language, else the language's first.
  let ioModel: string;
  if (i.ioModel !== undefined) {
    const n = normalizeIoModel(language, i.ioModel);
    if (!n) fail('ioModel', `--io-model ${showValue(i.ioModel)} is not available for ${language}; allowed: ${IO_MODELS[language].join(', ')}`);
    // Node's module names stand for the event loop of one protocol each: `net` is TCP, `dgram` is UDP.
    const spelled = i.ioModel.trim().toLowerCase();
    const moduleType = language === 'node' ? ({ net: 'tcp', dgram: 'udp' } as const)[spelled as 'net' | 'dgram'] : undefined;
    if (moduleType && moduleType !== type) {
      fail('ioModel', `--io-model ${spelled} is Node's ${moduleType.toUpperCase()} module, not for --type ${type}; use --io-model ${type === 'tcp' ? 'net' : 'dgram'} or event-loop`);
    }
    ioModel = n as string;
  } else {
    ioModel = normalizeIoModel(language, config.defaultIoModel) ?? IO_MODELS[language][0];
  }

  // Platform: C only.
  const platform: Platform = i.platform ?? 'posix';
  if (language !== 'c' && platform !== 'posix') {
    fail('platform', `--platform ${platform} applies to C only; ${language} servers are portable as written (omit --platform)`);
  }
  if (language === 'c' && !C_PLATFORM_IO_MODELS[platform].includes(ioModel)) {
    if (i.ioModel === undefined && platform !== 'posix') ioModel = 'select';
    else
      fail(
        'ioModel',
        `--io-model ${ioModel} cannot be built for --platform ${platform}; allowed: ${C_PLATFORM_IO_MODELS[platform].join(', ')}` +
          (platform === 'posix' ? '' : ' (Winsock select or WSAPoll)'),
      );
  }

  const handler: Handler = i.handler ?? 'echo';
  if (handler === 'http' && !tcp) fail('handler', '--handler http needs --type tcp (HTTP runs over TCP); allowed with udp: echo');

  // TCP-only options.
  if (!tcp) {
    const tcpOnly: [keyof GeneratorInput, string][] = [
      ['backlog', '--backlog'],
      ['tcpNodelay', '--tcp-nodelay'],
      ['keepalive', '--keepalive'],
      ['maxConnections', '--max-connections'],
      ['idleTimeoutMs', '--idle-timeout'],
    ];
    for (const [k, flag] of tcpOnly) {
      const v = i[k];
      // 0 is "none" for the limits; TCP_NODELAY is refused either way (--no-tcp-nodelay as much as --tcp-nodelay).
      if (k === 'tcpNodelay' && v === false) fail('tcpNodelay', '--no-tcp-nodelay applies to --type tcp only (UDP has no Nagle algorithm to turn off)');
      if (v !== undefined && v !== false && v !== 0) fail(k, `${flag} applies to --type tcp only (UDP has no connections)`);
    }
  }

  // Blocking or not.
  const blockingModel = BLOCKING_IO_MODELS.has(ioModel);
  let nonBlocking = !blockingModel;
  if (i.nonBlocking !== undefined) {
    if (i.nonBlocking && blockingModel)
      fail('nonBlocking', `--non-blocking does not fit --io-model ${ioModel} (one blocking thread per connection); use --io-model asyncio or selectors for non-blocking sockets`);
    if (!i.nonBlocking && !blockingModel)
      fail(
        'ioModel',
        `--io-model ${ioModel} is an event loop and needs non-blocking sockets; ` +
          (language === 'python' ? 'use --io-model threads for blocking sockets' : `${language} servers here are always non-blocking`),
      );
    nonBlocking = i.nonBlocking;
  }

  // Address family.
  let dualStack = i.dualStack ?? false;
  if (dualStack && i.ipv6 === false) fail('dualStack', '--dual-stack needs an IPv6 socket; drop --no-ipv6');
  let ipv6 = i.ipv6 ?? dualStack;
  if (i.bindAddress !== undefined && !isBindAddress(i.bindAddress)) {
    fail('bindAddress', `--bind must be an IP address (e.g. 127.0.0.1, ::1, fe80::1%eth0) or a host name (letters, digits, '-' and '.'), got ${showValue(i.bindAddress)}`);
  }
  if (i.bindAddress !== undefined) {
    if (isIPv6Literal(i.bindAddress)) {
      if (i.ipv6 === false) fail('bindAddress', `--bind ${i.bindAddress} is an IPv6 address but --no-ipv6 was given`);
      // Addresses that every generated server would fail to bind at its first run (EINVAL in C, Python and Node).
      const v4 = mappedIPv4(i.bindAddress);
      // With --dual-stack the socket is not IPv6-only (Linux would bind a mapped address then): the
      // reason is that --dual-stack takes IPv4 only on ::, so do not claim IPV6_V6ONLY=1.
      if (v4 !== null && dualStack)
        fail(
          'bindAddress',
          `--bind ${i.bindAddress} is an IPv4-mapped IPv6 address: --dual-stack accepts IPv4 only on the IPv6 wildcard; ` +
            `bind :: to take IPv4 and IPv6, or ${v4} without --dual-stack for this IPv4 address only`,
        );
      if (v4 !== null)
        fail(
          'bindAddress',
          `--bind ${i.bindAddress} is an IPv4-mapped IPv6 address: the generated IPv6 socket is IPv6-only (IPV6_V6ONLY=1), which cannot bind it (EINVAL); ` +
            `bind ${v4} for IPv4, or :: with --dual-stack to take IPv4 and IPv6`,
        );
      if (isUnzonedLinkLocal(i.bindAddress))
        fail('bindAddress', `--bind ${i.bindAddress} is a link-local address: bind needs its interface (scope id), as in ${i.bindAddress}%eth0 (without it: EINVAL)`);
      ipv6 = true;
    } else if (isIPv4Literal(i.bindAddress) && ipv6) {
      fail('bindAddress', `--bind ${i.bindAddress} is an IPv4 address; with --ipv6/--dual-stack bind :: or an IPv6 address`);
    }
  }
  if (dualStack && i.bindAddress !== undefined && i.bindAddress !== '::') {
    fail('dualStack', `--dual-stack accepts IPv4 only on the IPv6 wildcard; bind :: (got ${i.bindAddress})`);
  }
  if (!ipv6) dualStack = false;
  const bindAddress = i.bindAddress ?? (ipv6 ? '::' : '0.0.0.0');

  // Profile presets.
  const profile: Profile = i.profile ?? 'none';
  let sndbuf = i.sndbuf ?? null;
  let rcvbuf = i.rcvbuf ?? null;
  // TCP_NODELAY is on by default for TCP (echo and request/response servers stall on Nagle + delayed ACK).
  let tcpNodelay = tcp ? (i.tcpNodelay ?? true) : false;
  let quickack = false;
  if (profile === 'throughput') {
    sndbuf ??= THROUGHPUT_SOCKET_BUFFER;
    rcvbuf ??= THROUGHPUT_SOCKET_BUFFER;
    if (tcp) {
      if (i.tcpNodelay === false) fail('profile', '--profile throughput turns TCP_NODELAY on; drop --no-tcp-nodelay or the profile');
      tcpNodelay = true;
    }
  } else if (profile === 'latency') {
    if (!tcp) fail('profile', '--profile latency sets TCP_NODELAY and TCP_QUICKACK, which are TCP options; allowed with udp: --profile throughput or none');
    if (language === 'c' && platform === 'windows') fail('profile', '--profile latency needs TCP_QUICKACK (Linux only); with --platform windows drop the profile (TCP_NODELAY, --tcp-nodelay, is on by default), or use --platform portable/posix');
    if (language === 'node') fail('profile', "--profile latency needs TCP_QUICKACK, which Node's net module cannot set; drop the profile (TCP_NODELAY, --tcp-nodelay, is on by default), or use --language c/python");
    if (i.tcpNodelay === false) fail('profile', '--profile latency turns TCP_NODELAY on; drop --no-tcp-nodelay or the profile');
    tcpNodelay = true;
    quickack = true;
  }
  if (language === 'node' && tcp && (sndbuf !== null || rcvbuf !== null)) {
    // The buffers come from --sndbuf/--rcvbuf (each one given is at fault) or from --profile throughput.
    const msg =
      "Node's net module cannot set SO_SNDBUF/SO_RCVBUF on TCP sockets" +
      (profile === 'throughput' ? ' (needed by --profile throughput); drop the profile (TCP_NODELAY is on by default), or use --language c/python' : '; drop --sndbuf/--rcvbuf, or use --language c/python, or --type udp');
    const keys = (['sndbuf', 'rcvbuf'] as const).filter((k) => i[k] !== undefined);
    throw new GeneratorOptionsError(msg, (keys.length ? keys : ['profile' as const]).map((path) => ({ path, message: msg })));
  }

  // Keepalive. Node's setKeepAlive() sets the idle time only; libuv (Node 20) sets TCP_KEEPINTVL 1 s and TCP_KEEPCNT 10 itself.
  const ka = i.keepalive;
  if (ka && language === 'node' && (ka.interval !== undefined || ka.count !== undefined))
    fail('keepalive', `--keepalive ${ka.idle},${ka.interval ?? ''},${ka.count ?? ''}: Node sets only the idle time (libuv fixes the probes at ${NODE_KEEPALIVE.interval} s apart, ${NODE_KEEPALIVE.count} of them); use --keepalive ${ka.idle}, or --language c/python`);
  if (ka && language !== 'node' && (ka.interval === undefined || ka.count === undefined))
    fail('keepalive', `--keepalive needs IDLE,INTERVAL,COUNT for ${language} (e.g. ${ka.idle},10,5); IDLE alone is for --language node`);
  const keepalive = ka ? { idle: ka.idle, interval: ka.interval ?? NODE_KEEPALIVE.interval, count: ka.count ?? NODE_KEEPALIVE.count } : null;
  const reusePort = i.reusePort ?? false;
  if (reusePort && language === 'c' && platform === 'windows') {
    fail('reusePort', '--reuse-port: Windows has no SO_REUSEPORT (SO_REUSEADDR there lets other processes steal the port); allowed platforms: posix, portable (Unix side only)');
  }

  // Fixed pools: select() and the Python threads server.
  const maxConnections = i.maxConnections ?? 0;
  if (language === 'c' && ioModel === 'select' && tcp) {
    if (maxConnections > SELECT_MAX_CONNECTIONS)
      fail('maxConnections', `--max-connections ${maxConnections} is more than select() can watch (FD_SETSIZE 1024); allowed: 1-${SELECT_MAX_CONNECTIONS}, or use --io-model poll/epoll`);
  }
  if (language === 'python' && ioModel === 'threads' && tcp && maxConnections > PYTHON_THREADS_MAX)
    fail('maxConnections', `--max-connections ${maxConnections} is more than the threads server's pool (${PYTHON_THREADS_MAX} threads, one per connection); allowed: 1-${PYTHON_THREADS_MAX}, or use --io-model asyncio/selectors`);

  const backlog = i.backlog ?? DEFAULT_BACKLOG;
  // UDP reads a datagram at a time: the buffer is the longest datagram served (longer ones are dropped
  // and reported, never cut short). The configured TCP read size does not apply: 65536 holds any datagram.
  if (!tcp && i.bufferSize !== undefined && i.bufferSize > UDP_BUFFER_SIZE)
    fail(
      'bufferSize',
      `--buffer-size ${i.bufferSize} is more than a UDP datagram can carry (65507 bytes over IPv4, 65527 over IPv6); ` +
        `allowed with udp: 512-${UDP_BUFFER_SIZE} (the longest datagram served; longer ones are dropped and reported)`,
    );
  const bufferSize = i.bufferSize ?? (tcp ? config.bufferSize : UDP_BUFFER_SIZE);

  return {
    type,
    language,
    ioModel,
    handler,
    port: i.port ?? DEFAULT_PORT,
    bindAddress,
    ipv6,
    dualStack,
    backlog,
    bufferSize,
    sndbuf,
    rcvbuf,
    nonBlocking,
    tcpNodelay,
    quickack,
    reusePort,
    keepalive,
    maxConnections,
    idleTimeoutMs: i.idleTimeoutMs ?? defaultIdleTimeoutMs({ type, language, ioModel }),
    gracefulShutdownMs: i.gracefulShutdownMs ?? DEFAULT_GRACEFUL_MS,
    comments: i.comments ?? config.generateComments,
    profile,
    platform,
  };
}

/** The CLI flags that reproduce these options (only those that differ from the defaults), for headers. */
export function optionsToArgs(o: GeneratorOptions): string[] {
  const a: string[] = ['--type', o.type, '--language', o.language, '--io-model', o.ioModel];
  if (o.handler !== 'echo') a.push('--handler', o.handler);
  if (o.language === 'c' && o.platform !== 'posix') a.push('--platform', o.platform);
  a.push('--port', String(o.port));
  const defaultBind = o.ipv6 ? '::' : '0.0.0.0';
  if (o.bindAddress !== defaultBind) a.push('--bind', o.bindAddress);
  if (o.dualStack) a.push('--dual-stack');
  else if (o.ipv6 && o.bindAddress === '::') a.push('--ipv6');
  if (o.type === 'tcp' && o.backlog !== DEFAULT_BACKLOG) a.push('--backlog', String(o.backlog));
  if (o.type === 'tcp' || o.bufferSize !== UDP_BUFFER_SIZE) a.push('--buffer-size', String(o.bufferSize));
  if (o.profile !== 'none') a.push('--profile', o.profile);
  const presetBuf = o.profile === 'throughput' ? THROUGHPUT_SOCKET_BUFFER : null;
  if (o.sndbuf !== null && o.sndbuf !== presetBuf) a.push('--sndbuf', String(o.sndbuf));
  if (o.rcvbuf !== null && o.rcvbuf !== presetBuf) a.push('--rcvbuf', String(o.rcvbuf));
  if (o.type === 'tcp' && !o.tcpNodelay) a.push('--no-tcp-nodelay');
  if (o.reusePort) a.push('--reuse-port');
  if (o.keepalive) a.push('--keepalive', o.language === 'node' ? String(o.keepalive.idle) : `${o.keepalive.idle},${o.keepalive.interval},${o.keepalive.count}`);
  if (o.maxConnections) a.push('--max-connections', String(o.maxConnections));
  if (o.type === 'tcp' && o.idleTimeoutMs !== defaultIdleTimeoutMs(o)) a.push('--idle-timeout', String(o.idleTimeoutMs));
  if (o.gracefulShutdownMs !== DEFAULT_GRACEFUL_MS) a.push('--graceful-shutdown', String(o.gracefulShutdownMs));
  if (!o.comments) a.push('--no-comments');
  return a;
}
