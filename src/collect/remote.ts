// Remote hosts over the user's own ssh: runs a fixed script (ss + /proc reads) there and parses it here.
import { randomBytes } from 'node:crypto';
import { SYSCTL_NAMES, type Snapshot } from '../model/snapshot.js';
import { decodeUtf8Lines, escapeControl } from '../model/escape.js';
import { formatEndpoint, NO_PROCESSES, normalizeAddress, type Socket } from '../model/socket.js';
import { noteRemoteViewer, ownerNotes, REMOTE_SHORT_NOTE, remoteHiddenOwnersNote, remoteUnixOwnersNote } from '../model/owner.js';
import { parseRemoteSections, sectionHeader, splitSections } from '../parse/remote-bundle.js';
import { parseSs } from '../parse/ss.js';
import { parseSsUnixRecords } from '../parse/ss-records.js';
import { runStreaming, type StreamResult } from './exec.js';
import { formatRemoteTarget, type RemoteTarget } from './remote-target.js';
import { DEFAULT_SSH_IDLE_MS, SshCommand, type SshOptions } from './ssh-command.js';
import { newlineNamesNote, ssRuns, type SsRun } from './ss.js';
import { CollectorError, DEFAULT_TIMEOUT_MS, portFilterOf, type CollectOptions, type SocketSource } from './source.js';

/** A fresh nonce for one run's section headers: 128 random bits, never seen by the remote host before the script is. */
function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The most output sockscope reads from one host in one collection: 256 MiB. The script prints about 560
 * bytes per socket with every detail (ss -tuanOHep -i -m: 56 MB for 100,000 sockets, measured) and 160
 * without (16 MB), so this is some 450,000 sockets at the most detailed (380,000 such sockets, 242 MB, were read
 * in 5 s with a peak of 1.7 GB of memory: the text, its lines and the sockets at once). Without it a remote ss that never
 * stopped printing (or a login that did) was held whole here until V8 gave up: a fatal error after 18 s
 * at ~5 GB, or "Cannot create a string longer than 0x1fffffe8 characters" without the host's name.
 */
export const MAX_REMOTE_OUTPUT_BYTES = 256 * 1024 * 1024;

/** The ss runs of the script: TCP/UDP in one, unix sockets in two of their own (ssUnixRuns), each with its sections. */
interface ScriptRun {
  run: SsRun;
  /** Section names: the output, ss's exit status, ss's stderr. */
  out: string;
  exit: string;
  err: string;
}

function scriptRuns(opts: CollectOptions): ScriptRun[] {
  // One TCP/UDP run (the sections below): without udpMemory, which makes a local ss run UDP apart (the monitor asks;
  // a remote host gives UDP no socket memory without details).
  const runs = ssRuns({ ...opts, udpMemory: undefined }, (opts.processes ?? 'listeners') !== 'none');
  // The TCP/UDP run keeps the sections `ss` and `ss-exit` (present, empty and 0, when only unix is asked for).
  const inet = runs.find((r) => r.unixNames === undefined);
  const out: ScriptRun[] = [{ run: inet ?? { args: [] }, out: 'ss', exit: 'ss-exit', err: 'ss-err' }];
  for (const r of runs) {
    if (r.unixNames === 'plain') out.push({ run: r, out: 'ss-unix', exit: 'ss-unix-exit', err: 'ss-unix-err' });
    else if (r.unixNames === 'newline') out.push({ run: r, out: 'ss-unix-nl', exit: 'ss-unix-nl-exit', err: 'ss-unix-nl-err' });
  }
  return out;
}

