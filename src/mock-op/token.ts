import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpContext } from './context.js';
import { opSeconds, sweep } from './context.js';
import { randomToken } from './encoding.js';
import { NO_STORE, sendJson } from './http.js';
import { atHash } from './keys.js';
import { keycloakAccessTokenClaims } from './keycloak-tokens.js';
import { issuesRefreshTokens, offersRefreshTokens } from './refresh-tokens.js';
import type { MockOpClient, MockOpRequest } from './types.js';

const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

function equalSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/**
 * CORS headers for a registered RP origin (SPAs call the token and userinfo endpoints with fetch), with
 * `Access-Control-Allow-Credentials` where the profile's OP sends it (see `ProfileSpec.corsCredentials`).
 */
export function corsHeaders(ctx: OpContext, req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined || !ctx.registeredOrigins.has(origin)) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    Vary: 'Origin',
    'Access-Control-Expose-Headers': 'WWW-Authenticate',
    ...(ctx.profile.corsCredentials ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
  };
}

/** Answers a CORS preflight for the token and userinfo endpoints. */
export function handlePreflight(ctx: OpContext, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string> = { ...corsHeaders(ctx, req), 'Content-Length': '0' };
  if (headers['Access-Control-Allow-Origin']) {
    headers['Access-Control-Allow-Methods'] = 'GET, POST';
    headers['Access-Control-Allow-Headers'] = 'Authorization, Content-Type';
    headers['Access-Control-Max-Age'] = '600';
  }
  res.writeHead(204, headers);
  res.end();
}

type ClientAuth = { client: MockOpClient } | { error: string; description: string; basic: boolean };

function authenticateClient(ctx: OpContext, req: IncomingMessage, form: URLSearchParams): ClientAuth {
  const authorization = req.headers.authorization;
  if (authorization !== undefined && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { error: 'invalid_client', description: 'Malformed Basic credentials.', basic: true };
    let id: string;
    let secret: string;
    try {
      // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      return { error: 'invalid_client', description: 'Malformed Basic credentials.', basic: true };
    }
    const client = ctx.options.clients.get(id);
    if (client?.client_secret === undefined || !equalSecret(client.client_secret, secret)) {
      return { error: 'invalid_client', description: 'Client authentication failed.', basic: true };
    }
    if (form.has('client_id') && form.get('client_id') !== id) {
      return { error: 'invalid_request', description: 'client_id does not match the authenticated client.', basic: false };
    }
    return { client };
  }
  const id = form.get('client_id');
  if (id === null) return { error: 'invalid_client', description: 'client_id is missing.', basic: false };
  const client = ctx.options.clients.get(id);
  if (client === undefined) return { error: 'invalid_client', description: 'Unknown client.', basic: false };
  if (client.client_secret !== undefined) {
    const secret = form.get('client_secret');
    if (secret === null || !equalSecret(client.client_secret, secret)) {
      return { error: 'invalid_client', description: 'Client authentication failed.', basic: false };
    }
  }
  return { client };
}

/** How a grant answers: an OAuth error, or a token response (both `no-store`, with the endpoint's CORS headers). */
interface Reply {
  error(status: number, code: string, description: string, extra?: Record<string, string>): void;
  ok(body: Record<string, unknown>): void;
}

/** What the tokens of one answer are about: the authentication behind the grant, and the scope of this answer. */
interface TokenSubject {
  sub: string;
  sid: string;
  authTime: number;
  scope: string;
  nonce?: string;
}

/**
 * A new access token (its lifetime is `idTokenTtlSeconds`) and, when the scope has `openid`, a new ID token for
 * `subject`: `iat` now, `auth_time` of the original authentication (Core §12.2).
 */
