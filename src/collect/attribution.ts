// One process-attribution cache per process, shared by every collector (inode -> pid, name, fd).
import type { Socket } from '../model/socket.js';
import type { AttributionInfo } from '../model/snapshot.js';

export type AttributeFn = (sockets: Socket[], scope: 'listeners' | 'all') => Promise<AttributionInfo>;

let shared: AttributeFn | null | undefined;

/** Installs the attribution function (src/collect/processes.ts registers its cached attributor here). */
export function setAttributor(fn: AttributeFn | null): void {
  shared = fn;
}

/** The shared attributor, or null when none is available (collectors then use their own, e.g. ss -p). */
export async function attributeWith(): Promise<AttributeFn | null> {
  return shared ?? null;
}
