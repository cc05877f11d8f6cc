import type { SignedOutError } from '../monitor/types.js';

/**
 * The `prompt=none` errors that mean the End-User is not signed in at the OP (Core §3.1.2.6). Only these — or a
 * validated ID token for another `sub` — may sign a user out.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError
 */
export const SIGNED_OUT_ERRORS: ReadonlySet<string> = new Set<SignedOutError>([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);
