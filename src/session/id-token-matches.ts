import { decodeJwtClaims } from '../jwt.js';

/**
 * Whether a front-channel logout request's `iss` and `sid` name the session of this ID token (FCL §2, §3): exact
 * string comparison (Core §3.1.3.7), and a token without `sid` matches nothing.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#RPLogout
 */
export function idTokenMatches(idToken: string | undefined, iss: string, sid: string): boolean {
  const claims = decodeJwtClaims(idToken);
  return claims !== undefined && claims.iss === iss && typeof claims.sid === 'string' && claims.sid !== '' && claims.sid === sid;
}
