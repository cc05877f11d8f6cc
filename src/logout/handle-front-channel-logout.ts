import { ErrorCode, OidcSessionMonitorError } from '../errors.js';
import type { TabChannel } from '../tabs/channel.js';
import { idTokenMatches } from '../session/id-token-matches.js';
import { browserLocationHref } from '../platform.js';
import { decodeJwtClaims } from '../jwt.js';

/** Options and ports of {@link handleFrontChannelLogout}. */
export interface HandleFrontChannelLogoutOptions {
  /** The OP's issuer identifier, exactly as in its ID tokens' `iss`. */
  issuer: string;
  /** The app's current user (its stored ID token). */
  getUser(): Promise<{ id_token?: string } | null>;
  removeUser(): Promise<void>;
  /** Reaches this app's other open tabs. */
  channel?: TabChannel;
  /** The logout page's URL. Default: `location.href`. */
  url?: string;
  /**
   * Require `iss` and `sid` in the request (like registering `frontchannel_logout_session_required`).
   * Default `true`: a request without them is ignored, because any web page can make a browser load
   * this URL, and only a matching `sid` shows the request came from the OP that holds the session.
   * Set `false` only for an OP that cannot send them, accepting that any site can then sign the user out.
   */
  requireSession?: boolean;
}

/**
 * The outcome of a front-channel logout request.
 * - `signedOut: true` — the session ended: removed here and announced to the other tabs, or there was
 *   no session to end (`alreadySignedOut`, which FCL §2 counts as success).
 * - `signedOut: false` — the request was ignored: `mismatch` (its `iss`/`sid` are not those of the
 *   current session) or `session_required` (it had neither, and `requireSession` is on).
 */
export type FrontChannelLogoutResult =
  | {
      signedOut: true;
      /** This page found no session of its own to end (a per-tab user store, or nobody signed in). */
      alreadySignedOut: boolean;
      /**
       * The request (with its `iss` and `sid`) was passed on to the app's open tabs, each of which signs out if it
       * names that tab's session: with a per-tab store, that is where the session lives.
       */
      forwardedToTabs?: boolean;
      /**
       * Set by `handleFrontChannelLogout`. `true` when this page ran in a frame that the browser cuts off from its own
       * storage (`document.hasStorageAccess()` is `false` — the OP's logout page on another site): its user store and
       * `BroadcastChannel` are partitioned, not the app's own, so **the app's open tabs were not signed out**, even with
       * `signedOut: true`. The work was still done where it could be; rely on the session monitor or back-channel
       * logout for these sessions. `false` at the top level, under a page of the same site, and where the browser lets
       * the frame keep its storage.
       */
      partitioned?: boolean;
    }
  | {
      signedOut: false;
      reason: 'mismatch' | 'session_required';
      /** Set by `handleFrontChannelLogout`: as above, this page ran cut off from its own storage. */
      partitioned?: boolean;
    };

function parseRequest(url: string): { iss?: string; sid?: string } {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    throw new OidcSessionMonitorError(ErrorCode.FrontChannelInvalid, 'The front-channel logout URL could not be parsed.');
  }
  const iss = params.getAll('iss');
  const sid = params.getAll('sid');
  if (iss.length > 1 || sid.length > 1) {
    throw new OidcSessionMonitorError(ErrorCode.FrontChannelInvalid, 'The front-channel logout request repeats iss or sid.');
  }
  if (iss.length !== sid.length || iss[0] === '' || sid[0] === '') {
    throw new OidcSessionMonitorError(
      ErrorCode.FrontChannelInvalid,
      'The front-channel logout request must carry both iss and sid, or neither (FCL §2).',
    );
  }
  return iss.length === 0 ? {} : { iss: iss[0] as string, sid: sid[0] as string };
}

/**
 * Call on the `frontchannel_logout_uri` page, which the OP loads in an iframe when the user signs out
 * at the OP. It checks the request's `iss` and `sid` against the current ID token (FCL §2 MAY — done
 * here by default, so a random site loading this URL cannot force a sign-out: spec-checklist S-8), then
 * removes the local user and tells every other open tab of the app (`signedOut`, reason `front-channel`).
 *
 * - `iss` and `sid` present and equal to the configured issuer and the ID token's `iss`/`sid`: signed out.
 * - present but different (another session, an old one, a forged request): ignored, nothing removed.
 * - only one of them (or one repeated): rejects with `front_channel_invalid` (FCL §2: both or neither).
 * - neither: ignored unless `requireSession: false`.
 * - no user, or a stored ID token that cannot be decoded: nothing to end on this page, so success
 *   (`alreadySignedOut`); the public `handleFrontChannelLogout` then forwards a request with `iss` and `sid` to
 *   the app's open tabs (`forwardedToTabs`), each of which compares it with its own ID token.
 *
 * **Where it works.** The OP shows this page in an iframe inside the OP's own page. When RP and OP are
 * the same *site* (e.g. `app.example.com` and `login.example.com`, or two ports of one host), the
 * iframe sees the app's storage and its BroadcastChannel, and it works. When they are different sites,
 * browsers partition the iframe's storage and BroadcastChannel (Chrome ≥ 115, Firefox Total Cookie
 * Protection, Safari ITP): it sees an empty store, reports `alreadySignedOut`, and reaches no tab. Use
 * back-channel logout to the app's backend, short token lifetimes, or the session monitor instead.
 * Because the iframe is a fresh page, the user store must be `localStorage` (shared by tabs); with
 * oidc-client-ts's default `sessionStorage` the iframe sees no user.
 *
 * **Serving the page.** Send `Cache-Control: no-store` (FCL §2 SHOULD), and allow the OP to frame it
 * (`Content-Security-Policy: frame-ancestors <OP origin>`, no `X-Frame-Options: DENY`).
 *
 * Option errors are `TypeError`s thrown synchronously.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#RPLogout
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#ThirdPartyContent
 */
export function handleFrontChannelLogout(options: HandleFrontChannelLogoutOptions): Promise<FrontChannelLogoutResult> {
  if (typeof options?.issuer !== 'string' || options.issuer === '') throw new TypeError('issuer must be the OP issuer identifier.');
  if (typeof options.getUser !== 'function' || typeof options.removeUser !== 'function') {
    throw new TypeError('handleFrontChannelLogout needs getUser and removeUser.');
  }
  return run(options);
}

async function run(options: HandleFrontChannelLogoutOptions): Promise<FrontChannelLogoutResult> {
  const { issuer, getUser, removeUser, channel, requireSession = true } = options;
  const request = parseRequest(options.url ?? browserLocationHref());

  if (request.iss === undefined) {
    if (requireSession) return { signedOut: false, reason: 'session_required' };
  } else if (request.iss !== issuer) {
    // Issuer identifiers are compared as exact strings (Core §3.1.3.7), never normalized.
    return { signedOut: false, reason: 'mismatch' };
  }

  const user = await getUser();
  if (!user) return { signedOut: true, alreadySignedOut: true };
  const claims = decodeJwtClaims(user.id_token);
  if (request.iss !== undefined) {
    if (!claims) return { signedOut: true, alreadySignedOut: true };
    if (!idTokenMatches(user.id_token, request.iss, request.sid!)) {
      return { signedOut: false, reason: 'mismatch' };
    }
  }

  await removeUser();
  const sub = claims?.sub;
  if (typeof sub === 'string' && sub !== '') channel?.post({ type: 'signedOut', reason: 'front-channel', sub });
  return { signedOut: true, alreadySignedOut: false };
}
