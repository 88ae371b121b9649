// Renders a server from resolved options: picks the variant from the registry, renders its eta
// templates (autoEscape off) with the TemplateContext below, and returns files + build/run commands.
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { Eta } from 'eta';
import { findTemplatesDir, findVariant, type CommentStyle, type ResolvedVariant } from './registry.js';
import { watchCommand } from './languages.js';
import { isDirectoryNotLink, specialFileMessage, specialKind, specialPhrase } from './output-target.js';
import { nodeOutputProblem, pythonOutputProblem } from './output-name.js';
import { checkOutputPath, defaultIdleTimeoutMs, GeneratorOptionsError, hasBoundedPool, optionsToArgs, PYTHON_THREADS_MAX, type GeneratorOptions } from './options.js';

/** sockscope version written into headers (kept in step with package.json by a test). */
export const GENERATOR_VERSION = '0.1.0';

/** Bytes the http handler answers every request with (body). */
export const HTTP_BODY = 'ok\n';
/** Largest request head the http handler accepts before answering 431 and closing. */
export const HTTP_MAX_HEAD = 8192;

/**
 * What every template sees as `it` (the C engineer writes templates against this; keep it stable,
 * add fields rather than change them):
 *
 *   it.o                GeneratorOptions, every option decided (see options.ts): type, language, ioModel,
 *                       handler, port, bindAddress, ipv6, dualStack, backlog, bufferSize, sndbuf|null,
 *                       rcvbuf|null, nonBlocking, tcpNodelay, quickack, reusePort, keepalive|null
 *                       ({idle, interval, count} seconds/count), maxConnections (0 = no limit),
 *                       idleTimeoutMs (0 = never), gracefulShutdownMs, comments, profile, platform.
 *   it.comments         same as it.o.comments: wrap explanatory comments in `<% if (it.comments) { %>`.
 *   it.headerComment    the header block already in this language's comment syntax, ending in "\n".
 *                       Every template MUST start with `<%~ it.headerComment %>` (render() checks it).
 *   it.headerLines      the same header as plain lines (no comment markers).
 *   it.regenerate       the sockscope command line that regenerates this output.
 *   it.buildCommand     shell command that builds the output, or null.
 *   it.runCommand       shell command that runs it.
 *   it.file             {path, name, stem} of the file being rendered; it.files: every output path.
 *   it.isTcp, it.isUdp, it.isHttp   shorthands.
 *   it.family           'AF_INET' or 'AF_INET6' (it.o.ipv6).
 *   it.v6only           when ipv6: true unless dualStack (set IPV6_V6ONLY explicitly both ways).
 *   it.udpBufferSize    the UDP read buffer: bufferSize (65536 unless --buffer-size asked for less, to drop longer
 *                       datagrams; resolveOptions refuses more). Kept for templates written against it.
 *   it.http             {body, contentLength, maxHead, response}: the http handler's fixed answer;
 *                       response is the full 200 response for a keep-alive request (CRLFs included).
 *   it.pythonThreadsMax the Python threads server's pool without --max-connections (options.ts PYTHON_THREADS_MAX,
 *                       which is also the largest --max-connections it accepts).
 *   it.str(s)           s as a double-quoted string literal (JSON escaping; valid in C, Python, JS for ASCII).
 *   it.version          sockscope version.
 *
 * Eta settings: tags <% %>, `<%=` and `<%~` both print raw (autoEscape off), no automatic trimming:
 * write control lines as `<% if (x) { -%>` alone on a line at column 0 (`-%>` drops the newline).
 * Partials: `<%~ include('./_part.eta', it) %>` relative to the including template.
 *
 * Explanatory comments: a line whose code starts with `#? ` or `//? ` (after indentation), or a line
 * ending in ` #? text` / ` //? text`, is an explanation: with comments on the `?` is removed, with
 * comments off the comment (whole line, or the trailing part) is dropped. Use them for everything
 * that explains; plain comments stay in the output always (keep those for the header and markers).
 */
