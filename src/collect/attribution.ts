// One process-attribution cache per process, shared by every collector (inode -> pid, name, fd).
import type { Socket } from '../model/socket.js';
import type { AttributionInfo } from '../model/snapshot.js';

export type AttributeFn = (sockets: Socket[], scope: 'listeners' | 'all') => Promise<AttributionInfo>;

/**
 * How far the shared attributor reads: 'every' process, kept up to date from poll to poll (the monitor,
 * the exporter, the library), or only the processes 'targeted' at the sockets asked about (one-shot
 * commands such as `analyze --port P`, where reading every fd of the host would cost more than the rest
 * of the command). See AttributeOptions.targeted in processes.ts for what a targeted pass reads.
 */
export type AttributionReach = 'every' | 'targeted';

let shared: AttributeFn | null | undefined;
let reach: AttributionReach = 'every';

/** Installs the attribution function (src/collect/processes.ts registers its cached attributor here). */
export function setAttributor(fn: AttributeFn | null): void {
  shared = fn;
}

/** The shared attributor, or null when none is available (collectors then use their own, e.g. ss -p). */
export async function attributeWith(): Promise<AttributeFn | null> {
  return shared ?? null;
}

/** Chooses how far the shared attributor reads for the rest of this process (default 'every'). */
export function setAttributionReach(r: AttributionReach): void {
  reach = r;
}

/** The reach chosen with setAttributionReach. */
export function attributionReach(): AttributionReach {
  return reach;
}
