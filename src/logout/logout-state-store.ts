/**
 * Pending logout `state` values, kept in the browser between the redirect to the OP and the return to
 * `post_logout_redirect_uri`, each with the app's data and an expiry.
 *
 * Storage: **`sessionStorage`** by default. RP-initiated logout is a top-level navigation in the same
 * tab, there and back, and `sessionStorage` survives that round trip for the same origin while being
 * private to the tab: a `state` issued in one tab cannot be redeemed in another, and nothing lingers
 * after the tab is closed. `localStorage` would add cross-tab reach that this flow never needs. The
 * consequence: `post_logout_redirect_uri` must have the origin of the page that called `logout()`.
 *
 * All pending values live under one key ({@link LOGOUT_STATE_STORAGE_KEY}) as JSON, capped at
 * {@link MAX_PENDING_STATES}; expired ones are pruned on every read and write.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 * @module
 */
import { ErrorCode, OidcSessionMonitorError } from '../errors.js';
import { storedObject } from '../json.js';
import type { Clock, KeyValueStorage } from '../platform.js';
import { isWellFormedState } from './random-state.js';

/** The storage key of the pending logout states. */
export const LOGOUT_STATE_STORAGE_KEY = 'oidc-session-monitor:logout-states';

/**
 * How long a logout `state` stays redeemable: 10 minutes. Long enough for an OP that asks "Do you want
 * to sign out?" and a user who hesitates; short enough that a leaked value soon stops mattering.
 */
export const DEFAULT_LOGOUT_STATE_MAX_AGE_MS = 10 * 60 * 1000;

/** At most this many logouts can be pending in one tab; the oldest are dropped beyond it. */
export const MAX_PENDING_STATES = 10;

interface PendingState {
  /** Expiry, milliseconds since the epoch. */
  exp: number;
  data?: unknown;
}

/** The ports the store needs. */
export interface LogoutStateStorePorts {
  storage: KeyValueStorage;
  clock: Pick<Clock, 'now'>;
}

function storageError(action: string, cause: unknown): OidcSessionMonitorError {
  return new OidcSessionMonitorError(
    ErrorCode.StorageUnavailable,
    `Could not ${action} the logout state in sessionStorage (disabled, full, or blocked by the browser). Allow site storage for this origin.`,
    { cause },
  );
}

function read(storage: KeyValueStorage): Map<string, PendingState> {
  let raw: string | null;
  try {
    raw = storage.getItem(LOGOUT_STATE_STORAGE_KEY);
  } catch (cause) {
    throw storageError('read', cause);
  }
  const pending = new Map<string, PendingState>();
  for (const [state, entry] of Object.entries(storedObject(raw) ?? {})) {
    const exp = (entry as { exp?: unknown } | null)?.exp;
    if (typeof exp === 'number' && Number.isFinite(exp)) pending.set(state, entry as PendingState);
  }
  return pending;
}

function prune(pending: Map<string, PendingState>, now: number): void {
  for (const [state, entry] of pending) if (entry.exp <= now) pending.delete(state);
  const byExpiry = [...pending].sort((a, b) => a[1].exp - b[1].exp);
  for (const [state] of byExpiry.slice(0, Math.max(0, pending.size - MAX_PENDING_STATES))) pending.delete(state);
}

function write(storage: KeyValueStorage, pending: Map<string, PendingState>): void {
  if (pending.size === 0) storage.removeItem(LOGOUT_STATE_STORAGE_KEY);
  else storage.setItem(LOGOUT_STATE_STORAGE_KEY, JSON.stringify(Object.fromEntries(pending)));
}

/**
 * Throws a `TypeError` (naming the `state` option) unless `data` survives a JSON round trip. Checked
 * before any logout step so that bad app data cannot abort a logout half way.
 */
export function validateLogoutStateData(data: unknown): void {
  try {
    JSON.stringify(data);
  } catch (cause) {
    throw new TypeError('state (the app data returned by handleLogoutCallback) must be JSON-serializable.', { cause });
  }
}

/**
 * Stores `state` with the app's `data` and an expiry, pruning expired and surplus entries.
 * Rejects with `storage_unavailable` when the storage throws.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function saveLogoutState(
  ports: LogoutStateStorePorts,
  state: string,
  data?: unknown,
  maxAgeMs: number = DEFAULT_LOGOUT_STATE_MAX_AGE_MS,
): void {
  const now = ports.clock.now();
  const pending = read(ports.storage);
  // Stryker disable next-line ConditionalExpression: a false test stores { exp, data: undefined }, which JSON.stringify writes exactly as { exp } (and nothing else reads the map), so no observer could tell; the true variant goes with it
  pending.set(state, data === undefined ? { exp: now + maxAgeMs } : { exp: now + maxAgeMs, data });
  prune(pending, now);
  try {
    write(ports.storage, pending);
  } catch (cause) {
    throw storageError('save', cause);
  }
}

/**
 * Redeems `state` exactly once: removes it and returns its app data. Throws an
 * {@link OidcSessionMonitorError}: `logout_state_mismatch` for a value this tab did not issue or already
 * redeemed, `logout_state_expired` for one older than its maximum age (it is removed too), and
 * `storage_unavailable` when the storage fails — including when the redeemed entry cannot be deleted,
 * since a value that cannot be deleted could be replayed.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout
 */
export function consumeLogoutState(ports: LogoutStateStorePorts, state: string): { data: unknown } {
  const now = ports.clock.now();
  const pending = read(ports.storage);
  const entry = isWellFormedState(state) ? pending.get(state) : undefined;
  pending.delete(state);
  prune(pending, now);
  try {
    write(ports.storage, pending);
  } catch (cause) {
    if (entry) throw storageError('remove', cause);
    // Nothing was redeemed, so a failed clean-up risks nothing; the mismatch below is the real news.
  }
  if (!entry) {
    throw new OidcSessionMonitorError(
      ErrorCode.LogoutStateMismatch,
      'The post-logout callback carries a state this tab did not send or has already used. Do not treat this as a completed logout.',
    );
  }
  if (entry.exp <= now) {
    throw new OidcSessionMonitorError(
      ErrorCode.LogoutStateExpired,
      'The post-logout callback carries a state that has expired. Start the logout again if needed.',
    );
  }
  return { data: entry.data };
}
