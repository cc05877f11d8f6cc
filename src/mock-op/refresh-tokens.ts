import { randomToken } from './encoding.js';
import type { MockOpClient } from './types.js';

/**
 * One grant: what an authorization code was redeemed for, and the refresh tokens descended from it. Every refresh
 * token of a grant shares its fate: reuse detection and `op.revokeRefreshTokens()` end the grant, not one token.
 */
export interface RefreshGrant {
  readonly clientId: string;
  readonly sub: string;
  /** The OP session's own `sid` (what the grant is bound to). */
  readonly sessionSid: string;
  /** The `sid` the client sees in its ID tokens (per client for node-oidc-provider). */
  readonly sid: string;
  /** Seconds since the epoch of the authentication behind the grant. */
  readonly authTime: number;
  /** The scope granted by the authorization; a refresh request may narrow it for one answer, never for the grant. */
  readonly scope: string;
  readonly nonce?: string;
  /** The refresh token that works now. */
  current: string;
  /** Tokens rotated away, oldest first: presenting one is reuse. */
  readonly used: string[];
}

/** What a presented refresh token is: the grant's current token, one it rotated away, or nothing this OP knows. */
export type RefreshLookup = { kind: 'current' | 'used'; grant: RefreshGrant } | { kind: 'unknown' };

/**
 * Whether the OP gives `client` refresh tokens: `refresh_tokens` as registered, else the profile's default
 * (`issuedByDefault`: Keycloak's "Use refresh tokens" is on for every client).
 */
export function issuesRefreshTokens(client: MockOpClient, issuedByDefault: boolean): boolean {
  return client.refresh_tokens ?? issuedByDefault;
}

/** Whether some client gets refresh tokens: then the OP offers the `refresh_token` grant. */
export function offersRefreshTokens(clients: Iterable<MockOpClient>, issuedByDefault = false): boolean {
  for (const client of clients) if (issuesRefreshTokens(client, issuedByDefault)) return true;
  return false;
}

/** Grants remembered before the oldest are forgotten (as the browsers in browser-state.ts). */
export const MAX_GRANTS = 10_000;
/** Rotated-away tokens remembered per grant for reuse detection; an older one is simply unknown. */
export const MAX_USED_PER_GRANT = 100;

/**
 * The refresh-token grants of one mock OP: issuance, rotation, reuse and revocation, and the bounds that keep a
 * long-running OP's memory flat. Token values are random and unguessable (256 bits) and never leave this store
 * except in the token endpoint's answer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6 (refreshing an access token)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (refresh token rotation and reuse detection)
 */
export class RefreshGrants {
  /** Insertion order is age order: the first entries are forgotten first. */
  readonly #grants = new Set<RefreshGrant>();
  readonly #byToken = new Map<string, RefreshGrant>();
  readonly #mint: (grant: Omit<RefreshGrant, 'current' | 'used'>) => string;

  /** `mint` makes a new token for a grant, unique and unguessable (default: 32 random bytes, base64url). */
  constructor(mint: (grant: Omit<RefreshGrant, 'current' | 'used'>) => string = () => randomToken(32)) {
    this.#mint = mint;
  }

  /** How many grants are live. */
  get size(): number {
    return this.#grants.size;
  }

  /** Starts a grant; its first refresh token is `current`. */
  issue(fields: Omit<RefreshGrant, 'current' | 'used'>): RefreshGrant {
    const token = this.#mint(fields);
    const grant: RefreshGrant = { ...fields, current: token, used: [] };
    this.#grants.add(grant);
    this.#byToken.set(token, grant);
    if (this.#grants.size > MAX_GRANTS) this.#revoke(this.#grants.values().next().value!);
    return grant;
  }

  lookup(token: string): RefreshLookup {
    const grant = this.#byToken.get(token);
    if (grant === undefined) return { kind: 'unknown' };
    return { kind: token === grant.current ? 'current' : 'used', grant };
  }

  /** Replaces the grant's current token with a new one; the old one becomes used. Returns the new token. */
  rotate(grant: RefreshGrant): string {
    const token = this.#mint(grant);
    grant.used.push(grant.current);
    grant.current = token;
    this.#byToken.set(token, grant);
    while (grant.used.length > MAX_USED_PER_GRANT) this.#byToken.delete(grant.used.shift()!);
    return token;
  }

  /** Ends every grant `match` selects: all their tokens, current and used, become unknown. Returns how many. */
  revokeWhere(match: (grant: RefreshGrant) => boolean): number {
    let count = 0;
    for (const grant of this.#grants) {
      if (!match(grant)) continue;
      this.#revoke(grant);
      count++;
    }
    return count;
  }

  #revoke(grant: RefreshGrant): void {
    this.#grants.delete(grant);
    this.#byToken.delete(grant.current);
    for (const token of grant.used) this.#byToken.delete(token);
  }
}
