// Freezing the tables the library exports (SOCKET_OPTIONS, ALL_ERRORS, the errno tables): a caller's write to one
// must not change a later lookup in the process (README: results are isolated from shared state).

/** Freezes an object and everything it holds; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
