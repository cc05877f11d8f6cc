import { decodeJwtClaims } from '../jwt.js';

/** The ID token claims front-channel logout compares. */
export interface SessionClaims {
  iss?: string;
  sid?: string;
  sub?: string;
}

/**
 * Reads `iss`, `sid` and `sub` from a compact JWS ID token's payload — without verifying it. That is
 * enough here: the token was validated when it was received and comes from the app's own storage; this
 * only identifies which session it belongs to. Anything malformed (not three parts, bad base64url, bad
 * UTF-8, not a JSON object, non-string claims) yields `undefined` or omits the claim, never throws.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#ClaimsContents
 */
export function decodeIdTokenClaims(idToken: unknown): SessionClaims | undefined {
  const payload = decodeJwtClaims(idToken);
  if (!payload) return undefined;
  const claims: SessionClaims = {};
  for (const name of ['iss', 'sid', 'sub'] as const) {
    const value = payload[name];
    if (typeof value === 'string') claims[name] = value;
  }
  return claims;
}
