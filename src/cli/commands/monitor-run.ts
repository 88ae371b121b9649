// `sockscope` with no command: the full-screen monitor, or one plain snapshot table when stdout is not a TTY.
// The implementation: monitor.ts defines the command (flags, help) and loads this module when it runs.
import { enableHeapGovernor } from '../../collect/heap-governor.js';
import { adviseSnapshot, compareRecommendations, makeContext } from '../../advise/engine.js';
import type { Recommendation, RuleContext } from '../../advise/types.js';
import { MultiHostSource } from '../../collect/multi-host.js';
import type { SocketSource } from '../../collect/source.js';
import type { Snapshot } from '../../model/snapshot.js';
import { setDebugFileOnly } from '../../collect/debug.js';
import { readFdInfo } from '../../collect/fdinfo.js';
import { createSource, type SourceChoice } from '../../collect/index.js';
import { reportFailedHosts, sourcesFor } from '../sources.js';
import { repeatFlags } from '../../report/analyze.js';
import { loadCliConfig } from '../../config/resolve.js';
import { exitOnSignals } from '../../collect/remote-signals.js';
import { hiddenOwnerUid, localOwnerView, localUid, setCellsFromRemote } from '../../model/owner.js';
import type { Protocol, Socket } from '../../model/socket.js';
import type { App } from '../../ui/App.js';
import type { HostedRecommendation, ProtocolToggles } from '../../ui/derive.js';
import type { InspectContext, SocketDetails, SocketInspector } from '../../ui/inspector.js';
import { resolveKeymap } from '../../ui/keymap.js';
import { plainReport } from '../../ui/plain.js';
import { terminalGuard } from '../../ui/terminal.js';
import { stopAndResume } from '../stop-and-resume.js';
import { hangUp } from '../hang-up.js';
import { colorWanted, createTheme } from '../../ui/theme.js';
import { loadUiModules } from '../load-ui.js';
import { hideBin } from 'yargs/helpers';
import { parseDuration } from '../duration.js';
import { flagTyped, printJson } from '../options.js';
import { capMessage, UsageError } from '../errors.js';
import { escapeMessage } from '../../model/escape.js';
import type { Args } from './monitor.js';

// Ink, React, the App and the wizard are imported when the full-screen monitor starts (dynamic import).

/** "1s", "500ms", "2.5s" (a unit is needed: parseDuration refuses a bare number); 100 ms to 1 hour (the config schema's bounds). */
export function parseInterval(value: unknown): number {
  return parseDuration('interval', value, { minMs: 100, maxMs: 3_600_000 });
}

const PROTOCOLS = ['tcp', 'udp', 'unix'] as const;

/**
 * --tcp/--udp/--unix pick protocols; none given: TCP and UDP (unix sockets are many and seldom wanted; x
 * shows them). --no-tcp/--no-udp/--no-unix take one out of that set (yargs gives false for them; they
 * used to be read as "none given" and changed nothing). Nothing left is bad input.
 */
export function protocolToggles(a: Pick<Args, 'tcp' | 'udp' | 'unix'>): ProtocolToggles {
  const picked = PROTOCOLS.some((p) => a[p] === true);
  const t: ProtocolToggles = picked ? { tcp: a.tcp === true, udp: a.udp === true, unix: a.unix === true } : { tcp: a.tcp !== false, udp: a.udp !== false, unix: false };
  if (!t.tcp && !t.udp && !t.unix) {
    const off = PROTOCOLS.filter((p) => a[p] === false).map((p) => `--no-${p}`);
    throw new UsageError(`${off.join(' ')} leaves no protocol to show: name one with --tcp, --udp or --unix`);
  }
  return t;
}

/**
 * Protocols to ask the collector for. Work-around: the ss collector parses nothing when asked for a
 * single protocol (ss then omits its Netid column), so TCP and UDP are always collected and the
 * toggles filter what is shown.
 */
export function collectProtocols(t: ProtocolToggles): Protocol[] {
  return t.unix ? ['tcp', 'udp', 'unix'] : ['tcp', 'udp'];
}

