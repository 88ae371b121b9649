// Chooses the collector: `--source auto|netlink|ss|procfs|netstat`. The only place that asks what the host has.
import type { Snapshot, SourceName } from '../model/snapshot.js';
import { logOsCall } from './debug.js';
import { NetlinkSource } from './netlink.js';
// Registers the shared, cached process attributor (inode -> pid, name, fd) used by every collector.
import './processes.js';
import { CollectorError, type CollectOptions, type SocketSource } from './source.js';
import { withProcessLimits } from './proc-limits.js';
import { scheduleReclaim } from './heap-governor.js';

export type SourceChoice = 'auto' | Exclude<SourceName, 'fixture' | 'remote'>;

type Factory = () => SocketSource;

/**
 * A collector whose module loads on its first collect(): where netlink works (the default), the ss, procfs and
 * netstat collectors and their parsers are never loaded (one-shot commands start faster: README, Start-up).
 */
class LazySource implements SocketSource {
  private inner: Promise<SocketSource> | undefined;
  constructor(
    readonly name: SourceName,
    private readonly load: () => Promise<SocketSource>,
  ) {}
  collect(opts?: CollectOptions): Promise<Snapshot> {
    this.inner ??= this.load();
    return this.inner.then((s) => s.collect(opts));
  }
}

/** Collectors by name, in auto-mode order (first that works wins). */
const FACTORIES: [Exclude<SourceChoice, 'auto'>, Factory][] = [
  ['netlink', () => new NetlinkSource()],
  ['ss', () => new LazySource('ss', async () => new (await import('./ss.js')).SsSource())],
  ['procfs', () => new LazySource('procfs', async () => new (await import('./procfs.js')).ProcfsSource())],
  ['netstat', () => new LazySource('netstat', async () => new (await import('./netstat.js')).NetstatSource())],
];

/** Registers a collector (used by collectors that live in their own files); `first` puts it at the front of auto order. */
export function registerSource(name: Exclude<SourceChoice, 'auto'>, factory: Factory, first = false): void {
  const i = FACTORIES.findIndex(([n]) => n === name);
  if (i >= 0) FACTORIES.splice(i, 1);
  if (first) FACTORIES.unshift([name, factory]);
  else FACTORIES.push([name, factory]);
}

/** Names of the known collectors, auto order. */
export function sourceNames(): string[] {
  return FACTORIES.map(([n]) => n);
}

/**
 * Auto mode: tries each collector in order until one succeeds, remembers the winner for later polls,
 * and records in the snapshot why earlier ones were skipped.
 */
class AutoSource implements SocketSource {
  private chosen: SocketSource | undefined;
  private skipped: string[] = [];
  get name(): SourceName {
    return this.chosen?.name ?? 'ss';
  }

  async collect(opts?: CollectOptions): Promise<Snapshot> {
    if (this.chosen) {
      try {
        return this.annotate(await this.chosen.collect(opts));
      } catch (e) {
        logOsCall('auto', `${this.chosen.name} failed, trying others`, 0, undefined, (e as Error).message);
        this.skipped.push(`${this.chosen.name}: ${(e as Error).message}`);
        this.chosen = undefined;
      }
    }
    const errors: string[] = [];
    // Each collector's error itself, as the cause: whether retrying can cure auto's failure is whether it can cure
    // any of them (export's lastingFailure reads their codes; the message alone has none).
    const causes: unknown[] = [];
    for (const [name, make] of FACTORIES) {
      try {
        const src = make();
        const snap = await src.collect(opts);
        this.chosen = src;
        this.skipped = errors.slice();
        return this.annotate(snap);
      } catch (e) {
        const msg = e instanceof CollectorError ? e.message : `${name}: ${(e as Error).message}`;
        logOsCall('auto', `${name} unavailable`, 0, undefined, msg);
        errors.push(msg);
        causes.push(e);
      }
    }
    throw new CollectorError('auto', `no collector worked (${errors.join('; ')})`, new AggregateError(causes, 'every collector failed'));
  }

  private annotate(s: Snapshot): Snapshot {
    const note = this.skipped.length ? `auto: chose ${s.source} (${this.skipped.join('; ')})` : `auto: chose ${s.source}`;
    return { ...s, sourceNote: s.sourceNote ? `${note}; ${s.sourceNote}` : note };
  }
}

/**
 * Adds what every local snapshot carries besides the sockets: open-file counts and limits of the
 * processes that own sockets (for the "near its open-file limit" rule), when owners were asked for.
 */
class LocalSource implements SocketSource {
  constructor(private readonly inner: SocketSource) {}
  get name(): SourceName {
    return this.inner.name;
  }
  async collect(opts?: CollectOptions): Promise<Snapshot> {
    const snap = await this.inner.collect(opts);
    scheduleReclaim();
    return (opts?.processes ?? 'listeners') === 'none' ? snap : withProcessLimits(snap);
  }
}

/** Creates the collector for a `--source` choice. Unknown names are a programming error (yargs validates choices). */
export function createSource(choice: SourceChoice = 'auto'): SocketSource {
  if (choice === 'auto') return new LocalSource(new AutoSource());
  const f = FACTORIES.find(([n]) => n === choice);
  if (!f) throw new CollectorError(choice, `collector "${choice}" is not available in this build (known: ${sourceNames().join(', ')})`);
  return new LocalSource(f[1]());
}

export { CollectorError } from './source.js';
export type { CollectOptions, SocketSource } from './source.js';
