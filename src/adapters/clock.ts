/** The wall clock, in seconds since the epoch: the time serve and once pass to the pure core. */
export function now(): number {
  return Date.now() / 1000;
}