export interface TemplateContext {
  o: GeneratorOptions;
  comments: boolean;
  headerComment: string;
  headerLines: string[];
  regenerate: string;
  buildCommand: string | null;
  runCommand: string;
  file: { path: string; name: string; stem: string };
  files: string[];
  isTcp: boolean;
  isUdp: boolean;
  isHttp: boolean;
  family: 'AF_INET' | 'AF_INET6';
  v6only: boolean;
  udpBufferSize: number;
  http: { body: string; contentLength: number; maxHead: number; response: string };
  pythonThreadsMax: number;
  str: (s: string) => string;
  version: string;
}

/** What buildCommand/runCommand strings in manifests see as `it`. */
export interface CommandContext {
  o: GeneratorOptions;
  /** Main output file path. */
  main: string;
  /** Every output file path. */
  files: string[];
  /** Output path without extension (for binaries: `gcc -o <%= it.q(it.exe) %>`). */
  exe: string;
  /** Shell-quotes a path when needed (POSIX sh). */
  q: (s: string) => string;
  /** Quotes a path for cmd.exe when needed (a command the note says to run on Windows: `cl`). */
  wq: (s: string) => string;
}

export interface GeneratedFile {
  path: string;
  content: string;
}

/** The generator's result: what --json prints. */
export interface GenerateResult {
  files: GeneratedFile[];
  buildCommand: string | null;
  /** Where buildCommand is not the whole story (kqueue on Linux needs libkqueue; the portable file on Windows), or null. */
  buildNote: string | null;
  runCommand: string;
  options: GeneratorOptions;
}

export interface RenderTarget {
  /** Output path of the main file (--output). Default server.<ext> in the current directory. */
  output?: string;
  /**
   * The files will be written under these names even without `output` (the CLI's default write of server.<ext>): the
   * names the writers never write (specialKind) are checked then as for a given output. Without either, nothing is
   * written to the default name (--stdout, --json, a task or library call without output), so it is not judged.
   */
  write?: boolean;
  /** Override of the templates root (tests). */
  templatesDir?: string;
}

/**
 * Quotes for cmd.exe: double quotes around a path with a space or one of cmd's special characters (a Windows file
 * name cannot hold `"`); '...' is no quoting there. `%` is left as is (cmd expands %NAME% even inside quotes).
 */
export function cmdQuote(s: string): string {
  return /[\s&|<>^(),;=]/.test(s) ? `"${s}"` : s;
}

/**
 * Quotes for POSIX shells only when the string has characters the shell would interpret. `*\/` and `/*` never stand
 * in the quoted text: the quote is closed between the two characters (`'x*''/y.c'`, which the shell reads as x*\/y.c),
 * so the C header's block comment keeps the real path (blockCommentSafe's space made it `'x* /y.c'`, another file).
 */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`).replace(/\*(?=\/)|\/(?=\*)/g, (c) => `${c}''`)}'`;
}

/**
 * Text that can sit inside a C block comment: `*\/` would end it and `/*` is -Wcomment (an error under
 * -Werror), so a space goes between the two characters (repeated: `*\/*` needs two).
 */
