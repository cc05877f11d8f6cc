import { base64urlEncode } from '../base64url.js';
import type { RandomSource } from '../platform.js';

/** Bytes of entropy in a logout `state`: 256 bits, twice the 128 bits that make guessing hopeless. */
export const STATE_BYTES = 32;

/**
 * A fresh, unguessable `state` value: {@link STATE_BYTES} random bytes, base64url-encoded (43
 * characters, URL- and form-safe). A new one for every logout, so a `state` seen once (in a log, a
 * Referer, the history) is worthless afterwards.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function randomState(random: RandomSource): string {
  const bytes = new Uint8Array(STATE_BYTES);
  random.getRandomValues(bytes);
  return base64urlEncode(bytes);
}

/** True when `value` has the shape of a value {@link randomState} could have made. */
export function isWellFormedState(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
