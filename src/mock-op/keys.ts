import { createHash } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, compactVerify, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

/** The OP's signing key, generated at start, and what is built from it. */
export interface SigningKeys {
  /** The public JWK Set served at `jwks_uri`. */
  readonly jwks: { keys: JWK[] };
  /** Signs an ID token (RS256, `kid` in the header). */
  signIdToken(claims: IdTokenClaims): Promise<string>;
  /** Signs any JWT payload as it is (RS256, `kid` in the header): the access tokens of OPs that issue JWTs. */
  sign(payload: JWTPayload): Promise<string>;
  /**
   * Verifies that this OP issued `token` (signature and `iss`) and returns its claims. Expiry is
   * deliberately not checked: expired hints are accepted (RPI-17). Returns undefined for anything else,
   * including `alg: none` and tokens signed by other keys.
   */
  verifyIssued(token: string): Promise<JWTPayload | undefined>;
}

/** Claims of an ID token; `iss` and `kid` are added when signing. */
export interface IdTokenClaims {
  sub: string;
  aud: string;
  /** From the OP's clock, which a test may skew: never the signer's own idea of now. */
  iat: number;
  exp: number;
  auth_time: number;
  sid: string;
  nonce?: string;
  at_hash?: string;
  name?: string;
  email?: string;
}

/**
 * `at_hash`: base64url of the left half of SHA-256 of the access token (RS256).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeIDToken (Core §3.3.2.11)
 */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/**
 * Generates an RS256 key pair and the JWKS for it.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken (Core §2)
 */
export async function createSigningKeys(issuer: string): Promise<SigningKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const publicJwk: JWK = { ...jwk, kid, alg: 'RS256', use: 'sig' };
  const verifyKey: CryptoKey = publicKey;
  return {
    jwks: { keys: [publicJwk] },
    async signIdToken(claims) {
      const { aud, sub, iat, exp, ...rest } = claims;
      const payload: JWTPayload = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(sub)
        .setAudience(aud)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(privateKey);
    },
    async sign(payload) {
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
    },
    async verifyIssued(token) {
      if (typeof token !== 'string' || token.length > 16_384) return undefined;
      try {
        const { payload } = await compactVerify(token, verifyKey, { algorithms: ['RS256'] });
        const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown;
        if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
        const c = claims as JWTPayload;
        if (c.iss !== issuer || typeof c.sub !== 'string') return undefined;
        return c;
      } catch {
        return undefined;
      }
    },
  };
}
