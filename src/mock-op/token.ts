import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpContext } from './context.js';
import { opSeconds, sweep } from './context.js';
import { randomToken } from './encoding.js';
import { NO_STORE, sendJson } from './http.js';
import { atHash } from './keys.js';
import type { MockOpClient } from './types.js';

const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

function equalSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** CORS headers for a registered RP origin (SPAs call the token and userinfo endpoints with fetch). */
export function corsHeaders(ctx: OpContext, req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined || !ctx.registeredOrigins.has(origin)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Access-Control-Expose-Headers': 'WWW-Authenticate' };
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

/**
 * The token endpoint: `authorization_code` only. Codes are single use (a replay also revokes the tokens
 * issued for the code), expire after a minute, and are bound to the client, the redirect URI and the
 * PKCE verifier. No refresh tokens.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#TokenEndpoint (Core §3.1.3)
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2 (error response)
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6 (PKCE verification)
 */
export async function handleToken(ctx: OpContext, req: IncomingMessage, res: ServerResponse, form: URLSearchParams): Promise<void> {
  const cors = corsHeaders(ctx, req);
  const error = (status: number, code: string, description: string, extra: Record<string, string> = {}): void =>
    sendJson(res, status, { error: code, error_description: description }, { ...NO_STORE, ...cors, ...extra });

  const auth = authenticateClient(ctx, req, form);
  if ('error' in auth) {
    return auth.basic
      ? error(401, auth.error, auth.description, { 'WWW-Authenticate': 'Basic realm="mock-op"' })
      : error(auth.error === 'invalid_client' ? 401 : 400, auth.error, auth.description);
  }
  const { client } = auth;
  const grantType = form.get('grant_type');
  if (grantType === null) return error(400, 'invalid_request', 'grant_type is missing.');
  if (grantType !== 'authorization_code') return error(400, 'unsupported_grant_type', 'Only authorization_code is supported.');
  const codeValue = form.get('code');
  if (codeValue === null) return error(400, 'invalid_request', 'code is missing.');
  const redirectUri = form.get('redirect_uri');
  if (redirectUri === null) return error(400, 'invalid_request', 'redirect_uri is missing.');

  const code = ctx.codes.get(codeValue);
  if (code === undefined) {
    return error(400, 'invalid_grant', 'The code is invalid, expired or was already used.');
  }
  // Any redemption attempt uses the code up: a stolen code cannot be tried twice.
  ctx.codes.delete(codeValue);
  if (code.accessTokens.length > 0) {
    for (const t of code.accessTokens) ctx.accessTokens.delete(t);
    return error(400, 'invalid_grant', 'The code was already used.');
  }
  if (code.expiresAt <= Date.now()) return error(400, 'invalid_grant', 'The code has expired.');
  if (code.request.client.client_id !== client.client_id) return error(400, 'invalid_grant', 'The code was issued to another client.');
  if (code.request.redirectUri !== redirectUri) return error(400, 'invalid_grant', 'redirect_uri differs from the authorization request.');
  const verifier = form.get('code_verifier');
  if (code.request.codeChallenge !== undefined) {
    if (verifier === null) return error(400, 'invalid_grant', 'code_verifier is missing.');
    if (!PKCE_VALUE.test(verifier)) return error(400, 'invalid_grant', 'code_verifier is malformed.');
    if (createHash('sha256').update(verifier, 'ascii').digest('base64url') !== code.request.codeChallenge) {
      return error(400, 'invalid_grant', 'code_verifier does not match the code_challenge.');
    }
  } else if (verifier !== null) {
    return error(400, 'invalid_grant', 'code_verifier sent, but the authorization request had no code_challenge.');
  }

  sweep(ctx.accessTokens);
  const ttl = ctx.options.idTokenTtlSeconds;
  const accessToken = randomToken(32);
  const iat = opSeconds(ctx);
  ctx.accessTokens.set(accessToken, { sub: code.sub, clientId: client.client_id, scope: code.request.scope, expiresAt: Date.now() + ttl * 1000 });
  code.accessTokens.push(accessToken);
  // Keep the used code around, marked, until it would have expired, so a replay can revoke these tokens.
  ctx.codes.set(codeValue, code);
  const user = ctx.options.users.find((u) => u.sub === code.sub);
  const scopes = code.request.scope.split(' ');
  const idToken = await ctx.keys.signIdToken({
    sub: code.sub,
    aud: client.client_id,
    iat,
    exp: iat + ttl,
    auth_time: opSeconds(ctx, code.authTime),
    sid: code.sid,
    at_hash: atHash(accessToken),
    ...(code.request.nonce !== undefined ? { nonce: code.request.nonce } : {}),
    ...(scopes.includes('profile') && user?.name !== undefined ? { name: user.name } : {}),
    ...(scopes.includes('email') && user?.email !== undefined ? { email: user.email } : {}),
  });
  sendJson(
    res,
    200,
    { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, id_token: idToken, scope: code.request.scope },
    { ...NO_STORE, ...cors },
  );
}
