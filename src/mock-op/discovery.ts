import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpContext } from './context.js';
import type { ProfileSpec } from './profiles.js';
import { sendJson } from './http.js';
import { offersRefreshTokens } from './refresh-tokens.js';

/** Paths of the endpoints, relative to the issuer. */
export const PATHS = {
  discovery: '/.well-known/openid-configuration',
  jwks: '/jwks',
  authorize: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  checkSession: '/check_session',
  checkSessionScript: '/check_session.js',
  checkSessionWorker: '/check_session_worker.js',
  checkSessionEvents: '/check_session/events',
  endSession: '/end_session',
} as const;

/**
 * The OpenID Provider metadata document.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @see https://openid.net/specs/openid-connect-session-1_0.html#OPMetadata (SM §3.3, `check_session_iframe`)
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#OPMetadata (RPI §2.1, `end_session_endpoint`)
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#OPLogout (FCL §3)
 */
export function discoveryDocument(issuer: string, profile: ProfileSpec, refreshTokens = false): Record<string, unknown> {
  const origin = new URL(issuer).origin;
  const { paths } = profile;
  return {
    issuer,
    authorization_endpoint: origin + paths.authorize,
    token_endpoint: origin + paths.token,
    userinfo_endpoint: origin + paths.userinfo,
    jwks_uri: origin + paths.jwks,
    ...(paths.checkSession !== undefined ? { check_session_iframe: origin + paths.checkSession } : {}),
    end_session_endpoint: origin + paths.endSession,
    ...(profile.frontChannel ? { frontchannel_logout_supported: true, frontchannel_logout_session_supported: true } : {}),
    response_types_supported: ['code'],
    response_modes_supported: [...profile.responseModes],
    // `refresh_token` only when some client is registered for it: the others get unauthorized_client.
    grant_types_supported: refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'profile', 'email'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'at_hash', 'name', 'email'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    authorization_response_iss_parameter_supported: true,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

/**
 * Discovery and JWKS are public documents: any origin may fetch them (`*`). An OP whose CORS allows credentials
 * (`ProfileSpec.corsCredentials`, WSO2's CORS valve) names a registered origin instead and allows credentials, since
 * `*` does not satisfy a fetch with `credentials: 'include'` (as @asgardeo/auth-spa makes).
 */
function publicCors(ctx: OpContext, req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (ctx.profile.corsCredentials && origin !== undefined && ctx.registeredOrigins.has(origin)) {
    return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin', 'Cache-Control': 'no-cache' };
  }
  return { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-cache', ...(ctx.profile.corsCredentials ? { Vary: 'Origin' } : {}) };
}

export function handleDiscovery(ctx: OpContext, req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, discoveryDocument(ctx.issuer, ctx.profile, offersRefreshTokens(ctx.options.clients.values(), ctx.profile.refresh.issuedByDefault)), publicCors(ctx, req));
}

export function handleJwks(ctx: OpContext, req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, ctx.keys.jwks, publicCors(ctx, req));
}
