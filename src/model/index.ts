// The model: Socket, Snapshot, aggregation and history (pure; no OS access).
export * from './socket.js';
export * from './snapshot.js';
export * from './aggregate.js';
export * from './history.js';
export * from './escape.js';
