import { randomToken, sha256Base64url } from './encoding.js';

/**
 * Computes `session_state = base64url(SHA-256(client_id + " " + origin + " " + opbs + " " + salt)) + "." + salt`.
 * `origin` must be serialized as browsers serialize `event.origin` (default ports omitted), which is what
 * `new URL(redirect_uri).origin` gives. base64url has neither "." nor " ", so the value splits
 * unambiguously. A fresh salt per response keeps error responses from identifying the user (SM-31).
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#CreatingUpdatingSessions (SM §2)
 * @see https://openid.net/specs/openid-connect-session-1_0.html#OPiframe (SM §3.2)
 */
export function computeSessionState(clientId: string, origin: string, opbs: string, salt: string = randomToken(12)): string {
  return `${sha256Base64url(`${clientId} ${origin} ${opbs} ${salt}`)}.${salt}`;
}
