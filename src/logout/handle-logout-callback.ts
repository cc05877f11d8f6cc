import { ErrorCode, OidcSessionMonitorError } from '../errors.js';
import { storedObject } from '../json.js';
import { browserAddressBar, browserLocationHref, browserSessionStorage, systemClock, type AddressBar, type Clock, type KeyValueStorage } from '../platform.js';
import { rejectUnknownOptions } from '../reject-unknown-options.js';
import { LAST_LOGOUT_CALLBACK_KEY } from '../session/keys.js';
import { consumeLogoutState, DEFAULT_LOGOUT_STATE_MAX_AGE_MS } from './logout-state-store.js';

/** Options of {@link handleLogoutCallback}. */
export interface HandleLogoutCallbackOptions {
  /** The callback page's URL. Default: `location.href`. */
  url?: string;
  /**
   * Remove `state` from the address bar afterwards (success or not), so a reload or a bookmark does
   * not present a used value again. Default: `true`.
   */
  cleanUrl?: boolean;
}

/** The browser behind {@link handleLogoutCallback}, replaceable in tests. */
export interface LogoutCallbackPorts {
  /** Where `logout()` stored the state: `sessionStorage`. */
  storage: KeyValueStorage;
  clock: Pick<Clock, 'now'>;
  addressBar: AddressBar;
}

const BROWSER: LogoutCallbackPorts = { storage: browserSessionStorage, clock: systemClock, addressBar: browserAddressBar };

/** What a verified post-logout callback yields. `Data` is the type of what the app passed to `logout({ state })`. */
export interface LogoutCallbackResult<Data = unknown> {
  /** The verified `state` value sent to the OP (already used up). */
  state: string;
  /** The app data passed to `logout({ state })`, read back from this tab's storage, never from the URL. */
  data: Data;
  /**
   * `true` when this tab had already verified this callback and the page was reloaded (or opened again from
   * history): the logout is complete, nothing new happened.
   */
  repeated: boolean;
}

/** This tab's last verified callback, if it is recent enough (a logout state's lifetime) for a reload to count as one. */
function lastCallback(storage: KeyValueStorage, now: number): { state: string; data: unknown } | undefined {
  try {
    const { state, data, at } = storedObject(storage.getItem(LAST_LOGOUT_CALLBACK_KEY)) ?? {};
    if (typeof state === 'string' && typeof at === 'number' && at <= now && now - at < DEFAULT_LOGOUT_STATE_MAX_AGE_MS) return { state, data };
  } catch {
    // Unreadable or disabled storage: no reload is recognised, and the usual error stands.
  }
  return undefined;
}

function forgetLastCallback(storage: KeyValueStorage): void {
  try {
    storage.removeItem(LAST_LOGOUT_CALLBACK_KEY);
  } catch {
    // Nothing to forget where nothing could be kept.
  }
}

function fail(code: ErrorCode, message: string): never {
  throw new OidcSessionMonitorError(code, message);
}

function readState(url: string | undefined): string {
  let params: URLSearchParams;
  try {
    params = new URL(url ?? browserLocationHref()).searchParams;
  } catch {
    return fail(ErrorCode.LogoutStateMismatch, 'The post-logout callback URL could not be parsed, so its state cannot be verified.');
  }
  const values = params.getAll('state');
  if (values.length === 0 || (values.length === 1 && values[0] === '')) {
    fail(
      ErrorCode.LogoutStateMissing,
      'The post-logout callback has no state, although logout() always sends one. Do not treat this as a completed logout.',
    );
  }
  if (values.length > 1) {
    // Which copy would the OP have meant? Guessing would let an attacker prepend a value of their own.
    fail(ErrorCode.LogoutStateMismatch, 'The post-logout callback carries more than one state parameter.');
  }
  return values[0] as string;
}

function readStateOrUndefined(url: string | undefined): string | undefined {
  try {
    return readState(url);
  }
  // Stryker disable next-line BlockStatement: an emptied catch falls off the end of the function, which returns undefined just the same
  catch {
    return undefined;
  }
}

