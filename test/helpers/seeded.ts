/** A small seeded generator: rnd(n) is 0..n-1, the same sequence on every run. */
export function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
}
