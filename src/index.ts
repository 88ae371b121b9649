// The public library API of sockscope.
export * from './model/index.js';
export type { SocketSource, CollectOptions } from './collect/source.js';
