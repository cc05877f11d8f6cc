import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { KEYCLOAK_REALM } from './profiles.js';
import type { RefreshGrant } from './refresh-tokens.js';

/**
 * Keycloak's token shapes, which keycloak-js decodes (it reads `sid`, `exp`, `iat` and `realm_access` from the access
 * token and parses the refresh token as a JWT too). Read from `keycloak/keycloak`
 * `core/src/main/java/org/keycloak/representations/AccessToken.java` and `RefreshToken.java`, and
 * `services/…/protocol/oidc/TokenManager.java`; the claim values are this mock's own.
 */

/** The realm's default roles as a new Keycloak realm grants them to every user. */
const DEFAULT_REALM_ROLES = [`default-roles-${KEYCLOAK_REALM}`, 'offline_access', 'uma_authorization'];

/** How long a Keycloak refresh token says it lives: the realm's default SSO session idle timeout (30 minutes). */
const REFRESH_TOKEN_SECONDS = 1800;

/** The claims of a Keycloak access token for `subject`, to be signed with the realm's key (RS256). */
export function keycloakAccessTokenClaims(subject: {
  issuer: string;
  clientId: string;
  origin: string | undefined;
  sub: string;
  username: string | undefined;
  sid: string;
  scope: string;
  iat: number;
  exp: number;
  authTime: number;
}): Record<string, unknown> {
  return {
    exp: subject.exp,
    iat: subject.iat,
    auth_time: subject.authTime,
    jti: randomUUID(),
    iss: subject.issuer,
    aud: 'account',
    sub: subject.sub,
    typ: 'Bearer',
    azp: subject.clientId,
    sid: subject.sid,
    ...(subject.origin !== undefined ? { 'allowed-origins': [subject.origin] } : {}),
    realm_access: { roles: DEFAULT_REALM_ROLES },
    resource_access: { account: { roles: ['manage-account', 'view-profile'] } },
    scope: subject.scope,
    ...(subject.username !== undefined ? { preferred_username: subject.username } : {}),
  };
}

/**
 * Mints Keycloak-shaped refresh tokens: a JWT (`typ: Refresh`, `sid`, `azp`, `scope`) signed HS512 with a secret of
 * this OP instance. The mock OP still looks each one up by its exact value (see `RefreshGrants`); the signature only
 * makes it look like Keycloak's to a client that decodes it.
 */
export function keycloakRefreshTokenMinter(issuer: string, nowSeconds: () => number): (grant: Omit<RefreshGrant, 'current' | 'used'>) => string {
  const secret = randomBytes(64);
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return (grant) => {
    const iat = nowSeconds();
    const header = part({ alg: 'HS512', typ: 'JWT' });
    const payload = part({
      exp: iat + REFRESH_TOKEN_SECONDS,
      iat,
      jti: randomUUID(),
      iss: issuer,
      aud: issuer,
      sub: grant.sub,
      typ: 'Refresh',
      azp: grant.clientId,
      sid: grant.sid,
      scope: grant.scope,
    });
    const signature = createHmac('sha512', secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  };
}