// The rules' findings and the accept-queue-unknown line of a listener whose backlog the source cannot see (adviseSnapshot).
const adviseOne = (ctx: RuleContext) => adviseSnapshot(makeContext(ctx));

/**
 * The advice for a snapshot: with several hosts (MultiHostSource), the rules run once per host on that
 * host's own sockets, counters and sysctls, and each recommendation names its host ([label] and `host`,
 * which the ports table's health marks key on), so no host's advice lands on another host's rows.
 */
export function adviserFor(source: SocketSource, repeatFor: (label?: string) => string = () => ''): (ctx: RuleContext) => Recommendation[] {
  // A command a rule's text suggests reads where this monitor read: that host's --host (and --ssh-config), or the --source typed.
  if (!(source instanceof MultiHostSource)) return (ctx) => adviseOne({ ...ctx, repeat: repeatFor() });
  return (ctx) => {
    const parts = source.partsOf(ctx.snapshot);
    if (!parts) return adviseOne(ctx);
    const out: Recommendation[] = [];
    for (const part of parts) {
      if (!part.snapshot) continue;
      const history = ctx.history.map((h) => source.partsOf(h)?.find((p) => p.label === part.label)?.snapshot).filter((h): h is Snapshot => h !== undefined);
      for (const r of adviseOne({ ...ctx, snapshot: part.snapshot, history: history.length > 0 ? history : [part.snapshot], repeat: repeatFor(part.label) })) {
        const hosted: HostedRecommendation = { ...r, message: `[${part.label}] ${r.message}`, host: part.label };
        out.push(hosted);
      }
    }
    // Worst first across hosts, as on one host (the hosts' lists one after another put a warning of the first host
    // before every critical of the next); the [label] in the message breaks a tie by host.
    return out.sort(compareRecommendations);
  };
}

/** A remote host's sockets: fd flags and getsockopt would read this machine's processes, so say why they are absent. */
function remoteInspector(host: string): SocketInspector {
  return {
    inspect: async (s: Socket) => {
      const why = `the socket is on ${s.host ?? host}: fd flags and option values are read on the host that owns the socket (run sockscope there)`;
      return { fdMissing: why, optionsMissing: why };
    },
  };
}

/**
 * Why a local socket without an owner has no fd flags or option values. Inode 0 and TIME_WAIT: no process
 * can hold it (the socket view's test, so the process line and these agree; an orphan in FIN_WAIT2 read
 * "another user's process without root" as root). Otherwise its uid, or what attribution may have missed.
 */
async function noOwnerReason(s: Socket): Promise<string> {
  const { noProcessCanHold } = await import('../../ui/socket-lines.js');
  const kernel = noProcessCanHold(s);
  if (kernel) return kernel.why;
  const hidden = hiddenOwnerUid(s, localOwnerView());
  if (hidden !== undefined) return `its process is another user's (uid ${hidden}): run as root or as uid ${hidden} to read it`;
  // Root reads every process's fds: another user's process is not the reason there.
  if (localUid() === 0) return 'no process was found holding it, with every process read as root (a socket held by the kernel, by a process in another PID namespace, or closed since the snapshot)';
  return "no owning process is known (another user's process without root, or a socket not attributed)";
}

/** fd flags through src/collect/fdinfo.ts and option values through the getsockopt helper (read-only). */
export const localInspector: SocketInspector = {
  async inspect(s: Socket, ctx?: InspectContext): Promise<SocketDetails> {
    const owner = s.processes[0];
    if (!owner) {
      const why = await noOwnerReason(s);
      return { fdMissing: why, optionsMissing: why };
    }
    const fd = await readFdInfo(owner.pid, owner.fd);
    // The fd number may hold another file by now (the process closed the socket and reused the number): its
    // flags are not this socket's. fdinfo's ino is the socket's inode (as inspect-options checks it).
    if (fd.info?.ino !== undefined && s.inode && fd.info.ino !== s.inode)
      return withOptions(s, owner, ctx, { path: fd.path, missing: `fd ${owner.fd} of pid ${owner.pid} now holds another file (inode ${fd.info.ino}), not this socket (inode ${s.inode}): its fd flags are unknown` });
    return withOptions(s, owner, ctx, fd);
  },
};

