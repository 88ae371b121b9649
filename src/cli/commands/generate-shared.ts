// Flags and output handling shared by generate-server and generate-tcp-server: flags -> GeneratorInput,
// then --stdout / --json / atomic write (never overwriting without --force or a confirmation).
import type { Argv } from 'yargs';
import { loadCliConfig } from '../../config/resolve.js';
import type { GenerateResult, GeneratorInput } from '../../codegen/index.js';
import type * as CodegenOptions from '../../codegen/options.js';
import { BOUNDED_POOL_IDLE_TIMEOUT_MS, GEN_LANGUAGES, nextStepLines } from '../../codegen/languages.js';
import { directoriesAmong, directoryOutputMessage, existingFiles, specialFileMessage, specialFilesAmong } from '../../codegen/output-target.js';
import { FileExistsError, missingDirectories, writeFilesAtomic } from '../../codegen/write.js';
import { nodeHasReusePort, nodeReusePortWarning } from '../../codegen/node-reuse-port.js';
import { cameFromNonUtf8Word } from '../../collect/argv-bytes.js';
import { UsageError, briefWord } from '../errors.js';
import { givenOnce } from '../given-once.js';
import { printJson } from '../options.js';
import { escapeMessage } from '../../model/escape.js';
import { confirmOverwrite } from './overwrite-question.js';

// codegen/options.ts's lists (the types keep them equal): flags and --help without loading the generator,
// whose option schemas, renderer (eta) and templates load in generateOrUsage (dynamic import). The
// languages and their default file names come from codegen/languages.ts, which is data only.
const SERVER_TYPES: typeof CodegenOptions.SERVER_TYPES = ['tcp', 'udp'];
const HANDLERS: typeof CodegenOptions.HANDLERS = ['echo', 'http'];
const PROFILES: typeof CodegenOptions.PROFILES = ['none', 'throughput', 'latency'];
const PLATFORMS: typeof CodegenOptions.PLATFORMS = ['posix', 'windows', 'portable'];

export interface GenerateArgs {
  type?: string;
  language?: string;
  'io-model'?: string;
  handler?: string;
  port?: string;
  bind?: string;
  ipv6?: boolean;
  'dual-stack'?: boolean;
  backlog?: string;
  'buffer-size'?: string;
  sndbuf?: string;
  rcvbuf?: string;
  'non-blocking'?: boolean;
  'tcp-nodelay'?: boolean;
  'reuse-port'?: boolean;
  keepalive?: string;
  'max-connections'?: string;
  'idle-timeout'?: string;
  'graceful-shutdown'?: string;
  comments?: boolean;
  profile?: string;
  platform?: string;
  output?: string;
  stdout?: boolean;
  json?: boolean;
  force?: boolean;
}

/**
 * --output must name one file (given twice: refused before the handler, main.ts), and the two ways to print (--stdout) and to write (--output)
 * are not mixed. Empty and directory paths are the generator's to refuse (options.ts checkOutputPath).
 */
function checkOutputFlags(argv: { output?: unknown; stdout?: unknown }): void {
  if (argv.stdout && argv.output !== undefined)
    throw new UsageError('--stdout and --output are exclusive: --stdout prints the code, --output writes it to a file (add --json to print a document as well)');
}

/**
 * generate-tcp-server is generate-server --type tcp: --type tcp is accepted (README and scripts spell it
 * so), anything else is refused with where to go instead.
 */
function checkFixedType(type: unknown, fixedType: 'tcp'): void {
  if (type === undefined || type === fixedType) return;
  if (type === 'udp') throw new UsageError('generate-tcp-server makes TCP servers; for --type udp use generate-server --type udp');
  throw new UsageError(`--type must be tcp for generate-tcp-server, got ${briefWord(Array.isArray(type) ? type.join(' ') : String(type), JSON.stringify)}`);
}

