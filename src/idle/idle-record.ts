import { storedObject } from '../json.js';

/**
 * The app's one idle deadline, shared by its tabs through localStorage: `deadline` (ms since the epoch) is the last
 * activity any tab recorded plus the timeout; `timedOut` marks the deadline that ended in a sign-out, written once,
 * under the decision lock, by the one tab that decided.
 */
export interface IdleRecord {
  deadline: number;
  timedOut?: true;
}

/** Where a tab stands against the shared deadline. */
export type IdlePhase = 'active' | 'warning' | 'due';

/** Reads a stored record; anything malformed (another script wrote the key) counts as none. */
export function parseIdleRecord(text: string | null): IdleRecord | undefined {
  const { deadline, timedOut } = storedObject(text) ?? {};
  if (typeof deadline !== 'number' || !Number.isFinite(deadline)) return undefined;
  return timedOut === true ? { deadline, timedOut } : { deadline };
}

/**
 * The deadline a tab that starts watching works to: the shared one while it is still ahead (a tab opened or
 * reloaded later joins it); otherwise a new period from now. A deadline that passed while no tab of the app was
 * open starts a new period too: idle time is measured while the app is open (a closed browser is the OP's and the
 * tokens' business), and an old record must never sign out a user who has just signed in again.
 */
export function startingDeadline(record: IdleRecord | undefined, now: number, timeoutMs: number): { deadline: number; fresh: boolean } {
  if (record && !record.timedOut && record.deadline > now) return { deadline: record.deadline, fresh: false };
  return { deadline: now + timeoutMs, fresh: true };
}

/** Activity at `at` moves the deadline to `at + timeout`, never back: another tab may have seen later activity. */
export function deadlineAfterActivity(current: number, record: IdleRecord | undefined, at: number, timeoutMs: number): number {
  return Math.max(current, record && !record.timedOut ? record.deadline : 0, at + timeoutMs);
}

/** `due` from the deadline on; `warning` within `warningMs` of it. */
export function idlePhase(deadline: number, now: number, warningMs: number): IdlePhase {
  if (now >= deadline) return 'due';
  return now >= deadline - warningMs ? 'warning' : 'active';
}