/** Seconds the remote ss may run before the script kills it (the request's timeout, 10 s by default). */
function ssLimitSeconds(opts: CollectOptions): number {
  return Math.max(1, Math.ceil((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000));
}

/**
 * The fixed script run remotely. It contains no user input: the ss arguments are built from validated
 * numbers and fixed flags. Each section is preceded by a header line with this run's nonce: ss prints
 * unix socket paths raw, so anyone who can bind a socket there could write a line of their choosing
 * into the output, and with a fixed marker forge sections (a path "/tmp/i\n@@sockscope@@ ignored\n"
 * hid every socket after it). A forged *line* is why unix sockets come from ss runs of their own
 * (ssRuns): a path "/tmp/u\ntcp LISTEN 0 4096 0.0.0.0:6666 0.0.0.0:*" read as a root-owned TCP
 * listener. The script is one brace group, read whole by the shell before it runs, with stdin from
 * /dev/null so no command in it can read the rest of the script.
 *
 * The script's output begins with an empty line, so that the first header starts a line even after text
 * the login printed without a newline (splitSections also finds that one header at the end of such a line).
 *
 * `r` runs one ss with a watchdog: ss is killed after ssLimitSeconds (the exit status is then 137).
 * sshd does not signal the processes of a session without a tty when the client goes, so an ss that
 * hung in the kernel stayed on the remote host after sockscope gave up, one more per refresh of the
 * monitor. ss's stderr is kept (its own section) for the message: "not found", "invalid option".
 * The watchdog polls ss once a second (kill -0) and ends within a second of it: a `sleep N` watchdog
 * that `kill $w` did not reach (it kills the subshell, not its sleep) stayed N s on the server, up to
 * 3 per collection, some 30 per host under a 1 s monitor, in the admins' `ps` and counted against
 * nproc. It kills ss only when the limit is reached, so a pid reused after ss ended is never signalled
 * on the normal path. It holds none of the session's descriptors, so it does not keep the session
 * open for that second. $SSH_CONNECTION names this session's own TCP connection,
 * which collect() leaves out of the sockets.
 */
export function remoteScript(opts: CollectOptions, nonce: string): string {
  if (!/^[0-9a-f]{16,}$/.test(nonce)) throw new Error('remote script nonce must be hex');
  const quote = (a: string) => (/^[-A-Za-z0-9:=.]+$/.test(a) ? a : `'${a}'`);
  const sysctl = SYSCTL_NAMES.map((n) => `printf '%s=%s\\n' ${n} "$(cat /proc/sys/${n.replace(/\./g, '/')} 2>/dev/null)"`).join('; ');
  const mark = (name: string) => `echo '${sectionHeader(nonce, name)}'`;
  const lines = [
    '{',
    'LC_ALL=C; export LC_ALL',
    // A newline first: text the login printed without one (an xterm title from .bashrc) ran into the first
    // header, which was then no header, and the ss output after it was read as nothing.
    'echo',
    `r() { { e=$("$@" 2>&1 >&3 3>&- & p=$!; (i=0; while [ $i -lt ${ssLimitSeconds(opts)} ] && kill -0 $p 2>/dev/null; do sleep 1; i=$((i+1)); done; [ $i -lt ${ssLimitSeconds(opts)} ] || kill -9 $p) </dev/null >/dev/null 2>&1 3>&- & wait $p; s=$?; exit $s); c=$?; } 3>&1; }`,
  ];
  for (const r of scriptRuns(opts)) {
    lines.push(mark(r.out));
    lines.push(r.run.args.length ? `r ss ${r.run.args.map(quote).join(' ')}` : 'c=0; e=');
    lines.push(`${mark(r.exit)}; echo $c`, `${mark(r.err)}; printf '%s\\n' "$e"`);
  }
  lines.push(
    `${mark('ssh-connection')}; echo "$SSH_CONNECTION"`,
    `${mark('netstat')}; cat /proc/net/netstat 2>/dev/null`,
    `${mark('snmp')}; cat /proc/net/snmp /proc/net/snmp6 2>/dev/null`,
    `${mark('sockstat')}; cat /proc/net/sockstat /proc/net/sockstat6 2>/dev/null`,
    `${mark('sysctl')}; ${sysctl}`,
    `${mark('uid')}; id -u`,
    `${mark('user')}; id -un 2>/dev/null`,
    `${mark('hostname')}; uname -n`,
    `${mark('kernel')}; uname -r`,
    mark('end'),
    '} </dev/null',
    '',
  );
  return lines.join('\n');
}

/**
 * Text from the remote host or from ssh (stderr, what a login said) for an error message: control characters
 * escaped (escapeControl) so the message is safe to print anywhere, but a byte that is not UTF-8 kept as
 * decodeUtf8's U+DC80..U+DCFF, as process names and the hostname keep it. Every printer escapes it again
 * (\x9b on a terminal) and --json writes it as \udc9b: escaped here it was the literal "\x9b" in --json too.
 */
export function escapeRemoteText(text: string): string {
  return text
    .split(/([\uDC80-\uDCFF]+)/u)
    .map((part, i) => (i % 2 ? part : escapeControl(part)))
    .join('');
}

/** Appends `more` to `to` one by one: push(...more) passes every element as an argument, which overflows the stack past about 125,000. */
function append<T>(to: T[], more: readonly T[]): void {
  for (const x of more) to.push(x);
}

/** ss -O (--oneline), which every run uses, came with iproute2 5.2 (July 2019: in its release notes). */
export const MIN_IPROUTE2 = '5.2';

/** Why a remote ss run failed, in words, from its exit status and stderr (untrusted text, escaped). */
export function ssFailure(exit: number | null, stderr: string, limitS: number): string {
  const first = escapeRemoteText(stderr.trim().split('\n')[0] ?? '').slice(0, 200);
  if (exit === 127 || /not found/.test(first)) return `not installed (install iproute2 ${MIN_IPROUTE2} or later there)${first ? `; the shell said: ${first}` : ''}`;
  if (/invalid option|unrecognized option|illegal option/.test(stderr)) return `too old: it refused a flag (${first}); --host needs iproute2 ${MIN_IPROUTE2} or later there (ss -O)`;
  if (exit === 137 && first === '') return `did not finish within ${limitS} s and was stopped there`;
  if (exit === null) return 'no exit status in the output';
  return `exited with ${exit}${first ? `: ${first}` : ''}`;
}

/** ssh's own notices on stderr, which say nothing of the login. */
const SSH_NOTICE = /^(Warning: Permanently added|Pseudo-terminal will not be allocated)/;

/**
 * ssh's own words when it fails (exit 255): its non-empty stderr lines, escaped, joined with "; " (at most
 * the last 6, each cut at 300 characters), without the notices of a run that went on. The last line alone
 * dropped the one naming the problem: "bad.cfg: line 2: Bad configuration option: bogus" before
 * "bad.cfg: terminating, 1 bad configuration options".
 */
export function sshFailure(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !SSH_NOTICE.test(l))
    .slice(-6)
    .map((l) => escapeRemoteText(l).slice(0, 300));
  return lines.join('; ') || 'connection failed';
}