/** Adds every generator flag; with `fixedType` (generate-tcp-server) --type may only repeat it. */
export function withGenerateFlags<T>(y: Argv<T>, fixedType?: 'tcp') {
  const a = y.option('type', {
    type: 'string',
    // generate-tcp-server: its one type as the choices (help and completion list it), checked in coerce, which
    // runs before yargs' choices check, so --type udp is told where to go instead.
    ...(fixedType
      ? { choices: [fixedType], coerce: (v: unknown) => (checkFixedType(v, fixedType), v), describe: `${fixedType} only (the default; UDP: generate-server --type udp)` }
      : { choices: SERVER_TYPES, describe: 'tcp or udp (default tcp)' }),
  }) as unknown as Argv<T>;
  return a
    .option('language', { type: 'string', choices: GEN_LANGUAGES, describe: 'c, python or node (default: config defaultLanguage)' })
    .option('io-model', {
      type: 'string',
      describe: 'c: epoll|poll|select|kqueue|io_uring; python: asyncio|selectors|threads; node: event-loop (net/dgram)',
    })
    .option('handler', { type: 'string', choices: HANDLERS, describe: 'echo (default) or http (HTTP/1.1 keep-alive responder, for wrk)' })
    .option('port', { type: 'string', describe: 'Port to listen on, 0-65535 (default 8080; 0 = any, printed at start)' })
    .option('bind', { type: 'string', describe: 'Address to bind (default 0.0.0.0, or :: with --ipv6)' })
    .option('ipv6', { type: 'boolean', describe: 'IPv6 socket (IPV6_V6ONLY=1 unless --dual-stack)' })
    .option('dual-stack', { type: 'boolean', describe: 'IPv6 socket on :: that also accepts IPv4' })
    .option('backlog', { type: 'string', describe: 'listen() backlog (TCP; capped by net.core.somaxconn; default 511)' })
    .option('buffer-size', { type: 'string', describe: 'Read buffer bytes (TCP default: config bufferSize / DEFAULT_BUFFER_SIZE / 65536); UDP: the longest datagram served, longer ones dropped (default and at most 65536)' })
    .option('sndbuf', { type: 'string', describe: 'SO_SNDBUF bytes (only when given; disables autotuning)' })
    .option('rcvbuf', { type: 'string', describe: 'SO_RCVBUF bytes (only when given; disables autotuning)' })
    .option('non-blocking', { type: 'boolean', describe: 'Non-blocking sockets (event loops need them; python threads do not use them)' })
    .option('tcp-nodelay', { type: 'boolean', describe: 'TCP_NODELAY on each accepted connection (default on for TCP; --no-tcp-nodelay keeps Nagle)' })
    .option('reuse-port', { type: 'boolean', describe: 'SO_REUSEPORT (several processes share the port)' })
    .option('keepalive', { type: 'string', describe: 'TCP keepalive IDLE,INTERVAL,COUNT (seconds, seconds, probes), e.g. 60,10,5; Node: IDLE only' })
    .option('max-connections', { type: 'string', describe: 'Close connections beyond this many (0 = no limit)' })
    .option('idle-timeout', { type: 'string', describe: `Close connections idle this many ms (0 = never; default 0, or ${BOUNDED_POOL_IDLE_TIMEOUT_MS} for C select and Python threads, whose connection count is bounded)` })
    .option('graceful-shutdown', { type: 'string', describe: 'On SIGTERM/SIGINT flush for at most this many ms, then exit 0 (default 1500)' })
    .option('comments', { type: 'boolean', describe: 'Explanatory comments (default: config generateComments; --no-comments)' })
    .option('profile', { type: 'string', choices: PROFILES, describe: 'throughput (1 MiB SO_SNDBUF/SO_RCVBUF + TCP_NODELAY) or latency (TCP_NODELAY + TCP_QUICKACK, Linux)' })
    .option('platform', { type: 'string', choices: PLATFORMS, describe: 'C only: posix (default), windows (Winsock) or portable (#ifdef _WIN32)' })
    .option('output', { type: 'string', alias: 'o', describe: 'File to write (default server.c / server.py / server.mjs)' })
    .option('stdout', { type: 'boolean', describe: 'Print the code instead of writing a file' })
    .option('json', { type: 'boolean', describe: 'Print {files, buildCommand, buildNote, runCommand, options} (writes only with --output, then adds written and createdDirectories)' })
    .option('force', { type: 'boolean', describe: 'Overwrite an existing file' })
    .check((argv) => {
      if (argv.stdout && argv.json) throw new UsageError('--stdout and --json are exclusive: --stdout prints the code, --json prints it inside a JSON document');
      checkOutputFlags(argv);
      if (fixedType) checkFixedType(argv.type, fixedType);
      return true;
    });
}

/** Byte sizes take k/M suffixes (64k, 1M, 64KiB); counts, ports and milliseconds are plain digits (--port 8k was 8192). */
const SIZE_FLAGS = new Set(['buffer-size', 'sndbuf', 'rcvbuf']);

/**
 * A number flag's value; its range is the generator's (options.ts rangeRefusals, checked in generateOrUsage with the text
 * given, so the message quotes `70M`, not 73400320). `typed` collects that text under the option's key.
 */