function blockCommentSafe(l: string): string {
  let out = l;
  while (/\/\*|\*\//.test(out)) out = out.replace(/\/\*|\*\//g, (m) => `${m[0]} ${m[1]}`);
  return out;
}

function commentBlock(style: CommentStyle, lines: string[]): string {
  switch (style) {
    case 'hash':
      return lines.map((l) => (l ? `# ${l}` : '#')).join('\n') + '\n';
    case 'slash':
      return lines.map((l) => (l ? `// ${l}` : '//')).join('\n') + '\n';
    case 'block':
      return ['/*', ...lines.map((l) => (l ? ` * ${blockCommentSafe(l)}` : ' *')), ' */'].join('\n') + '\n';
  }
}

function describe(o: GeneratorOptions): string {
  const lang = o.language === 'c' ? `C (${o.platform})` : o.language === 'python' ? 'Python 3' : 'Node.js';
  const what = o.handler === 'http' ? 'HTTP/1.1 keep-alive' : 'echo';
  return `${o.type.toUpperCase()} ${what} server, ${lang}, io model ${o.ioModel}`;
}

function optionSummary(o: GeneratorOptions): string[] {
  const parts: string[] = [
    `port=${o.port}`,
    `bind=${o.bindAddress}`,
    `ipv6=${o.ipv6}`,
    `dualStack=${o.dualStack}`,
    ...(o.type === 'tcp' ? [`backlog=${o.backlog}`] : []),
    `bufferSize=${o.bufferSize}`,
    `sndbuf=${o.sndbuf ?? 'default'}`,
    `rcvbuf=${o.rcvbuf ?? 'default'}`,
    `nonBlocking=${o.nonBlocking}`,
    ...(o.type === 'tcp' ? [`tcpNodelay=${o.tcpNodelay}`, `quickack=${o.quickack}`] : []),
    `reusePort=${o.reusePort}`,
    ...(o.type === 'tcp'
      ? [
          `keepalive=${o.keepalive ? `${o.keepalive.idle}s/${o.keepalive.interval}s/${o.keepalive.count}` : 'off'}`,
          `maxConnections=${o.maxConnections || 'unlimited'}`,
          `idleTimeoutMs=${o.idleTimeoutMs || 'off'}`,
        ]
      : []),
    `gracefulShutdownMs=${o.gracefulShutdownMs}`,
    `profile=${o.profile}`,
    `comments=${o.comments}`,
  ];
  // Wrap at ~90 columns.
  const lines: string[] = [];
  let cur = 'Options:';
  for (const p of parts) {
    if (cur.length + 1 + p.length > 90) {
      lines.push(cur);
      cur = '  ' + p;
    } else cur += ' ' + p;
  }
  lines.push(cur);
  return [...lines, ...idleTimeoutNote(o)];
}

/**
 * For io models with a fixed number of slots (select, Python threads): why idle connections close by
 * default, or that they hold their slot for ever with --idle-timeout 0.
 */
function idleTimeoutNote(o: GeneratorOptions): string[] {
  if (o.type !== 'tcp' || !hasBoundedPool(o)) return [];
  const pool = o.language === 'c' ? 'select() watches at most FD_SETSIZE sockets' : 'at most MAX_THREADS connections are served at once';
  if (o.idleTimeoutMs === 0) return wrapWords(`Idle timeout off (--idle-timeout 0): ${pool}, so idle clients can lock every other client out.`);
  if (o.idleTimeoutMs !== defaultIdleTimeoutMs(o)) return [];
  return wrapWords(
    `Idle connections close after ${o.idleTimeoutMs / 1000} s, the default for this io model: ${pool}, ` +
      'so idle clients could lock every other client out. --idle-timeout MS changes it; --idle-timeout 0 turns it off.',
  );
}

/** Words wrapped at ~90 columns. */
function wrapWords(text: string, width = 90): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(' ')) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  return [...lines, cur];
}

let etaInstance: Eta | null = null;
let etaRoot = '';
function eta(templatesDir: string): Eta {
  if (!etaInstance || etaRoot !== templatesDir) {
    etaInstance = new Eta({ views: templatesDir, autoEscape: false, autoTrim: false, cache: true, defaultExtension: '.eta' });
    etaRoot = templatesDir;
  }
  return etaInstance;
}

const cmdEta = new Eta({ autoEscape: false, autoTrim: false });

