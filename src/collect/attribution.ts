// One process-attribution cache per process, shared by every collector (inode -> pid, name, fd).
import type { Socket } from '../model/socket.js';
import type { AttributionInfo } from '../model/snapshot.js';

/**
 * How far the shared attributor reads: 'every' process, kept up to date from poll to poll (the monitor,
 * the exporter, the library), or only the processes 'targeted' at the sockets asked about (one-shot
 * commands such as `analyze --port P`, where reading every fd of the host would cost more than the rest
 * of the command). See AttributeOptions.targeted in processes.ts for what a targeted pass reads.
 * Chosen per collection with CollectOptions.attribution.
 */
export type AttributionReach = 'every' | 'targeted';

/** Per-call choices of an attribution (collectors pass on what their CollectOptions ask for). */
export interface AttributeCallOptions {
  /** Default 'every'. */
  reach?: AttributionReach;
}

export type AttributeFn = (sockets: Socket[], scope: 'listeners' | 'all', opts?: AttributeCallOptions) => Promise<AttributionInfo>;

let shared: AttributeFn | null | undefined;

/** Installs the attribution function (src/collect/processes.ts registers its cached attributor here). */
export function setAttributor(fn: AttributeFn | null): void {
  shared = fn;
}

/** The shared attributor, or null when none is available (collectors then use their own, e.g. ss -p). */
export async function attributeWith(): Promise<AttributeFn | null> {
  return shared ?? null;
}
