/**
 * How many random sequences a property test runs. Under mutation testing (`npm run mutate`, which sets
 * STRYKER_MUTATOR_WORKER in its workers) each property runs a tenth of its sequences, at least `floor`: the same seed
 * draws the same first sequences, so a mutant is judged on a prefix of what `npm test` runs. Without this, each of
 * the thousands of mutants would wait for every property's full count, and a run would take many hours on 2 cores.
 * The full count is what `npm test` and CI run.
 */
export function propertyRuns(full: number, floor = 20): number {
  return process.env.STRYKER_MUTATOR_WORKER === undefined ? full : Math.max(floor, Math.ceil(full / 10));
}

/**
 * How often a property's run must have reached a case for the property to mean something, scaled like
 * {@link propertyRuns}: under mutation testing a twentieth (a tenth of the runs, with room for the prefix's spread).
 */
export function reachedAtLeast(full: number): number {
  return process.env.STRYKER_MUTATOR_WORKER === undefined ? full : Math.floor(full / 20);
}
