import type { ElapsedClock } from '../../src/platform.js';

/**
 * A manual clock: timers run only when the test advances time. `monotonic()` and the timers follow elapsed time;
 * `now()` (the wall clock) also moves with {@link FakeClock.jump}, as when the system clock is set.
 */
export class FakeClock implements ElapsedClock {
  #now = 1_000_000;
  #wallOffset = 0;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now + this.#wallOffset;
  }

  monotonic(): number {
    return this.#now;
  }

  /** Sets the wall clock `ms` forward (negative: back) without any time passing. */
  jump(ms: number): void {
    this.#wallOffset += ms;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), callback });
    return id;
  }

  setInterval(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    const period = Math.max(1, ms);
    const arm = (at: number) => this.#timers.set(id, { at, callback: () => (arm(this.#now + period), callback()) });
    arm(this.#now + period);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Number of timers still pending: a stopped monitor must leave none. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Delay until the next timer, or undefined when none is pending. */
  get nextDelay(): number | undefined {
    let next: number | undefined;
    for (const { at } of this.#timers.values()) next = next === undefined ? at : Math.min(next, at);
    return next === undefined ? undefined : next - this.#now;
  }

  /** Moves time forward by `ms`, running due timers in order and letting promises settle in between. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await flush();
      let dueId: number | undefined;
      let dueAt = Infinity;
      for (const [id, { at }] of this.#timers) {
        if (at <= end && at < dueAt) {
          dueAt = at;
          dueId = id;
        }
      }
      if (dueId === undefined) break;
      const timer = this.#timers.get(dueId)!;
      this.#timers.delete(dueId);
      this.#now = timer.at;
      timer.callback();
    }
    this.#now = end;
    await flush();
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
