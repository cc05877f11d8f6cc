import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpContext } from './context.js';
import { NO_STORE, sendJson } from './http.js';
import { corsHeaders } from './token.js';

/**
 * The UserInfo endpoint: a Bearer access token from the token endpoint, in the Authorization header
 * (or `access_token` in a POST form, RFC 6750 §2.2).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo (Core §5.3)
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3 (WWW-Authenticate errors)
 */
export function handleUserinfo(ctx: OpContext, req: IncomingMessage, res: ServerResponse, form?: URLSearchParams): void {
  const cors = corsHeaders(ctx, req);
  const header = req.headers.authorization;
  const token = header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : (form?.get('access_token') ?? undefined);
  if (token === undefined || token === '') {
    return sendJson(res, 401, { error: 'invalid_request', error_description: 'A Bearer access token is required.' }, {
      ...NO_STORE,
      ...cors,
      'WWW-Authenticate': 'Bearer realm="mock-op"',
    });
  }
  const grant = ctx.accessTokens.get(token);
  if (grant === undefined || grant.expiresAt <= Date.now()) {
    return sendJson(res, 401, { error: 'invalid_token', error_description: 'The access token is invalid or expired.' }, {
      ...NO_STORE,
      ...cors,
      'WWW-Authenticate': 'Bearer realm="mock-op", error="invalid_token"',
    });
  }
  const user = ctx.options.users.find((u) => u.sub === grant.sub);
  const scopes = grant.scope.split(' ');
  const claims: Record<string, string> = { sub: grant.sub };
  if (user && scopes.includes('profile')) {
    claims.preferred_username = user.username;
    if (user.name !== undefined) claims.name = user.name;
  }
  if (user?.email !== undefined && scopes.includes('email')) claims.email = user.email;
  sendJson(res, 200, claims, { ...NO_STORE, ...cors });
}