/** The option values of the monitor's socket beside its fd flags `fd`. */
async function withOptions(s: Socket, owner: Socket['processes'][number], ctx: InspectContext | undefined, fd: SocketDetails['fd']): Promise<SocketDetails> {
  const out: SocketDetails = { fd };
  try {
    const { inspectSocketOptions } = await import('../../collect/getsockopt.js');
    // The values taken from the snapshot are labelled with its collector, as inspect-options labels them.
    const r = await inspectSocketOptions({ pid: owner.pid, fd: owner.fd, inode: s.inode, kernelSocket: s, kernelSource: ctx?.source });
    out.options = {
      readings: r.options,
      note: r.method === 'pidfd_getfd' ? `read with pidfd_getfd + getsockopt from pid ${owner.pid} fd ${owner.fd}` : `fallback: ${r.methodNote ?? 'getsockopt not possible'}`,
      missing: r.missing.filter((m) => !m.includes('fdinfo')),
    };
  } catch (e) {
    out.optionsMissing = (e as Error).message;
  }
  return out;
}

/** React, Ink and the UI (load-ui.ts). */
type UiModules = typeof import('../ui-modules.js');

/**
 * Leaves the terminal as it was on every exit path: q, Ctrl-C, SIGTERM, SIGHUP, SIGINT, uncaught errors.
 *
 * Quitting (q, the Ctrl-C key: the App calls Ink's exit()) restores the terminal when the App's tree is
 * unmounted, not when Ink's waitUntilExit() settles: Ink 6.8 settles it from the callback of a
 * `stdout.write('', cb)` after unmounting, and when that callback was lost (frameStdout dropped it until
 * 58ec0d1) the event loop emptied and Node exited 0 on the alternate screen with the cursor hidden. The
 * promise and the loop emptying ('beforeExit') still end the run too, whichever comes first.
 */
