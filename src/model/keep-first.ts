// Keeping the first k of many items in an order without sorting them all.

/**
 * Adds `x` to `top` (the first at most `k` items so far, in `order`) if it belongs there, as a stable sort and
 * slice(0, k) would keep them: after every kept item it does not come before (an equal one came earlier in the
 * input). An item that does not come before the last of a full `top` costs one comparison; a kept one at most k
 * moves, made by hand (splice would make an array of the removed on every call).
 */
export function keepFirst<T>(top: T[], x: T, k: number, order: (a: T, b: T) => number): void {
  if (top.length >= k && (k <= 0 || !(order(x, top[k - 1]) < 0))) return;
  if (top.length >= k) top.pop();
  let i = top.length;
  top.push(x);
  while (i > 0 && order(x, top[i - 1]) < 0) {
    top[i] = top[i - 1];
    i--;
  }
  top[i] = x;
}

/** The first `k` of `items` in `order` (stable: ties keep their input order), holding only k at a time. */
export function firstInOrder<T>(items: Iterable<T>, k: number, order: (a: T, b: T) => number): T[] {
  const top: T[] = [];
  for (const x of items) keepFirst(top, x, k, order);
  return top;
}
