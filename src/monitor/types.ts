import type { OidcSessionMonitorError } from '../errors.js';

/**
 * The three answers an OP iframe may post back.
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 */
export type CheckSessionStatus = 'unchanged' | 'changed' | 'error';

/**
 * Where a monitor is in its life. `starting`: no answer yet; `monitoring`: the OP's last answer was usable;
 * `rechecking`: a `prompt=none` is running; `paused`: a `logout()` navigation is in flight (it ends when the logout
 * fails); `unavailable`: monitoring cannot work right now; `signedOut`: the user was signed out (an anonymous
 * monitor then starts watching again); `stopped`: `stop()` was called — final.
 */
export type MonitorState = 'starting' | 'monitoring' | 'rechecking' | 'paused' | 'unavailable' | 'stopped' | 'signedOut';

/** The `prompt=none` errors that mean the End-User is no longer signed in at the OP. */
export type SignedOutError = 'login_required' | 'interaction_required' | 'consent_required' | 'account_selection_required';

/** Why a monitor cannot watch the session right now. */
export type UnavailableReason =
  | 'unsupported'
  | 'no-session-state'
  | 'not-signed-in'
  | 'discovery-failed'
  /** The OP published a `check_session_iframe` that is not a safe URL (not https, or http on a public host). */
  | 'invalid-metadata'
  | 'frame-timeout'
  | 'no-reply'
  | 'error-status'
  | 'loop-guard'
  | 'third-party-cookies-blocked';

/**
 * Why the local user was signed out. `idle`: the app's idle timeout (`watchIdle` of `oidc-session-monitor/idle`),
 * decided once for all of the app's tabs; each tab signs its own user out.
 */
export type SignedOutReason = SignedOutError | 'error-status' | 'logout' | 'front-channel' | 'other-tab' | 'idle';

/** What the app knows about the session it monitors. */
export interface SessionInfo {
  /** The `session_state` of the latest authentication response (never a token's `sid`). */
  session_state: string;
  /** The End-User's `sub`, compared with the one a re-check returns. */
  sub: string;
  /** The current ID token, sent as `id_token_hint` on re-check. */
  id_token?: string;
}

/** What a `prompt=none` re-check found. Throwing (or rejecting) means "could not tell". */
export type RecheckResult =
  | { kind: 'authenticated'; sub: string; session_state: string; id_token?: string }
  | { kind: 'signedOut'; error: SignedOutError; session_state?: string };

/** Input to a re-check. Abort `signal` is raised when the monitor gives up waiting or stops. */
export interface RecheckContext {
  session_state: string;
  sub: string;
  id_token?: string;
  signal: AbortSignal;
}

/**
 * A `prompt=none` re-authentication (Core §3.1.2.1, SM §3.1). Resolve with what the OP said; reject
 * or throw when the OP could not be asked (timeout, network, OP error): that is never a sign-out.
 */
export type Recheck = (context: RecheckContext) => Promise<RecheckResult>;

/** Payloads of the monitor's events. */
export interface MonitorEvents {
  /** Every accepted reply of the OP iframe. */
  status: { status: CheckSessionStatus; at: number };
  /** Same End-User, new `session_state` (already stored). */
  refreshed: { sub: string; session_state: string; previous_session_state: string };
  /** The OP now has another End-User: the original user was signed out locally. */
  userChanged: { previousSub: string; sub: string };
  /** Anonymous monitoring only: somebody signed in at the OP; their tokens are stored (oidc-client-ts) or in `recheck`'s hands. */
  signedIn: { sub: string; session_state: string };
  /** The End-User is signed out; the local user has been removed. */
  signedOut: { reason: SignedOutReason; sub?: string };
  /** Monitoring cannot work right now (or at all, when `retrying` is false). */
  unavailable: { reason: UnavailableReason; detail: string; retrying: boolean; retryInMs?: number };
  /** An indeterminate problem (timeout, network, OP failure): the user stays signed in. */
  error: { error: OidcSessionMonitorError };
  /** The monitor moved to another {@link MonitorState}. */
  state: { state: MonitorState; previous: MonitorState };
}

export type MonitorEventName = keyof MonitorEvents;

/** Every event a {@link SessionMonitor} emits, e.g. to subscribe to all of them. */
export const MONITOR_EVENTS: readonly MonitorEventName[] = ['status', 'refreshed', 'userChanged', 'signedIn', 'signedOut', 'unavailable', 'error', 'state'];
export type MonitorEventHandler<E extends MonitorEventName> = (payload: MonitorEvents[E]) => void;

/**
 * How a monitor watches the session: through the OP's `check_session_iframe` (`iframe`), by `prompt=none` re-checks
 * (`recheck`), or the iframe where the OP publishes one and the sign-in has a `session_state`, re-checks otherwise
 * (`auto`).
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 */
export type WatchMode = 'auto' | 'iframe' | 'recheck';

/** What to do when the OP iframe answers `error` (SM §3.1 forbids `prompt=none` then, whatever the policy). */
export type ErrorStatusPolicy = 'backoff' | 'stop' | 'signOut';

/** The handle `startMonitoring` returns. */
export interface SessionMonitor {
  readonly state: MonitorState;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends MonitorEventName>(event: E, handler: MonitorEventHandler<E>): () => void;
  /** Polls the OP iframe now (or retries a failed start now). */
  checkNow(): void;
  /** Removes the iframe, the message listener and every timer. Idempotent. */
  stop(): void;
}