/** Renders the server for already-resolved options. */
export function renderServer(o: GeneratorOptions, target: RenderTarget = {}): GenerateResult {
  const templatesDir = target.templatesDir ?? findTemplatesDir();
  const variant: ResolvedVariant | null = findVariant(o, templatesDir);
  if (!variant) {
    const platform = o.language === 'c' ? ` --platform ${o.platform}` : '';
    throw new GeneratorOptionsError(
      `no template yet for --language ${o.language} --io-model ${o.ioModel} --type ${o.type} --handler ${o.handler}${platform}`,
    );
  }

  // Output paths: the main file is exactly --output; other files share its stem.
  const firstName = variant.files[0].name;
  const defaultMain = firstName.replace('{stem}', 'server');
  const main = target.output ?? defaultMain;
  checkOutputPath(main, defaultMain);
  const dir = dirname(main);
  // A name that is only an extension (".c", "dir/.py") has no stem: its companions and binary are named "server".
  const base = basename(main);
  const ext = extname(main) || (/^\.[^.]+$/.test(base) ? base : '');
  const stem = (ext === base ? '' : basename(main, ext)) || 'server';
  const paths = variant.files.map((f, k) => (k === 0 ? main : join(dir, f.name.replace('{stem}', stem))));
  const exePath = join(dir, stem);
  const outputError = (msg: string) => new GeneratorOptionsError(msg, [{ path: 'output', message: msg }]);
  // What is wrong with the name itself, if anything. A C file must end in .c: cc reads any other name as a linker
  // script (or, for .C/.cc, compiles it as C++), and without an extension the binary (its stem) would be the file
  // itself. (A directory there is refused by the writers, in their words: "a is a directory"; a symbolic link to one
  // is not a directory to them, so not here either.)
  const isDir = isDirectoryNotLink(main);
  let nameProblem: string | undefined;
  if (isDir) nameProblem = undefined;
  else if (variant.buildCommand && !base.endsWith('.c'))
    nameProblem = `a C server's file needs the .c extension (cc reads another name as a linker script or as C++, and without one the binary it builds would have the file's own name); e.g. ${join(dir, stem)}.c`;
  else if (o.language === 'node') nameProblem = nodeOutputProblem(main, base);
  else if (o.language === 'python') nameProblem = pythonOutputProblem(o.ioModel, main, base);
  // A name the writers never write (a device, a FIFO, a socket, a link to one, a new name under /dev outside /dev/shm:
  // specialKind) is said so first when the name or its binary would be refused here too: the name's suggestion would
  // name another path beside it (`--output /dev/null`: "e.g. /dev/null.c"), the binary would be cc -o /dev/null.
  // Otherwise the writers refuse it, in their own words (the library's field, "force": true).
  // Only for a name a file is written to (output given, or the caller's write): `--stdout` in a directory holding a
  // socket named `server`, or run from /dev, writes nothing there and was refused.
  const judged = target.output !== undefined || target.write === true;
  const mainKind = isDir || !judged ? undefined : specialKind(main);
  // The binaries the build command or its note makes: DIR/STEM, and DIR/STEM.exe where they build for Windows.
  const binaries = [exePath, ...(/it\.exe\) *%>\.exe/.test(`${variant.buildCommand ?? ''} ${variant.buildNote ?? ''}`) ? [`${exePath}.exe`] : [])];
  const badBinary = variant.buildCommand && !isDir && judged ? binaries.map((b) => ({ path: b, kind: specialKind(b) })).find((b) => b.kind !== undefined) : undefined;
  const exeKind = badBinary?.kind;
  if (mainKind !== undefined && (nameProblem !== undefined || exeKind !== undefined)) throw outputError(specialFileMessage(main, mainKind));
  if (nameProblem !== undefined) throw outputError(`--output ${main}: ${nameProblem}`);
  // Nor is the binary the build command makes (cc -o DIR/STEM): `cc -o /dev/null` as root writes into the device, and
  // no such command is printed (an existing regular file /dev/x.c whose binary /dev/x would be new under /dev, a stem
  // that is a FIFO or a link to /dev/null).
  if (exeKind !== undefined) {
    throw outputError(`--output ${main}: the binary its build command makes (-o ${badBinary?.path}) is ${specialPhrase(exeKind)}; choose another --output`);
  }
  const exe = dir === '.' ? `./${stem}` : exePath;

  // In the printed commands a path never starts with '-': `cc -o ./-x -x.c`, `python3 -x.py` and
  // `--output -x.c` read it as an option (join() also turns ./-x into -x).
  const arg = (p: string) => (p.startsWith('-') ? `./${p}` : p);
  const cmdCtx: CommandContext = { o, main: arg(main), files: paths.map(arg), exe: arg(exe), q: shellQuote, wq: cmdQuote };
  const buildCommand = variant.buildCommand ? cmdEta.renderString(variant.buildCommand, cmdCtx).trim() : null;
  const runCommand = cmdEta.renderString(variant.runCommand, cmdCtx).trim();
  const buildNote = variant.buildNote ? cmdEta.renderString(variant.buildNote, cmdCtx).trim() : null;
  const regenerate = ['sockscope', 'generate-server', ...optionsToArgs(o), '--output', arg(main)].map(shellQuote).join(' ');

  const headerLines = [
    `Generated by sockscope ${GENERATOR_VERSION}: ${describe(o)}.`,
    ...optionSummary(o),
    `Regenerate: ${regenerate}`,
    ...(buildCommand ? [`Build: ${buildCommand}`] : []),
    ...(buildNote ? [`Note: ${buildNote}`] : []),
    `Run: ${runCommand}`,
    `Watch it: ${watchCommand(o.port)}`,
  ];
  const headerComment = commentBlock(variant.commentStyle, headerLines);
  const httpResponse = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(HTTP_BODY)}\r\n\r\n${HTTP_BODY}`;

  const files: GeneratedFile[] = variant.files.map((f, k) => {
    const ctx: TemplateContext = {
      o,
      comments: o.comments,
      headerComment,
      headerLines,
      regenerate,
      buildCommand,
      runCommand,
      file: { path: paths[k], name: basename(paths[k]), stem },
      files: paths,
      isTcp: o.type === 'tcp',
      isUdp: o.type === 'udp',
      isHttp: o.handler === 'http',
      family: o.ipv6 ? 'AF_INET6' : 'AF_INET',
      v6only: o.ipv6 && !o.dualStack,
      udpBufferSize: o.bufferSize,
      http: { body: HTTP_BODY, contentLength: Buffer.byteLength(HTTP_BODY), maxHead: HTTP_MAX_HEAD, response: httpResponse },
      pythonThreadsMax: PYTHON_THREADS_MAX,
      str: (s: string) => JSON.stringify(s),
      version: GENERATOR_VERSION,
    };
    const templatePath = join(variant.dir, f.template);
    // Fail early with the file name when a template is missing.
    readFileSync(templatePath, 'utf8');
    const rendered = eta(templatesDir).render(`./${variant.language}/${f.template}`, ctx);
    const content = squeezeBlankLines(applyCommentMarkers(rendered, o.comments));
    if (!content.startsWith(headerComment)) {
      throw new Error(`template ${templatePath} must start with <%~ it.headerComment %>`);
    }
    return { path: paths[k], content };
  });

  return { files, buildCommand, buildNote, runCommand, options: o };
}

/** Keeps (without the `?`) or drops explanation comments marked `#?` / `//?` (see TemplateContext). */
export function applyCommentMarkers(s: string, on: boolean): string {
  const out: string[] = [];
  for (const line of s.split('\n')) {
    const whole = /^(\s*)(#|\/\/)\?( |$)(.*)$/.exec(line);
    if (whole) {
      if (on) out.push(`${whole[1]}${whole[2]}${whole[4] ? ' ' + whole[4] : ''}`);
      continue;
    }
    const trailing = /^(.*\S)\s+(#|\/\/)\? (.*)$/.exec(line);
    if (trailing) {
      out.push(on ? `${trailing[1]}  ${trailing[2]} ${trailing[3]}` : trailing[1]);
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** Collapses runs of blank lines left by conditional blocks to one, and ends with exactly one newline. */
function squeezeBlankLines(s: string): string {
  return s.replace(/[ \t]+$/gm, '').replace(/\n{4,}/g, '\n\n\n').replace(/\n*$/, '\n');
}
