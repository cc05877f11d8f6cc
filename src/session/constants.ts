import type { SignedOutError } from '../monitor/types.js';

/**
 * The `prompt=none` errors after which the monitor signs the user out. Core §3.1.2.6 gives each its own meaning:
 * `login_required`, the End-User is not signed in; `interaction_required` and `account_selection_required`, the OP
 * needs the user's interaction; `consent_required`, the user's consent is missing. None of them is an answer
 * with the session, and Session Management (§3.1) treats any such error from the re-check as the end of it. Only
 * these — or a validated ID token for another `sub` — may sign a user out.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#RPiframe
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 */
export const SIGNED_OUT_ERRORS: ReadonlySet<string> = new Set<SignedOutError>([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);
