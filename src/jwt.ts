import { base64urlDecodeText } from './base64url.js';

/**
 * Reads the claims of a JWT **without verifying it**: only for values the SDK compares with what a verified
 * source says (the `sub` to compare a re-check with, the `iss`/`sid` a front-channel request must match).
 * Returns `undefined` for anything that is not a JWS compact serialization with a JSON object payload.
 */
export function decodeJwtClaims(jwt: unknown): Record<string, unknown> | undefined {
  if (typeof jwt !== 'string') return undefined;
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  const json = base64urlDecodeText(parts[1]);
  if (json === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
