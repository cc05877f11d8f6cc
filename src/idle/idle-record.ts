import { storedObject } from '../json.js';

// The idle timeout's decisions, as pure functions of what a tab knows. The rules (DESIGN.md, trap 13):
//
// - Idle is per user: a record, a channel and a decision lock per issuer, client and `sub`. Activity in any tab of
//   the user counts for all of them. The record names the OP session (`s`) whose sign-in began its period: a tab
//   that starts for another session (a new sign-in) begins a new period instead of joining the old one.
// - Idle is elapsed time, on the tab's monotonic clock. What tabs share is "activity happened so long ago", never an
//   absolute time of one tab's clock: live tabs tell each other over BroadcastChannel (`ago`, in ms) and through the
//   record in localStorage, whose wall-clock `at` is read only by a tab that joins later — and rewritten by the live
//   tabs whenever they see the wall clock jump.
// - Unknown is not idle: a tab decides the timeout only when it can tell the others (storage written, or a
//   channel); otherwise it reports that it cannot, and signs nobody out.

/**
 * The shared state of one user's idle period (localStorage, one key per user): `s` the OP session whose sign-in began it;
 * `at` the wall-clock time of the latest activity a tab recorded; `n` a fresh value per recorded activity (a change
 * of `at` alone is a correction after a clock jump, not activity); `out` the mark of the tab that decided the timeout.
 */
export interface IdleRecord {
  s: string;
  at: number;
  n: string;
  out?: true;
}

/** Messages between the tabs of one user (BroadcastChannel), checked like any other untrusted input. */
export type IdleMessage =
  /** Activity `ago` ms before the message was sent (a reply to `hello` too). */
  | { t: 'activity'; ago: number }
  /** The sender decided the timeout: every tab of the user signs its user out. */
  | { t: 'timedOut' }
  /** A tab joined: the others answer with their latest activity. */
  | { t: 'hello' };

/** Where a tab stands: `due` once `timeout` ms passed without activity; `warning` within `warning` ms of it. */
export type IdlePhase = 'active' | 'warning' | 'due';

/** A wall-clock change by more than this (against the monotonic clock) is a jump: the system clock was set. */
export const JUMP_TOLERANCE_MS = 1000;

/** Reads a stored record; anything malformed (another script wrote the key) counts as none. */
export function parseIdleRecord(text: string | null): IdleRecord | undefined {
  const { s, at, n, out } = storedObject(text) ?? {};
  if (typeof s !== 'string' || typeof n !== 'string' || typeof at !== 'number' || !Number.isFinite(at)) return undefined;
  return out === true ? { s, at, n, out } : { s, at, n };
}

/** Reads a message from another tab; anything else counts as none. */
export function parseIdleMessage(data: unknown): IdleMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { t, ago } = data as Record<string, unknown>;
  if (t === 'timedOut' || t === 'hello') return { t };
  if (t === 'activity' && typeof ago === 'number' && Number.isFinite(ago)) return { t, ago };
  return undefined;
}

/** How long ago activity was, from a wall-clock time: never in the future, never more than `timeoutMs`. */
export function agoOf(at: number, wallNow: number, timeoutMs: number): number {
  return Math.min(timeoutMs, Math.max(0, wallNow - at));
}

/**
 * How long session `session` has been idle, for a tab that starts watching it: from the record while its period is
 * still running; `undefined` (start a new period) for no record, another session's, a timed-out one, or one whose
 * timeout passed while no tab was open — idle time is measured while the app is open, and a record left from an
 * earlier period must never sign out someone who just signed in. A record from the future (the clock was set
 * back since) counts as activity now.
 */
export function joiningIdleFor(record: IdleRecord | undefined, session: string, wallNow: number, timeoutMs: number): number | undefined {
  if (!record || record.out || record.s !== session) return undefined;
  const ago = wallNow - record.at;
  return ago >= timeoutMs ? undefined : Math.max(0, ago);
}

/** The phase after `idleFor` ms without activity. */
export function idlePhase(idleFor: number, timeoutMs: number, warningMs: number): IdlePhase {
  if (idleFor >= timeoutMs) return 'due';
  return idleFor >= timeoutMs - warningMs ? 'warning' : 'active';
}

/** True when the wall clock moved against the monotonic one since the last look: it was set. */
export function clockJumped(previousOffset: number, offset: number): boolean {
  return Math.abs(offset - previousOffset) > JUMP_TOLERANCE_MS;
}

/**
 * Whether a tab may decide the timeout: only when its decision reaches the other tabs of the user, through storage
 * it could write or through a channel. Otherwise another tab's activity may be unknown here, and unknown is not idle.
 */
export function canDecide(storageWritable: boolean, hasChannel: boolean): boolean {
  return storageWritable || hasChannel;
}

/**
 * The session a signed-in user belongs to, as the record names it: the OP session id (`sid`) and the time of the
 * authentication (`auth_time`) of the ID token's claims. A sign-in into a new OP session changes it; a silent
 * renewal or a reload does not.
 */
export function sessionTag(claims: { sid?: unknown; auth_time?: unknown } | undefined): string {
  const sid = typeof claims?.sid === 'string' ? claims.sid : '';
  const authTime = typeof claims?.auth_time === 'number' ? String(claims.auth_time) : '';
  return `${sid} ${authTime}`;
}
