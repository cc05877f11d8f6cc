/**
 * Delay before retry number `attempt` (1-based): `base * 2^(attempt-1)`, capped at `max`, with ±20 % jitter
 * so that many tabs or clients recovering from one outage do not hit the OP in step.
 */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const exponential = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jitter = 1 + (random() * 0.4 - 0.2);
  return Math.max(0, Math.round(Math.min(max, exponential * jitter)));
}