function int(flag: string, v: string | undefined, typed?: Record<string, string>, key?: string): number | undefined {
  if (v === undefined) return undefined;
  const sized = SIZE_FLAGS.has(flag);
  // Given twice, yargs passes an array, which String() made the "whole number" "1,2".
  const t = String(givenOnce(flag, v, flag === 'port' ? 'one port' : sized ? 'one size' : 'one number')).trim();
  const m = (sized ? /^(\d+)\s*([kKmM](?:i?[bB])?)?$/ : /^(\d+)()$/).exec(t);
  if (!m) throw new UsageError(`--${flag} must be a whole number${sized ? ' (suffix k or M allowed)' : ''}, got "${t}"`);
  const unit = (m[2] ?? '').toLowerCase()[0];
  const n = Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
  if (typed && key) typed[key] = t;
  return n;
}

/** Flags -> GeneratorInput (only what was given; the rest comes from config and defaults). */
export function argsToInput(a: GenerateArgs, fixedType?: 'tcp'): GeneratorInput {
  return argsToTypedInput(a, fixedType).input;
}

/** argsToInput, and each number as it was typed (option key, or keepalive.idle/interval/count), for range messages. */
export function argsToTypedInput(a: GenerateArgs, fixedType?: 'tcp'): { input: GeneratorInput; typed: Record<string, string> } {
  const typed: Record<string, string> = {};
  let keepalive: GeneratorInput['keepalive'];
  if (a.keepalive !== undefined) {
    const m = /^\s*(\d+)\s*(?:[,/:]\s*(\d+)\s*[,/:]\s*(\d+)\s*)?$/.exec(a.keepalive);
    if (!m) throw new UsageError(`--keepalive must be IDLE,INTERVAL,COUNT (e.g. 60,10,5), or IDLE alone for --language node, got "${a.keepalive}"`);
    keepalive = m[2] === undefined ? { idle: Number(m[1]) } : { idle: Number(m[1]), interval: Number(m[2]), count: Number(m[3]) };
    Object.assign(typed, { 'keepalive.idle': m[1] }, m[2] === undefined ? {} : { 'keepalive.interval': m[2], 'keepalive.count': m[3] });
  }
  const input: GeneratorInput = {
    type: (fixedType ?? a.type) as GeneratorInput['type'],
    language: a.language as GeneratorInput['language'],
    ioModel: a['io-model'],
    handler: a.handler as GeneratorInput['handler'],
    port: int('port', a.port, typed, 'port'),
    bindAddress: a.bind,
    ipv6: a.ipv6,
    dualStack: a['dual-stack'],
    backlog: int('backlog', a.backlog, typed, 'backlog'),
    bufferSize: int('buffer-size', a['buffer-size'], typed, 'bufferSize'),
    sndbuf: int('sndbuf', a.sndbuf, typed, 'sndbuf'),
    rcvbuf: int('rcvbuf', a.rcvbuf, typed, 'rcvbuf'),
    nonBlocking: a['non-blocking'],
    tcpNodelay: a['tcp-nodelay'],
    reusePort: a['reuse-port'],
    keepalive,
    maxConnections: int('max-connections', a['max-connections'], typed, 'maxConnections'),
    idleTimeoutMs: int('idle-timeout', a['idle-timeout'], typed, 'idleTimeoutMs'),
    gracefulShutdownMs: int('graceful-shutdown', a['graceful-shutdown'], typed, 'gracefulShutdownMs'),
    comments: a.comments,
    profile: a.profile as GeneratorInput['profile'],
    platform: a.platform as GeneratorInput['platform'],
  };
  for (const k of Object.keys(input) as (keyof GeneratorInput)[]) if (input[k] === undefined) delete input[k];
  return { input, typed };
}

