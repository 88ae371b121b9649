// Several hosts read as one source (several --host in the monitor): every socket carries its host's label.
import type { Snapshot } from '../model/snapshot.js';
import { CollectorError, type CollectOptions, type SocketSource } from './source.js';

/** One host's own snapshot data from the last collection (the advice runs per host on these). */
export interface HostPart {
  label: string;
  /** The host's own snapshot (its sockets tagged with the label); undefined when the host failed. */
  snapshot?: Snapshot;
  error?: string;
}

export class MultiHostSource implements SocketSource {
  readonly name: Snapshot['source'];
  /** Per host, from the last collect(): keyed by the merged snapshot it belongs to. */
  private parts = new WeakMap<Snapshot, HostPart[]>();

  constructor(private readonly hosts: readonly { label: string; source: SocketSource }[]) {
    if (hosts.length === 0) throw new Error('MultiHostSource needs at least one host');
    this.name = hosts[0].source.name;
  }

  /** The per-host snapshots a merged snapshot was made of (undefined for a snapshot this source did not make). */
  partsOf(merged: Snapshot): readonly HostPart[] | undefined {
    return this.parts.get(merged);
  }

  async collect(opts: CollectOptions = {}): Promise<Snapshot> {
    const t0 = performance.now();
    const time = Date.now();
    const results = await Promise.allSettled(this.hosts.map((h) => h.source.collect(opts)));
    const parts: HostPart[] = [];
    const notes: string[] = [];
    let first: Snapshot | undefined;
    let firstLabel = '';
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      const { label } = this.hosts[i];
      if (r.status === 'rejected') {
        const message = r.reason instanceof Error ? r.reason.message : String(r.reason);
        parts.push({ label, error: message });
        notes.push(`${label}: ${message}`);
        continue;
      }
      const snap = r.value;
      for (const s of snap.sockets) s.host = label; // sockets are fresh objects of this collection
      parts.push({ label, snapshot: snap });
      for (const n of snap.notes) notes.push(`${label}: ${n}`);
      if (!first) {
        first = snap;
        firstLabel = label;
      }
    }
    if (!first) {
      throw new CollectorError(
        this.hosts.map((h) => h.label).join(', '),
        `every host failed: ${parts.map((p) => `${p.label}: ${p.error}`).join('; ')}`,
      );
    }
    notes.push(`several hosts: kernel counters and sysctls shown are ${firstLabel}'s (socket counts cover every host); recommendations are made per host`);
    const ok = parts.filter((p) => p.snapshot).map((p) => p.snapshot!);
    const merged: Snapshot = {
      time,
      hostname: this.hosts.map((h) => h.label).join(', '),
      kernel: first.kernel,
      source: first.source,
      sourceNote: ok.map((s, i) => `${parts.filter((p) => p.snapshot)[i].label}: ${s.sourceNote ?? s.source}`).join('; '),
      durationMs: performance.now() - t0,
      sockets: ok.flatMap((s) => s.sockets),
      counters: first.counters,
      sysctls: first.sysctls,
      attribution: {
        scope: first.attribution.scope,
        complete: ok.every((s) => s.attribution.complete),
        hiddenProcesses: ok.reduce((a, s) => a + s.attribution.hiddenProcesses, 0),
        note: ok.map((s) => s.attribution.note).filter((n) => n).join('; ') || undefined,
      },
      notes,
    };
    this.parts.set(merged, parts);
    return merged;
  }
}