function cleanAddressBar(url: string | undefined, addressBar: AddressBar): void {
  try {
    const clean = new URL(url ?? browserLocationHref());
    if (!clean.searchParams.has('state')) return;
    clean.searchParams.delete('state');
    addressBar.replaceState(clean.href);
  } catch {
    // A cosmetic step: a sandboxed document may refuse replaceState, which must not hide the verdict.
  }
}

/**
 * Call on the `post_logout_redirect_uri` page. Verifies the `state` the OP echoed (RPI §3) against the
 * values this tab stored before the redirect — exactly, once, and within their lifetime — and returns
 * the app data stored with it.
 *
 * It never navigates: where to go next is the app's decision, taken from the returned data (which came
 * from storage), so the query string cannot turn this page into an open redirector (RFC 9700 §4.11.1).
 * Other query parameters, including an `error` some OPs add, are ignored.
 *
 * Rejects with a `TypeError` for bad options (never throws synchronously), and with an
 * {@link OidcSessionMonitorError}:
 * - `logout_state_missing` — no `state` in the URL (and this tab verified no callback before);
 * - `logout_state_mismatch` — unknown, altered, repeated (`?state=a&state=b`) or already used;
 * A reload of a page this tab already verified resolves again, with `repeated: true` and the same data.
 * - `logout_state_expired` — issued longer ago than its maximum age (10 minutes by default);
 * - `storage_unavailable` — the storage threw, so nothing could be verified.
 * In every case the local sign-out already happened before the redirect; only "logout completed"
 * logic should be skipped.
 *
 * @example
 * ```ts
 * // `data` came from this tab's storage, yet treat it as a path of this app only: `//evil.example` and
 * // `/\evil.example` start with "/" too, so resolve it and compare origins.
 * try {
 *   const { data } = await handleLogoutCallback();
 *   const target = typeof data === 'string' ? new URL(data, location.origin) : undefined;
 *   router.navigate(target?.origin === location.origin ? target.pathname + target.search : '/');
 * } catch { router.navigate('/'); }
 * ```
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout
 */
export async function handleLogoutCallback<Data = unknown>(options: HandleLogoutCallbackOptions = {}): Promise<LogoutCallbackResult<Data>> {
  if (typeof options !== 'object' || options === null) throw new TypeError('handleLogoutCallback takes an options object, or none.');
  rejectUnknownOptions('handleLogoutCallback', options, ['url', 'cleanUrl']);
  return verifyLogoutCallback(options, BROWSER) as Promise<LogoutCallbackResult<Data>>;
}

/** {@link handleLogoutCallback} over explicit ports. */
export async function verifyLogoutCallback(options: HandleLogoutCallbackOptions, ports: LogoutCallbackPorts): Promise<LogoutCallbackResult> {
  const { url, cleanUrl = true } = options;
  const { storage, clock, addressBar } = ports;
  try {
    let state: string;
    try {
      state = readState(url);
      const { data } = consumeLogoutState({ storage, clock }, state);
      try {
        storage.setItem(LAST_LOGOUT_CALLBACK_KEY, JSON.stringify({ state, data, at: clock.now() }));
      } catch {
        // Without storage a reload reports the state as missing; the logout itself is verified.
      }
      return { state, data, repeated: false };
    } catch (error) {
      // A reload (the address bar no longer has `state`) or the same URL again, in the tab that verified it.
      const last = lastCallback(storage, clock.now());
      const code = (error as { code?: unknown }).code;
      const again = code === ErrorCode.LogoutStateMissing || (code === ErrorCode.LogoutStateMismatch && readStateOrUndefined(url) === last?.state);
      if (last && again) return { state: last.state, data: last.data, repeated: true };
      // A failed callback: a reload of it must not look like the earlier success.
      forgetLastCallback(storage);
      throw error;
    }
  } finally {
    if (cleanUrl) cleanAddressBar(url, addressBar);
  }
}