/**
 * What a login that ran no script said, for the error: the last non-empty line of its output, else of
 * ssh's stderr (ssh's notices left out), escaped and cut at 200 characters. The last, not the first: ssh
 * prints sshd's Banner on stderr before anything the login's command writes there, so the first line
 * quoted the banner ("Authorized access only") and not the refusal ("This account is currently not available.").
 */
export function loginRefusal(stdout: string, stderr: string): string {
  const last = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !SSH_NOTICE.test(l))
      .at(-1) ?? '';
  return escapeRemoteText(last(stdout) || last(stderr)).slice(0, 200);
}

/**
 * The ssh user's name from `id -un` there, for a note: only a plain name (letters, digits, . _ - @, a final
 * $), else none (the note says the uid): the name is the remote host's text, and a note is printed as is.
 */
function userName(text: string): string | undefined {
  const t = text.trim();
  return /^[A-Za-z0-9._][A-Za-z0-9._@-]{0,63}\$?$/.test(t) ? t : undefined;
}

/** sshd's $SSH_CONNECTION ("client port server port") as the TCP socket it names on the remote host. */
function ownConnection(text: string): { client: string; clientPort: number; server: string; serverPort: number } | undefined {
  const f = text.trim().split(/\s+/);
  if (f.length !== 4 || !/^\d+$/.test(f[1]) || !/^\d+$/.test(f[3])) return undefined;
  return { client: normalizeAddress(f[0]).address, clientPort: Number(f[1]), server: normalizeAddress(f[2]).address, serverPort: Number(f[3]) };
}

/**
 * How much ssh must read from the link within the idle limit for the link to count as alive: 1 KB, and
 * 64 bytes per second of a longer limit. The ServerAliveInterval=5 replies of a live sshd whose login
 * hangs (some 32 bytes each, about 6 B/s) stay under it, so such a login is still given up after the limit.
 */
export function linkBytes(idleMs: number): number {
  return Math.max(1024, Math.ceil((64 * idleMs) / 1000));
}

/** Reads a remote host's sockets through `ssh` (BatchMode: never prompts; the user's config and agent apply). */
export class RemoteSource implements SocketSource {
  readonly name = 'remote' as const;
  /** user@server:port: the destination alone said "ssh root@127.0.0.1: refused" for either of two ports. */
  readonly label: string;
  /** The collections running now (close() stops them). */
  private readonly running = new Set<AbortController>();
  constructor(
    readonly target: RemoteTarget,
    /** `timeoutMs`: how long ssh may send nothing (DEFAULT_SSH_IDLE_MS without it). */
    readonly sshOptions: SshOptions = {},
  ) {
    this.label = formatRemoteTarget(target);
    this.ssh = new SshCommand(target, sshOptions);
  }

  private readonly ssh: SshCommand;

  /** The ssh argument array (SshCommand.args; for tests). */
  sshArgs(userConnectTimeout = false): string[] {
    return this.ssh.args(userConnectTimeout);
  }

