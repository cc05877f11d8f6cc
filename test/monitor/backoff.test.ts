import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/monitor/backoff.js';

// README: retries back off exponentially from `interval` up to `maxRetryDelay`, with ±20 % jitter, so that the tabs
// and clients recovering from one outage do not hit the OP in step.

describe('backoffDelay', () => {
  it('doubles from the base per attempt, up to the cap', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, 1000, 8000, middle))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('jitters by ±20 %: 0.8 to 1.2 times the delay, spread over the whole range', () => {
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(800);
    expect(backoffDelay(1, 1000, 60_000, () => 0.25)).toBe(900);
    expect(backoffDelay(1, 1000, 60_000, () => 0.75)).toBe(1100);
    expect(backoffDelay(3, 1000, 60_000, () => 0.999_999)).toBe(4800);
  });

  it('never exceeds the cap, jitter included, and is never negative or unbounded', () => {
    expect(backoffDelay(10, 1000, 8000, () => 0.999_999)).toBe(8000);
    expect(backoffDelay(10, 1000, 8000, () => 0)).toBe(6400);
    expect(backoffDelay(0, 1000, 8000, () => 0.5)).toBe(1000);
    expect(backoffDelay(10_000, 1000, 8000, () => 0.5)).toBe(8000);
  });
});
