import type { MonitorEvents, SignedOutError, SignedOutReason, UnavailableReason } from '../monitor/types.js';
import { SIGNED_OUT_ERRORS } from '../session/constants.js';

/**
 * What the tabs of one app (one `client_id` at one issuer) tell each other. Every message that concerns a session
 * names its user (`sub`), and each tab acts only on messages about its own user: two tabs may hold two users
 * (oidc-client-ts keeps users per tab by default), and one tab's outcome is a fact about its user, not a verdict
 * for every tab.
 */
export type TabMessage =
  /** `sub` was signed out here (the OP said so, `logout()`, or a matching front-channel request). */
  | { type: 'signedOut'; reason: SignedOutReason; sub: string }
  /** The OP now has another End-User than `previousSub`. */
  | ({ type: 'userChanged' } & Pick<MonitorEvents['userChanged'], 'previousSub' | 'sub'>)
  /** The tab that polls for `sub` re-checked: same user, new session_state. */
  | ({ type: 'refreshed' } & MonitorEvents['refreshed'])
  /** The tab that polls for `sub` cannot monitor right now. */
  | ({ type: 'unavailable'; sub: string } & Pick<MonitorEvents['unavailable'], 'reason' | 'detail' | 'retrying'>)
  /** The tab that polls for `sub` monitors (again). */
  | { type: 'monitoring'; sub: string }
  /** A tab that starts following the poller for `sub`: the poller answers with where it stands. */
  | { type: 'hello'; sub: string }
  /** A tab renewed `sub`'s tokens and stored them: tabs sharing its store use them (they read the store themselves). */
  | { type: 'renewed'; sub: string }
  /** A front-channel logout request the receiving page could not match itself; each tab checks its own ID token. */
  | { type: 'frontChannelLogout'; iss: string; sid: string };

// Not `idle`: every tab's own idle watch signs its user out with that reason, so a tab must not follow another
// tab's idle sign-out as `other-tab` first (the machine broadcasts it like any sign-out the OP did not cause).
const OTHER_SIGN_OUT_REASONS: readonly Exclude<SignedOutReason, SignedOutError | 'idle'>[] = ['error-status', 'logout', 'front-channel', 'other-tab'];
// Sets of `unknown`, so that a field of any type can be looked up: only the listed strings are in them.
const SIGNED_OUT_REASONS: ReadonlySet<unknown> = new Set([...SIGNED_OUT_ERRORS, ...OTHER_SIGN_OUT_REASONS]);

const UNAVAILABLE_REASONS: ReadonlySet<unknown> = new Set<UnavailableReason>([
  'unsupported',
  'no-session-state',
  'not-signed-in',
  'discovery-failed',
  'invalid-metadata',
  'frame-timeout',
  'no-reply',
  'error-status',
  'loop-guard',
  'third-party-cookies-blocked',
]);

/** Longest string a field may carry (a `sub` is at most 255 ASCII characters, Core §2; details are short sentences). */
const MAX_FIELD = 2048;

const text = (value: unknown, allowEmpty = false): value is string =>
  typeof value === 'string' && value.length <= MAX_FIELD && (allowEmpty || value !== '');

/**
 * Reads a message from the tab channel. Same-origin by construction, yet of untrusted shape (another script of the
 * app may use the name): every field is checked, and only known fields are copied, so nothing unexpected reaches
 * the app's events. Returns `undefined` for anything malformed.
 */
export function parseTabMessage(value: unknown): TabMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'signedOut':
      return text(m.sub) && SIGNED_OUT_REASONS.has(m.reason)
        ? { type: 'signedOut', reason: m.reason as SignedOutReason, sub: m.sub }
        : undefined;
    case 'userChanged':
      return text(m.previousSub) && text(m.sub) ? { type: 'userChanged', previousSub: m.previousSub, sub: m.sub } : undefined;
    case 'refreshed':
      // Empty for an OP without session management, watched by re-check.
      return text(m.sub) && text(m.session_state, true) && !/\s/.test(m.session_state) && text(m.previous_session_state, true)
        ? { type: 'refreshed', sub: m.sub, session_state: m.session_state, previous_session_state: m.previous_session_state }
        : undefined;
    case 'unavailable':
      return text(m.sub, true) && UNAVAILABLE_REASONS.has(m.reason) && text(m.detail, true) && typeof m.retrying === 'boolean'
        ? { type: 'unavailable', sub: m.sub, reason: m.reason as UnavailableReason, detail: m.detail, retrying: m.retrying }
        : undefined;
    case 'monitoring':
      return text(m.sub, true) ? { type: 'monitoring', sub: m.sub } : undefined;
    case 'hello':
      return text(m.sub, true) ? { type: 'hello', sub: m.sub } : undefined;
    case 'renewed':
      return text(m.sub) ? { type: 'renewed', sub: m.sub } : undefined;
    case 'frontChannelLogout':
      return text(m.iss) && text(m.sid) ? { type: 'frontChannelLogout', iss: m.iss, sid: m.sid } : undefined;
    // Stryker disable next-line ConditionalExpression: without its return the last clause ends the function, which returns undefined all the same
    default:
      return undefined;
  }
}
