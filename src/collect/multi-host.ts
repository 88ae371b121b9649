// Several hosts read as one source (several --host in the monitor): every socket carries its host's label.
import { noteHostComplete, REMOTE_SHORT_NOTE, remoteShortNote } from '../model/owner.js';
import type { Snapshot } from '../model/snapshot.js';
import { CollectorError, type CollectOptions, type SocketSource } from './source.js';

/** One host's own snapshot data from the last collection (the advice runs per host on these). */
export interface HostPart {
  label: string;
  /** The host's own snapshot (its sockets tagged with the label); undefined when the host failed. */
  snapshot?: Snapshot;
  error?: string;
}

/** One host's latest result and the collection still running for it, if any. */
interface HostState {
  /**
   * The collections running now, one after another (never rejects: each stores its outcome). It ends
   * once a collection made for `wanted` has: one started for other options is followed by one for these.
   */
  running?: Promise<void>;
  /** When the collection running now started (ms, Date.now()). */
  startedAt?: number;
  /** The options of the latest refresh, and their key (optionsKey). */
  wanted?: { opts: CollectOptions; key: string };
  /** The latest outcome and the key of the options it was made for. */
  last?: ({ snapshot: Snapshot } | { error: string }) & { key: string };
  /** When `last` came (ms, Date.now()). */
  lastAt?: number;
}

/** Which options a collection was made for: a host's sockets are shown only under the options they were read with. */
function optionsKey(opts: CollectOptions): string {
  return JSON.stringify(opts);
}

/** A source that can stop what it has running (RemoteSource: its ssh children). */
interface Closable {
  close?(): void;
}

/**
 * How long a refresh waits for the slowest host once every other host has answered (or, with no host
 * answered yet, once one has). A host still reading then is shown from its last snapshot, with its
 * age, and its collection goes on into a later refresh: one hung host held every refresh back to its
 * 20 s timeout, so the others were read every ~21 s under a header that said every 1s.
 */
export const SLOW_HOST_WAIT_MS = 1500;

export class MultiHostSource implements SocketSource {
  readonly name: Snapshot['source'];
  /** Per host, from the last collect(): keyed by the merged snapshot it belongs to. */
  private parts = new WeakMap<Snapshot, HostPart[]>();
  private readonly states: HostState[];
  private closed = false;

  /**
   * `opts.waitForAll`: every collect waits for every host (one-shot output: --json, a plain table), as
   * each host's own timeout allows; otherwise a refresh waits at most SLOW_HOST_WAIT_MS (`slowHostWaitMs`)
   * for hosts still reading once the others are done.
   */
  constructor(
    private readonly hosts: readonly { label: string; source: SocketSource }[],
    private readonly opts: { waitForAll?: boolean; slowHostWaitMs?: number } = {},
  ) {
    if (hosts.length === 0) throw new Error('MultiHostSource needs at least one host');
    this.name = hosts[0].source.name;
    this.states = hosts.map(() => ({}));
  }

  /** The per-host snapshots a merged snapshot was made of (undefined for a snapshot this source did not make). */
  partsOf(merged: Snapshot): readonly HostPart[] | undefined {
    return this.parts.get(merged);
  }

  /**
   * Starts a collection for every host that has none running. A host still reading for other options
   * (the monitor asks for other ones on a filter change, a drill-down, the peer table) reads again for
   * these once that ends: its old result answered an older refresh, and showing it here put a slow
   * host's port-80 sockets under a port-443 filter. The promise settles when every host has answered
   * for these options.
   */
  private start(opts: CollectOptions): Promise<void[]> {
    const key = optionsKey(opts);
    return Promise.all(
      this.states.map((st, i) => {
        st.wanted = { opts, key };
        if (!st.running) {
          const running = this.launch(i);
          st.running = running;
          void running.finally(() => {
            if (st.running === running) st.running = undefined;
          });
        }
        return st.running;
      }),
    );
  }

  /** One collection for host i with the wanted options, then another while the wanted options changed meanwhile. */
  private launch(i: number): Promise<void> {
    const st = this.states[i];
    const { opts, key } = st.wanted!;
    st.startedAt = Date.now();
    return this.hosts[i].source
      .collect(opts)
      .then(
        (snapshot) => {
          for (const s of snapshot.sockets) s.host = this.hosts[i].label; // sockets are fresh objects of this collection
          noteHostComplete(this.hosts[i].label, snapshot.attribution.complete === true);
          st.last = { snapshot, key };
          st.lastAt = Date.now();
        },
        (e: unknown) => {
          st.last = { error: e instanceof Error ? e.message : String(e), key };
          st.lastAt = Date.now();
        },
      )
      .then(() => (!this.closed && st.wanted!.key !== key ? this.launch(i) : undefined));
  }

  /**
   * Stops every host's collection still running (the monitor quitting): a hung host's ssh would
   * otherwise outlive sockscope. Collections started after this are not followed by new ones.
   */
  close(): void {
    this.closed = true;
    for (const h of this.hosts) (h.source as Closable).close?.();
  }

  /** Resolves when every host has answered, or SLOW_HOST_WAIT_MS after the first one has in this refresh. */
  private async settle(all: Promise<unknown>): Promise<void> {
    if (this.opts.waitForAll) return void (await all);
    const wait = this.opts.slowHostWaitMs ?? SLOW_HOST_WAIT_MS;
    let timer: NodeJS.Timeout | undefined;
    const patience = (async () => {
      await Promise.race(this.states.map((st) => st.running ?? Promise.resolve()));
      await new Promise<void>((r) => (timer = setTimeout(r, wait)));
    })();
    await Promise.race([all, patience]);
    clearTimeout(timer);
  }