async function issueTokens(ctx: OpContext, client: MockOpClient, subject: TokenSubject): Promise<{ accessToken: string; body: Record<string, unknown> }> {
  sweep(ctx.accessTokens);
  const ttl = ctx.options.idTokenTtlSeconds;
  const iat = opSeconds(ctx);
  const user = ctx.options.users.find((u) => u.sub === subject.sub);
  const accessToken =
    ctx.profile.tokenFormat === 'keycloak'
      ? await ctx.keys.sign(
          keycloakAccessTokenClaims({
            issuer: ctx.issuer,
            clientId: client.client_id,
            origin: client.redirect_uris[0] === undefined ? undefined : new URL(client.redirect_uris[0]).origin,
            sub: subject.sub,
            username: user?.username,
            sid: subject.sid,
            scope: subject.scope,
            iat,
            exp: iat + ttl,
            authTime: opSeconds(ctx, subject.authTime),
          }),
        )
      : randomToken(32);
  ctx.accessTokens.set(accessToken, { sub: subject.sub, clientId: client.client_id, scope: subject.scope, expiresAt: Date.now() + ttl * 1000 });
  const scopes = subject.scope.split(' ');
  const idToken = scopes.includes('openid')
    ? await ctx.keys.signIdToken({
        sub: subject.sub,
        aud: client.client_id,
        iat,
        exp: iat + ttl,
        auth_time: opSeconds(ctx, subject.authTime),
        sid: subject.sid,
        at_hash: atHash(accessToken),
        ...(subject.nonce !== undefined ? { nonce: subject.nonce } : {}),
        ...(scopes.includes('profile') && user?.name !== undefined ? { name: user.name } : {}),
        ...(scopes.includes('email') && user?.email !== undefined ? { email: user.email } : {}),
      })
    : undefined;
  return {
    accessToken,
    body: { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, ...(idToken !== undefined ? { id_token: idToken } : {}), scope: subject.scope },
  };
}

/**
 * The token endpoint: `authorization_code`, and `refresh_token` for clients registered with `refresh_tokens`.
 * Codes are single use (a replay also revokes the tokens issued for the code, refresh tokens included), expire
 * after a minute, and are bound to the client, the redirect URI and the PKCE verifier. `entry` (the request log's
 * entry) gets the `error` code of an error answer.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenEndpoint (Core §3.1.3)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokens (Core §12)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (error response)
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6 (PKCE verification)
 */
export async function handleToken(
  ctx: OpContext,
  req: IncomingMessage,
  res: ServerResponse,
  form: URLSearchParams,
  entry?: MockOpRequest,
): Promise<void> {
  const cors = corsHeaders(ctx, req);
  const reply: Reply = {
    error(status, code, description, extra = {}) {
      if (entry !== undefined) entry.error = code;
      sendJson(res, status, { error: code, error_description: description }, { ...NO_STORE, ...cors, ...extra });
    },
    ok(body) {
      sendJson(res, 200, body, { ...NO_STORE, ...cors });
    },
  };

  const auth = authenticateClient(ctx, req, form);
  if ('error' in auth) {
    return auth.basic
      ? reply.error(401, auth.error, auth.description, { 'WWW-Authenticate': 'Basic realm="mock-op"' })
      : reply.error(auth.error === 'invalid_client' ? 401 : 400, auth.error, auth.description);
  }
  const { client } = auth;
  const grantType = form.get('grant_type');
  if (grantType === null) return reply.error(400, 'invalid_request', 'grant_type is missing.');
  if (grantType === 'authorization_code') return codeGrant(ctx, client, form, reply);
  const offered = offersRefreshTokens(ctx.options.clients.values(), ctx.profile.refresh.issuedByDefault);
  if (grantType === 'refresh_token' && offered) return refreshGrant(ctx, client, form, reply);
  return reply.error(400, 'unsupported_grant_type', `Supported: authorization_code${offered ? ', refresh_token' : ''}.`);
}