/** Builds the result or throws UsageError (exit 2) with the generator's message; a number out of range is quoted as `typed` has it. */
export async function generateOrUsage(input: GeneratorInput, output?: string, typed: Record<string, string> = {}, write = false): Promise<GenerateResult> {
  const { generateServer, GeneratorOptionsError, rangeRefusals } = await import('../../codegen/index.js');
  const refused = rangeRefusals(input, typed);
  if (refused.length) throw new UsageError(refused.join('; '));
  try {
    return generateServer(input, { output, write, config: (await loadCliConfig()).config });
  } catch (e) {
    if (e instanceof GeneratorOptionsError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * What to tell the user after writing: build, run, watch (and which directories the write created). The lines that
 * name paths for reading are escaped as the wizard's last screen shows them: a created directory is named absolute, so
 * the current directory's name (system text: `/tmp/esc\x1b[7mX`) is in it, and it reached the terminal raw
 * (generate-server, and `sockscope generate` after the wizard closed). The commands to copy (Build, its Note, Run) are
 * printed as the generated file's header and --json's buildCommand/runCommand have them, so that the shell reads back
 * the paths written: escaped, a path holding an invisible character (U+200B) printed `cc ... -o './zw\u200bx'
 * 'zw\u200bx.c'`, which names another file inside single quotes. They hold only --output's path, which the generator
 * refuses with a control character in it (options.ts): nothing in them can drive the terminal.
 */
export function nextSteps(r: GenerateResult, createdDirs: string[] = []): string {
  return nextStepLines(r, createdDirs)
    .map((l) => (l.kind === 'build' || l.kind === 'run' ? l.text : escapeMessage(l.text)))
    .join('\n');
}

/**
 * Why an --output whose bytes were not UTF-8 is refused (collect/argv-bytes.ts): Node read it with U+FFFD and
 * would write a file under that other name (caf\xEF\xBF\xBD.c for caf\xe9.c). The task command says it too.
 */
export function nonUtf8OutputMessage(path: string): string {
  return `--output ${path} is not valid UTF-8 (Node decodes command-line words as UTF-8, with U+FFFD for such bytes, so a file of another name would be written); choose a UTF-8 name (or rename the file)`;
}

/** The handler body of generate-server / generate-tcp-server. */
export async function runGenerate(a: GenerateArgs, fixedType?: 'tcp'): Promise<void> {
  const { input, typed } = argsToTypedInput(a, fixedType);
  // Without --output, --stdout and --json (alone) write nothing, so the default name is not judged as a target.
  const writes = !a.stdout && !(a.json && a.output === undefined);
  const r = await generateOrUsage(input, a.output, typed, writes);
  // Generated all the same (the file may run on another machine), but said: on this node the server would exit 1.
  if (r.options.language === 'node' && r.options.reusePort && !nodeHasReusePort(process.version)) process.stderr.write(`sockscope: ${nodeReusePortWarning(process.version)}\n`);
  if (a.stdout) {
    if (r.files.length === 1) process.stdout.write(r.files[0].content);
    else for (const f of r.files) process.stdout.write(`==> ${f.path} <==\n${f.content}\n`);
    return;
  }
  if (a.json && a.output === undefined) {
    printJson(r);
    return;
  }
  // A name that was not UTF-8 on the command line reached us with U+FFFD: writing it would create another name.
  if (a.output !== undefined && cameFromNonUtf8Word(a.output)) throw new UsageError(nonUtf8OutputMessage(a.output));
  // A directory is never replaced, not even with --force (rename() would fail with EISDIR after the rest).
  const dirs = directoriesAmong(r.files);
  if (dirs.length) throw new UsageError(directoryOutputMessage(dirs[0], r.options.language));
  // Nor a device, FIFO or socket (/dev/null run as root became a regular file): before the question, which --force would skip.
  const special = specialFilesAmong(r.files);
  if (special.length) throw new UsageError(specialFileMessage(special[0].path, special[0].kind));
  let force = a.force ?? false;
  if (!force) {
    const exist = existingFiles(r.files);
    if (exist.length) {
      const answer = a.json ? false : await confirmOverwrite(exist);
      if (answer === 'interrupted') {
        // Ctrl-C at the question: nothing written, exit 130 as an interrupted command (the wizard does the same).
        process.stderr.write('\ninterrupted, nothing written\n');
        process.exitCode = 130;
        return;
      }
      if (answer) force = true;
      else throw new UsageError(`${exist.join(', ')} already exist${exist.length === 1 ? 's' : ''}; pass --force to overwrite (or --output another file)`);
    }
  }
  // Missing directories are created (and removed again if the write fails); the output says which.
  const createdDirs = missingDirectories(r.files);
  try {
    writeFilesAtomic(r.files, { force });
  } catch (e) {
    if (e instanceof FileExistsError) throw new UsageError(e.message);
    throw e;
  }
  // The directories the write created (absolute) are named here as the text output names them.
  if (a.json) printJson({ ...r, written: r.files.map((f) => f.path), createdDirectories: createdDirs });
  else process.stdout.write(`${nextSteps(r, createdDirs)}\n`);
}
