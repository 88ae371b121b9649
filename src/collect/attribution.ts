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

/** Starts reading the likely owner of these socket inodes ahead of a targeted attribution (see ProcessAttributor.prefetch). */
export type PrefetchFn = (inodes: readonly number[]) => Promise<void>;

/** Gets ready for a targeted attribution that a dump starting now will ask for (see ProcessAttributor.prepare). */
export type PrepareFn = () => void;

let shared: AttributeFn | null | undefined;
let sharedPrefetch: PrefetchFn | null = null;
let sharedPrepare: PrepareFn | null = null;

/** Installs the attribution function (src/collect/processes.ts registers its cached attributor here). */
export function setAttributor(fn: AttributeFn | null, prefetch: PrefetchFn | null = null, prepare: PrepareFn | null = null): void {
  shared = fn;
  sharedPrefetch = fn ? prefetch : null;
  sharedPrepare = fn ? prepare : null;
}

/** The shared attributor's prepare, or null. */
export function prepareWith(): PrepareFn | null {
  return sharedPrepare;
}

/** The shared attributor's prefetch, or null. */
export function prefetchWith(): PrefetchFn | null {
  return sharedPrefetch;
}

/** The shared attributor, or null when none is available (collectors then use their own, e.g. ss -p). */
export async function attributeWith(): Promise<AttributeFn | null> {
  return shared ?? null;
}