async function runFullScreen(ui: UiModules, app: Parameters<typeof App>[0]): Promise<never> {
  const { render, createElement, App, FrameWriter, frameStdout } = ui;
  // The same React as ui-modules' createElement (one copy in the bundle); CommonJS, so its hooks are
  // taken from the module object.
  const react = await import('react');
  const useLayoutEffect = react.useLayoutEffect ?? (react as unknown as { default: typeof react }).default.useLayoutEffect;
  const { stdout, stdin, stderr } = process;
  const guard = terminalGuard(stdout, stdin);
  setDebugFileOnly(true);
  guard.enter();
  let finish: (code: number, err?: unknown) => never = () => process.exit(1);
  let suspend: () => void = () => undefined;
  // A layout effect's cleanup runs inside Ink's unmount, after its last frame was written: the next
  // turn of the event loop restores the terminal and exits, whatever Ink does after that.
  function Quits(): ReturnType<typeof App> {
    useLayoutEffect(() => () => void setImmediate(() => finish(0)), []);
    return createElement(App, { ...app, clearOnResize: true, onSuspend: () => suspend() });
  }
  // Ink hands each whole frame (debug mode) to the FrameWriter, which writes only the lines that
  // changed; see frame-writer.ts for why Ink's incrementalRendering is not used.
  const writer = new FrameWriter(stdout);
  const instance = render(createElement(Quits), {
    stdout: frameStdout(stdout, writer),
    stdin,
    stderr,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let finishing = false;
  finish = (code: number, err?: unknown): never => {
    if (!finishing) {
      finishing = true;
      try {
        instance.unmount();
      } catch {
        // already unmounted
      }
      guard.restore();
      setDebugFileOnly(false);
      if (err !== undefined) {
        const e = err as Error;
        try {
          // Escaped and capped as every other message (main.ts): the error may quote system text.
          stderr.write(`sockscope: ${capMessage(escapeMessage(e?.message ?? String(err)))}\n`);
          if (process.env.SOCKET_DEBUG === 'true' && e?.stack) stderr.write(`${e.stack}\n`);
        } catch {
          // stderr gone too
        }
      }
    }
    if (code === 129) hangUp();
    process.exit(code);
  };
  const signals: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ];
  for (const [sig, code] of signals) process.on(sig, () => finish(code));
  ({ suspend } = stopAndResume(guard, () => {
    // The whole frame again: the writer forgets what was on screen, and a render of the same tree makes Ink
    // hand it over (debug mode writes every commit). A later turn: the Ctrl-Z key stops the process inside
    // Ink's input handler, in React's batchedUpdates.
    writer.reset();
    setImmediate(() => {
      if (!finishing) instance.rerender(createElement(Quits));
    });
  }));
  process.on('uncaughtException', (e) => finish(1, e));
  process.on('unhandledRejection', (e) => finish(1, e));
  // Writing to a terminal that went away (SSH drop) fails with EIO/EPIPE: leave quietly. Reading from it
  // ends or fails as well, which tells sooner when nothing is being written (a session leader that ignores
  // SIGHUP, as some wrappers do, leaves the monitor polling an absent terminal otherwise).
  stdout.on('error', () => finish(129));
  stdin.on('end', () => finish(129));
  stdin.on('error', () => finish(129));
  // Nothing left to run (Ink unmounted and released stdin) without the above having ended the run.
  process.once('beforeExit', () => finish(0));
  try {
    await instance.waitUntilExit();
  } catch (e) {
    return finish(1, e);
  }
  return finish(0);
}

/** A one-shot snapshot of several hosts with some down: the others were printed (a note per failed host). */
function failedHosts(source: SocketSource, snap: Snapshot): void {
  const parts = source instanceof MultiHostSource ? source.partsOf(snap) : undefined;
  if (parts) reportFailedHosts(parts.filter((p) => p.error !== undefined).map((p) => p.label), parts.length);
}

export async function runMonitor(argv: Args): Promise<void> {
  const intervalFlag = argv.interval !== undefined ? parseInterval(argv.interval) : undefined;
  const { config } = await loadCliConfig({ flags: { intervalMs: intervalFlag } });
  const { keymap, unknown } = resolveKeymap(config.keymap);
  if (unknown.length > 0) throw new UsageError(`config keymap: unknown command ${unknown.map((u) => `"${u}"`).join(', ')}`);
  const protocols = protocolToggles(argv);
  const hosts = argv.host ?? []; // each has a value (hostValues)
  // Several --host: one monitor over all of them (a HOST column); one --host: that host as before.
  // --source with --host is refused (exit 2) as analyze refuses it: it used to be ignored without a word.
  const remote = hosts.length > 0 ? await sourcesFor({ host: hosts, 'ssh-config': argv['ssh-config'], source: argv.source, sourceFrom: argv.sourceFrom }) : [];
  // A table cell has the socket, not the snapshot: remote sockets were read by an ssh user whose uid
  // is unknown here, so one without a visible owner is hidden from that user, not "held by no process".
  setCellsFromRemote(remote.length > 0);
  // One-shot output (--json, a plain table) waits for every host; the full-screen monitor does not wait
  // for a slow one (MultiHostSource: its last sockets and their age instead).
  const oneShot = argv.json === true || !process.stdout.isTTY;
  // One-shot: a signal kills the ssh of every --host still running (it stayed on otherwise) and exits 128+N.
  if (oneShot) exitOnSignals();
  const source: SocketSource = remote.length > 1 ? new MultiHostSource(remote, { waitForAll: oneShot }) : remote.length === 1 ? remote[0].source : createSource((argv.source ?? config.source) as SourceChoice);
  const advise = adviserFor(source, (label = remote[0]?.label) =>
    repeatFlags(label !== undefined ? { host: label, sshConfig: argv['ssh-config'] } : { source: argv.source, sourceTyped: argv.sourceFrom === undefined || argv.sourceFrom === 'flag' }),
  );
  const color = colorWanted(argv.color, flagTyped(hideBin(process.argv), 'color'), config.color);

  if (argv.json) {
    // Every socket's owner: the document has outgoing[].processes and unix[] owners, which 'listeners'
    // left empty with ownerHidden false (read: no process holds them). Targeted reach reads only the
    // processes that hold these sockets; measured at 12,023 TCP sockets (6,000 loopback connections,
    // netlink, root, a fresh process): 282 ms with listeners only, 316 ms with every owner.
    const snap = await source.collect({ protocols: collectProtocols(protocols), processes: 'all', attribution: 'targeted', port: argv.port });
    // --port P: P is served for the rules (factsFor) and the tables (isServedPort), as analyze --port P.
    const recs = advise({ snapshot: snap, history: [snap], thresholds: config.thresholds, port: argv.port });
    const { buildSnapshotReport } = await import('../../report/snapshot-report.js');
    const shown = PROTOCOLS.filter((p) => protocols[p]);
    // TCP and UDP are collected whatever the toggles (collectProtocols): their totals and recommendations
    // count them as the plain table's and the monitor's header and panel do; the toggles pick what is listed.
    const collected = collectProtocols(protocols);
    const report = buildSnapshotReport(snap, recs, { protocols: shown, port: argv.port, counted: collected });
    for (const p of PROTOCOLS) {
      if (protocols[p]) continue;
      // A total of a protocol not collected (unix without --unix) reads 0 whether or not it has sockets: say so
      // (the schema keeps the number).
      if (!collected.includes(p)) report.notes.push(`totals.${p}: not counted (--${p} counts ${p} sockets); 0 here does not mean there are none`);
      else report.notes.push(`totals.${p}: counted, but ${p} sockets are not listed in ports and outgoing (--${p} lists them); recommendations cover them`);
    }
    // Escaped as every --json is (printJson); a failed write (| head -c 0: EPIPE; > /dev/full: ENOSPC) is
    // handled once for the CLI (main.ts).
    printJson(report);
    failedHosts(source, snap);
    return;
  }
  if (!process.stdout.isTTY) {
    // `sockscope | head`: a reader that stops early is not an error (main.ts handles EPIPE for every command).
    // --port P: every owner of P's sockets, as --json (one port: cheap with targeted attribution); a port with no
    // listener (CLOSE_WAIT left by a closed one) read '-' here while --json named its process.
    const owners = argv.port !== undefined ? ({ processes: 'all', attribution: 'targeted' } as const) : ({ processes: 'listeners' } as const);
    const snap = await source.collect({ protocols: collectProtocols(protocols), ...owners, port: argv.port });
    const recs = advise({ snapshot: snap, history: [snap], thresholds: config.thresholds, port: argv.port });
    // Several hosts: the header marks a failed one `(failed)`, as the full-screen monitor's does.
    const parts = source instanceof MultiHostSource ? source.partsOf(snap) : undefined;
    const hostMarks = parts?.map((p) => ({ label: p.label, failed: p.error !== undefined }));
    process.stdout.write(plainReport(snap, recs, { protocols, port: argv.port, hosts: hostMarks }));
    failedHosts(source, snap);
    return;
  }
  const ui = await loadUiModules();
  // A snapshot every second for as long as it runs: keep its heap near what is live.
  enableHeapGovernor();
  await runFullScreen(ui, {
    source,
    advise,
    thresholds: config.thresholds,
    keymap,
    theme: createTheme(color),
    intervalMs: config.intervalMs,
    protocols,
    port: argv.port,
    inspector: hosts.length > 0 ? remoteInspector(hosts.join(', ')) : localInspector,
    collectProtocols,
    // `c`: the server generator wizard, starting from the selected port (the App gives it the selected port
    // and its theme's colour).
    Wizard: ui.MonitorWizard,
  });
}
