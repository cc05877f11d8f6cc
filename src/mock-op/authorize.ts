import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BrowserRecord, OpSession } from './browser-state.js';
import { opbsOf } from './browser-state.js';
import type { AuthorizationRequest, OpContext } from './context.js';
import { CODE_TTL_MS, FORM_TTL_MS, browserFor, sweep, syncStateCookie } from './context.js';
import { randomToken } from './encoding.js';
import { redirect, repeatedNames, sendHtml, withFragment, withParams } from './http.js';
import { errorPage, loginPage } from './pages.js';
import { ownPaths, sidFor } from './profiles.js';

/** RFC 7636 §4.1: 43..128 unreserved characters. An S256 challenge is 43 base64url characters. */
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

const KNOWN_PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

/**
 * Sends the browser back to the client with the authorization response (success or error), adding
 * `iss` (RFC 9207) and a `session_state` computed from the browser state as it is now, with a fresh
 * salt (SM-1, SM-2, SM-31).
 */
function respond(
  ctx: OpContext,
  req: IncomingMessage,
  res: ServerResponse,
  record: BrowserRecord,
  request: AuthorizationRequest,
  params: Record<string, string | undefined>,
  status: 302 | 303 = 302,
): void {
  const clientId = request.client.client_id;
  const sessionState = ctx.profile.sessionState(clientId, request.origin, opbsOf(record, clientId), record.session, params.error !== undefined);
  syncStateCookie(ctx, req, res, record);
  const build = request.responseMode === 'fragment' ? withFragment : withParams;
  redirect(res, build(request.redirectUri, { ...params, state: request.state, session_state: sessionState, iss: ctx.issuer }), status);
}

/** Issues a code for a signed-in session and redirects with it. */
export function issueCode(
  ctx: OpContext,
  req: IncomingMessage,
  res: ServerResponse,
  record: BrowserRecord,
  session: OpSession,
  request: AuthorizationRequest,
  status: 302 | 303 = 302,
): void {
  sweep(ctx.codes);
  const code = randomToken(32);
  ctx.codes.set(code, {
    request,
    sub: session.sub,
    sid: sidFor(ctx.profile, session.sid, request.client.client_id),
    sessionSid: session.sid,
    authTime: session.authTime,
    expiresAt: Date.now() + CODE_TTL_MS,
    accessTokens: [],
  });
  respond(ctx, req, res, record, request, { code }, status);
}

/** Shows the login form for `request` (a fresh transaction each time). */
export function showLogin(
  ctx: OpContext,
  req: IncomingMessage,
  res: ServerResponse,
  record: BrowserRecord,
  request: AuthorizationRequest,
  options: { error?: string; username?: string; tx?: string } = {},
): void {
  sweep(ctx.loginTransactions);
  const tx = options.tx ?? randomToken(24);
  ctx.loginTransactions.set(tx, { request, browserId: record.id, expiresAt: Date.now() + FORM_TTL_MS });
  syncStateCookie(ctx, req, res, record);
  const html = loginPage({ tx, clientId: request.client.client_id, action: ownPaths(ctx.profile).login, ...options });
  sendHtml(res, 200, html);
}

/**
 * The authorization endpoint (GET and POST). Client and redirect URI are checked first and a bad one
 * gets an error page, never a redirect (RFC 6749 §4.1.2.1); every later error goes back to the
 * registered redirect URI with `error`, `state` and `session_state`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthorizationEndpoint (Core §3.1.2)
 * @see https://openid.net/specs/openid-connect-session-1_0.html#CreatingUpdatingSessions (SM §2)
 */