  /** The merged attribution's note and short wording: those of the hosts whose attribution is incomplete. */
  private incompleteNote(parts: readonly HostPart[]): Pick<Snapshot['attribution'], 'note' | 'short'> {
    const open = parts.filter((p) => p.snapshot && !p.snapshot.attribution.complete);
    const note = open.map((p) => p.snapshot!.attribution.note).filter((n) => n).join('; ') || undefined;
    if (!note) return {};
    // Each names its host; the short ones (REMOTE_SHORT_NOTE) do not, so the hosts are named here when not every one is.
    const all = open.length === parts.filter((p) => p.snapshot).length;
    const short = open.every((p) => p.snapshot!.attribution.short === REMOTE_SHORT_NOTE) ? (all ? REMOTE_SHORT_NOTE : remoteShortNote(open.map((p) => p.label))) : undefined;
    return short ? { note, short } : { note };
  }

  async collect(opts: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const key = optionsKey(opts);
    await this.settle(this.start(opts));
    const parts: HostPart[] = [];
    const notes: string[] = [];
    // What the full-screen monitor's header shows of each host (it shows the hostname, not the notes).
    const shown: string[] = [];
    let first: Snapshot | undefined;
    let firstLabel = '';
    let firstStale = false;
    for (let i = 0; i < this.states.length; i++) {
      const st = this.states[i];
      const { label } = this.hosts[i];
      const readingFor = st.running !== undefined ? `${Math.round((Date.now() - (st.startedAt ?? time)) / 1000)} s` : undefined;
      const reading = readingFor ? ` (reading for ${readingFor})` : '';
      if (!st.last || 'error' in st.last) {
        const message = st.last ? `${st.last.error}${readingFor ? ` (retrying for ${readingFor})` : ''}` : `no answer yet${reading}`;
        parts.push({ label, error: message });
        notes.push(`${label}: ${message}`);
        shown.push(`${label} (${st.last ? 'failed' : 'no answer yet'})`);
        continue;
      }
      if (st.last.key !== key) {
        // Read for other options (another filter or view) and not yet for these: those sockets would
        // not match what this refresh asked for, so none are shown until the host answers for it.
        const message = `no answer yet for this view${reading}`;
        parts.push({ label, error: message });
        notes.push(`${label}: ${message}`);
        shown.push(`${label} (no answer yet)`);
        continue;
      }
      const snap = st.last.snapshot;
      parts.push({ label, snapshot: snap });
      const stale = (st.lastAt ?? time) < time;
      if (stale) {
        // Not answered in this refresh: its last snapshot, with how old it is.
        const age = Math.max(1, Math.round((time - (st.lastAt ?? time)) / 1000));
        notes.push(`${label}: still reading; its sockets are from ${age} s ago${reading}`);
        shown.push(`${label} (${age} s old)`);
      } else shown.push(label);
      for (const n of snap.notes) notes.push(`${label}: ${n}`);
      if (!first) {
        first = snap;
        firstLabel = label;
        firstStale = stale;
      }
    }
    if (!first) {
      // A host that has not answered yet is still being read (given up only at its timeout), not failed:
      // "every host failed: web1: no answer yet (reading for 5 s)" said it had.
      const still = this.states.map((st) => !st.last || !('error' in st.last));
      const failed = parts.filter((_, i) => !still[i]);
      const text = still.some((r) => r)
        ? `no host to show yet: ${parts.map((p, i) => (still[i] ? `${p.label}: ${p.error}` : `${p.label} failed: ${p.error}`)).join('; ')}`
        : `every host failed: ${failed.map((p) => `${p.label}: ${p.error}`).join('; ')}`;
      throw new CollectorError(this.hosts.map((h) => h.label).join(', '), text);
    }
    notes.push(`several hosts: kernel counters and sysctls shown are ${firstLabel}'s (socket counts cover every host); recommendations are made per host`);
    const ok = parts.filter((p) => p.snapshot).map((p) => p.snapshot!);
    const merged: Snapshot = {
      time,
      // One-shot output names the hosts as given (--json's `host`); the monitor's header also says which are stale or failed.
      hostname: this.opts.waitForAll ? this.hosts.map((h) => h.label).join(', ') : shown.join(', '),
      kernel: first.kernel,
      source: first.source,
      sourceNote: ok.map((s, i) => `${parts.filter((p) => p.snapshot)[i].label}: ${s.sourceNote ?? s.source}`).join('; '),
      durationMs: performance.now() - t0,
      sockets: ok.flatMap((s) => s.sockets),
      // A stale host's counters are the ones already merged into an earlier refresh: under this
      // refresh's time they made every rate from the history 0/s (retransmits, UDP drops) where it is
      // unknown. The host's own part keeps them, with its own time.
      counters: firstStale ? { netstat: null, snmp: null, sockstat: null } : first.counters,
      sysctls: first.sysctls,
      attribution: {
        scope: first.attribution.scope,
        complete: ok.every((s) => s.attribution.complete),
        hiddenProcesses: ok.reduce((a, s) => a + s.attribution.hiddenProcesses, 0),
        // Only the hosts that do not see every process: a root host's "processes on lo are those its ss -p
        // shows to root" took the header's room before the host whose user sees only its own.
        ...this.incompleteNote(parts),
      },
      notes,
    };
    this.parts.set(merged, parts);
    return merged;
  }
}