async function codeGrant(ctx: OpContext, client: MockOpClient, form: URLSearchParams, reply: Reply): Promise<void> {
  const error = (code: string, description: string): void => reply.error(400, code, description);
  const codeValue = form.get('code');
  if (codeValue === null) return error('invalid_request', 'code is missing.');
  const redirectUri = form.get('redirect_uri');
  if (redirectUri === null) return error('invalid_request', 'redirect_uri is missing.');

  const code = ctx.codes.get(codeValue);
  if (code === undefined) {
    return error('invalid_grant', 'The code is invalid, expired or was already used.');
  }
  // Any redemption attempt uses the code up: a stolen code cannot be tried twice.
  ctx.codes.delete(codeValue);
  if (code.accessTokens.length > 0) {
    for (const t of code.accessTokens) ctx.accessTokens.delete(t);
    const grant = code.refreshGrant;
    if (grant !== undefined) ctx.refreshGrants.revokeWhere((g) => g === grant);
    return error('invalid_grant', 'The code was already used.');
  }
  if (code.expiresAt <= Date.now()) return error('invalid_grant', 'The code has expired.');
  if (code.request.client.client_id !== client.client_id) return error('invalid_grant', 'The code was issued to another client.');
  if (code.request.redirectUri !== redirectUri) return error('invalid_grant', 'redirect_uri differs from the authorization request.');
  const verifier = form.get('code_verifier');
  if (code.request.codeChallenge !== undefined) {
    if (verifier === null) return error('invalid_grant', 'code_verifier is missing.');
    if (!PKCE_VALUE.test(verifier)) return error('invalid_grant', 'code_verifier is malformed.');
    if (createHash('sha256').update(verifier, 'ascii').digest('base64url') !== code.request.codeChallenge) {
      return error('invalid_grant', 'code_verifier does not match the code_challenge.');
    }
  } else if (verifier !== null) {
    return error('invalid_grant', 'code_verifier sent, but the authorization request had no code_challenge.');
  }

  const subject: TokenSubject = {
    sub: code.sub,
    sid: code.sid,
    authTime: code.authTime,
    scope: code.request.scope,
    ...(code.request.nonce !== undefined ? { nonce: code.request.nonce } : {}),
  };
  const { accessToken, body } = await issueTokens(ctx, client, subject);
  code.accessTokens.push(accessToken);
  // A session that ended between the code and its redemption has nothing left to bind a refresh token to.
  if (issuesRefreshTokens(client, ctx.profile.refresh.issuedByDefault) && (!ctx.profile.refresh.sessionBound || ctx.store.isLive(code.sessionSid))) {
    code.refreshGrant = ctx.refreshGrants.issue({ clientId: client.client_id, sessionSid: code.sessionSid, ...subject });
    body.refresh_token = code.refreshGrant.current;
  }
  // Keep the used code around, marked, until it would have expired, so a replay can revoke these tokens.
  ctx.codes.set(codeValue, code);
  reply.ok(body);
}

/**
 * `grant_type=refresh_token`: a new access token and ID token for the grant, a new refresh token where the profile
 * rotates, and reuse detection: a token that was rotated away gets `invalid_grant` and, where the OP does so, ends
 * its grant. The refreshed ID token keeps `sub`, `sid` and `auth_time`; its `nonce` only where the OP repeats it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse (Core §12.2)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (rotation, reuse detection)
 */
async function refreshGrant(ctx: OpContext, client: MockOpClient, form: URLSearchParams, reply: Reply): Promise<void> {
  const invalidGrant = (description: string): void => reply.error(400, 'invalid_grant', description);
  if (!issuesRefreshTokens(client, ctx.profile.refresh.issuedByDefault)) {
    return reply.error(400, 'unauthorized_client', 'This client is not registered for refresh tokens (refresh_tokens: true).');
  }
  const value = form.get('refresh_token');
  if (value === null || value === '') return reply.error(400, 'invalid_request', 'refresh_token is missing.');
  const found = ctx.refreshGrants.lookup(value);
  if (found.kind === 'unknown') return invalidGrant('The refresh token is invalid or was revoked.');
  const { grant } = found;
  if (grant.clientId !== client.client_id) return invalidGrant('The refresh token was issued to another client.');
  const rules = ctx.profile.refresh;
  if (found.kind === 'used') {
    // Reuse means two parties hold the token: the OP cannot tell which one is the client, so it ends the grant.
    if (rules.reuse === 'revoke-grant') ctx.refreshGrants.revokeWhere((g) => g === grant);
    else if (rules.reuse === 'revoke-client-session') {
      ctx.refreshGrants.revokeWhere((g) => g.sessionSid === grant.sessionSid && g.clientId === grant.clientId);
    }
    return invalidGrant(rules.reuse === 'fail' ? 'The refresh token was already used.' : 'The refresh token was already used: its grant is revoked.');
  }

  let scope = grant.scope;
  const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
  if (requested.length > 0 && rules.widenScope !== 'ignore') {
    const granted = grant.scope.split(' ');
    const extra = requested.filter((s) => !granted.includes(s));
    // RFC 6749 §6: the scope may shrink for this answer, never grow; the grant keeps its scope.
    if (extra.length > 0 && rules.widenScope === 'invalid_scope') {
      return reply.error(400, 'invalid_scope', `The grant does not include: ${extra.join(' ')}.`);
    }
    scope = granted.filter((s) => requested.includes(s)).join(' ');
  }
  const rotate = rules.rotate === 'always' || client.client_secret === undefined;
  const refreshToken = rotate ? ctx.refreshGrants.rotate(grant) : grant.current;
  const { body } = await issueTokens(ctx, client, {
    sub: grant.sub,
    sid: grant.sid,
    authTime: grant.authTime,
    scope,
    ...(rules.repeatNonce && grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
  });
  reply.ok({ ...body, refresh_token: refreshToken });
}