export async function handleAuthorize(ctx: OpContext, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
  const repeated = repeatedNames(params);
  const clientId = params.get('client_id');
  const redirectUri = params.get('redirect_uri');
  if (repeated.includes('client_id') || repeated.includes('redirect_uri')) {
    return sendHtml(res, 400, errorPage('invalid_request', 'client_id and redirect_uri must each be sent once.'));
  }
  const client = clientId === null ? undefined : ctx.options.clients.get(clientId);
  if (client === undefined) {
    return sendHtml(res, 400, errorPage('invalid_client', clientId === null ? 'client_id is missing.' : 'Unknown client_id.'));
  }
  if (redirectUri === null || !client.redirect_uris.includes(redirectUri)) {
    return sendHtml(
      res,
      400,
      errorPage('invalid_request', redirectUri === null ? 'redirect_uri is missing.' : 'redirect_uri is not registered for this client (exact match).'),
    );
  }

  const record = browserFor(ctx, req, res);
  const request: AuthorizationRequest = {
    client,
    redirectUri,
    origin: new URL(redirectUri).origin,
    scope: params.get('scope') ?? '',
    ...(params.has('state') ? { state: params.get('state')! } : {}),
  };
  // A response mode the OP supports applies to every answer from here on, errors included (keycloak-js reads the
  // fragment only, and would never see an error in the query).
  const responseMode = params.get('response_mode');
  if (responseMode === 'fragment' && ctx.profile.responseModes.includes('fragment') && !repeated.includes('response_mode')) request.responseMode = 'fragment';
  const fail = (error: string, description: string): void => respond(ctx, req, res, record, request, { error, error_description: description });

  if (repeated.length > 0) return fail('invalid_request', `Parameters must not repeat: ${repeated.join(', ')}.`);
  if (params.has('request') || params.has('request_uri')) {
    return fail(params.has('request') ? 'request_not_supported' : 'request_uri_not_supported', 'Request objects are not supported.');
  }
  const responseType = params.get('response_type');
  if (responseType === null) return fail('invalid_request', 'response_type is missing.');
  if (responseType !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  if (responseMode !== null && !(ctx.profile.responseModes as readonly string[]).includes(responseMode)) {
    return fail('invalid_request', `Supported response_mode values: ${ctx.profile.responseModes.join(', ')}.`);
  }
  if (!request.scope.split(' ').includes('openid')) return fail('invalid_scope', 'scope must include openid.');

  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (challenge !== null) {
    if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
    if (!PKCE_VALUE.test(challenge)) return fail('invalid_request', 'code_challenge is malformed.');
    request.codeChallenge = challenge;
  } else if (method !== null) {
    return fail('invalid_request', 'code_challenge_method without code_challenge.');
  } else if (client.client_secret === undefined) {
    return fail('invalid_request', 'PKCE (code_challenge with S256) is required for public clients.');
  }
  const nonce = params.get('nonce');
  if (nonce !== null) request.nonce = nonce;

  const prompts = new Set((params.get('prompt') ?? '').split(' ').filter(Boolean));
  for (const p of prompts) if (!KNOWN_PROMPTS.has(p)) return fail('invalid_request', `Unknown prompt value: ${p}.`);
  if (prompts.has('none') && prompts.size > 1) return fail('invalid_request', 'prompt=none cannot be combined with other values.');

  let maxAge: number | undefined;
  const maxAgeParam = params.get('max_age');
  if (maxAgeParam !== null) {
    if (!/^\d{1,10}$/.test(maxAgeParam)) return fail('invalid_request', 'max_age must be a non-negative integer.');
    maxAge = Number(maxAgeParam);
  }

  // Core §3.1.2.1: an id_token_hint for someone other than the signed-in user (or not from this OP)
  // means the hinted user is not logged in.
  const session = record.session;
  let hintMismatch = false;
  const hint = params.get('id_token_hint');
  if (hint !== null) {
    const claims = await ctx.keys.verifyIssued(hint);
    hintMismatch = claims === undefined || session === undefined || claims.sub !== session.sub;
  }
  const tooOld = session !== undefined && maxAge !== undefined && Math.floor(Date.now() / 1000) - session.authTime > maxAge;

  if (prompts.has('none')) {
    if (session === undefined) return fail('login_required', 'There is no session at the OP.');
    if (hintMismatch) return fail('login_required', 'id_token_hint does not match the signed-in user.');
    if (tooOld) return fail('login_required', 'The authentication is older than max_age.');
    // The End-User approved this client for one sign-in only (WSO2 without "Approve always"): no silent consent.
    if (client.consent === 'once') return fail('consent_required', 'Consent for this client was not given "always".');
    return issueCode(ctx, req, res, record, ctx.store.loginSilent(record, client.client_id), request);
  }
  if (session === undefined || prompts.has('login') || hintMismatch || tooOld) {
    return showLogin(ctx, req, res, record, request);
  }
  return issueCode(ctx, req, res, record, ctx.store.loginSilent(record, client.client_id), request);
}