  /** What ssh refuses in this host's config (SshCommand.configRefusal), undefined when it takes it. */
  sshConfigRefusal(): string | undefined {
    return this.ssh.configRefusal();
  }

  /** Kills the ssh of every collection still running (each then rejects: "was stopped"). */
  close(): void {
    for (const c of this.running) c.abort();
  }

  async collect(opts: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const nonce = newNonce();
    const limitS = ssLimitSeconds(opts);
    // Given up on after `idle` without a byte (a login that hangs, a link that is down; an ss that hangs
    // is stopped by the script after limitS, 10 s by default, so output comes before the default 20 s),
    // or after ten times that in all. Either way the remote ss ends within limitS. A byte is output from
    // ssh or data ssh reads from the link (linkBytes of it in the window): ssh hands output over per
    // packet of up to 32 KB, so over a 3 KB/s link its stdout was quiet 11 s at a time while data flowed,
    // and --ssh-timeout 3s gave such a link up as "no answer".
    const idle = this.sshOptions.timeoutMs ?? DEFAULT_SSH_IDLE_MS;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let tooMuch = false;
    let res: StreamResult;
    const stop = new AbortController();
    this.running.add(stop);
    try {
      const userTimeout = await this.ssh.userSetsConnectTimeout(stop.signal);
      res = await runStreaming(this.ssh.file, this.ssh.args(userTimeout), {
        input: remoteScript(opts, nonce),
        idleTimeoutMs: idle,
        idleReadBytes: linkBytes(idle),
        timeoutMs: idle * 10,
        stdioSockets: true,
        signal: stop.signal,
        onStdout: (c) => {
          bytes += c.length;
          if (bytes > MAX_REMOTE_OUTPUT_BYTES) {
            // runStreaming kills ssh on a throw here and ignores what still comes.
            tooMuch = true;
            chunks.length = 0;
            throw new CollectorError(`ssh ${this.label}`, 'output over the limit');
          }
          chunks.push(Buffer.from(c));
        },
      });
    } catch (e) {
      if (!(e instanceof CollectorError)) throw e;
      if (tooMuch) {
        const mib = MAX_REMOTE_OUTPUT_BYTES / 1024 / 1024;
        throw new CollectorError(
          `ssh ${this.label}`,
          `more than ${mib} MiB of output, sockscope's limit for one host (some 450,000 sockets with every detail); ssh was stopped: does ss there print something other than sockets?`,
          e,
        );
      }
      const got = bytes === 0 ? 'nothing received' : `${Math.round(bytes / 1024)} KB received`;
      const message = /sent nothing/.test(e.message)
        ? `no answer for ${idle / 1000} s (${got}; the login or ss there hangs, or the link is down; --ssh-timeout sets the limit)`
        : /timed out/.test(e.message)
          ? `still reading after ${(idle * 10) / 1000} s (${got}: a slow link; --ssh-timeout raises the limit)`
          : e.message.replace(/^[^:]*: /, '');
      throw new CollectorError(`ssh ${this.label}`, message, e);
    } finally {
      this.running.delete(stop);
    }
    const stdout = decodeUtf8Lines(Buffer.concat(chunks));
    if (res.exitCode === 255) throw new CollectorError(`ssh ${this.label}`, sshFailure(res.stderr));
    const { sections, repeated } = splitSections(stdout, nonce);
    if (sections.size === 0) {
      // Not one header came back: the remote shell never ran the script (nologin, /bin/false, a ForceCommand).
      const said = loginRefusal(stdout, res.stderr);
      throw new CollectorError(
        `ssh ${this.label}`,
        `the remote login did not run sockscope's script (exit ${res.exitCode}${said ? `; it said: ${said}` : '; no output'}): an account that cannot run commands (nologin, /bin/false, a ForceCommand)?`,
      );
    }
    if (repeated.length) throw new CollectorError(`ssh ${this.label}`, `the output repeats section ${repeated.map((n) => `"${n}"`).join(', ')}: not trusted`);
    const b = parseRemoteSections(sections);
    const runs = scriptRuns(opts);
    for (const r of runs) {
      const exit = /^(\d+)$/.exec((sections.get(r.exit) ?? '').trim());
      if (exit && exit[1] === '0') continue;
      if (!exit && !b.complete) break; // cut short: said below
      throw new CollectorError(`ss on ${this.label}`, ssFailure(exit ? Number(exit[1]) : null, sections.get(r.err) ?? '', limitS));
    }
    if (!b.complete) throw new CollectorError(`ssh ${this.label}`, `the remote script stopped before its end (exit ${res.exitCode})`);
    // Every ss output section must be there: one whose header was lost (text run into it) read as no sockets, exit 0.
    const missing = runs.filter((r) => !sections.has(r.out)).map((r) => `"${r.out}"`);
    if (missing.length) throw new CollectorError(`ssh ${this.label}`, `the output has no section ${missing.join(', ')} (its header line was not found): not trusted`);
    const text = (name: string) => {
      const t = sections.get(name) ?? '';
      return t.endsWith('\n') || t === '' ? t : `${t}\n`;
    };
    const notes: string[] = [];
    let sockets: Socket[] = [];
    for (const r of runs) {
      if (r.run.unixNames === 'newline') {
        // The rows' text is the names' owners' (newlineNamesNote): a name can write a `users:` of its
        // choosing, and ss -p's is the only attribution remotely, so these rows carry no owner (a
        // forged users:(("sshd",pid=1,fd=3)) read as sshd holding a socket it never had).
        const nl = parseSsUnixRecords(text(r.out)).sockets;
        for (const s of nl) s.processes = NO_PROCESSES;
        if (nl.length) notes.push(`${newlineNamesNote(nl.length)}; their owners are not shown`);
        append(sockets, nl);
      } else if (r.run.unixNames === 'plain') append(sockets, parseSs(text(r.out)).filter((s) => s.protocol === 'unix'));
      else if (r.run.args.length) append(sockets, parseSs(text(r.out), r.run.netid));
    }
    const keep = portFilterOf(opts);
    if (keep) sockets = sockets.filter((s) => s.protocol === 'unix' || keep(s));
    const own = ownConnection(sections.get('ssh-connection') ?? '');
    if (own) {
      const before = sockets.length;
      sockets = sockets.filter(
        (s) => !(s.protocol === 'tcp' && s.local.port === own.serverPort && s.peer.port === own.clientPort && s.local.address === own.server && s.peer.address === own.client),
      );
      if (sockets.length < before) notes.push(`sockscope's own ssh connection (from ${formatEndpoint({ address: own.client, port: own.clientPort })} to sshd on ${formatEndpoint({ address: own.server, port: own.serverPort })}) is left out`);
    }
    const uidText = (sections.get('uid') ?? '').trim();
    const viewerUid = /^\d+$/.test(uidText) ? Number(uidText) : undefined;
    const root = viewerUid === 0;
    // ss -p ran over every socket whenever owners were asked for (scriptRuns: one TCP/UDP run, the unix runs,
    // all with -p), so every owner was looked up: 'all', as the local ss source says, whatever was asked.
    const scope: Snapshot['attribution']['scope'] = (opts.processes ?? 'listeners') === 'none' ? 'none' : 'all';
    noteRemoteViewer(this.label, viewerUid, scope);
    // As root (id -u), ss -p reads every process: complete, as a local root's (owner.ts then hides nothing:
    // a socket without users was "hidden uid 0" though root sees all), with no note (as a local root's):
    // "processes on lo are those its ss -p shows to root" took the monitor header's room for nothing hidden.
    const complete = root && scope !== 'none';
    const attribution: Snapshot['attribution'] = { scope, complete, hiddenProcesses: 0 };
    if (!complete) attribution.note = root ? `processes on ${this.label} are those its ss -p shows to root` : `processes on ${this.label} are those its ss -p shows to the ssh user`;
    // The monitor's header at 80 columns: the host is the header's own name there.
    if (!root && scope !== 'none') attribution.short = REMOTE_SHORT_NOTE;
    // Other users' processes out of the ssh user's sight: the one-shot forms said nothing of it (the monitor's header does).
    const viewer = { uid: viewerUid, name: userName(sections.get('user') ?? '') };
    const hidden = remoteHiddenOwnersNote(this.label, viewer, { source: 'remote', attribution, sockets });
    if (hidden) notes.push(hidden);
    // Unix sockets of processes out of its sight: ss -x gives no uid, so no "hidden uid N" says it (`?`).
    const unixHidden = remoteUnixOwnersNote(this.label, viewer, { source: 'remote', attribution, sockets });
    if (unixHidden) notes.push(unixHidden);
    // As root there: listeners whose owner its ss -p did not find (another PID namespace, kernel sockets), as the local note says.
    notes.push(...ownerNotes({ source: 'remote', attribution, sockets }));
    return {
      time,
      hostname: b.hostname,
      kernel: b.kernel,
      source: 'remote',
      sourceNote: `ss over ssh ${this.label}`,
      durationMs: performance.now() - t0,
      sockets,
      counters: b.counters,
      sysctls: b.sysctls,
      attribution,
      notes,
    };
  }
}
