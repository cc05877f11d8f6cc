import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BrowserRecord } from './browser-state.js';
import type { OpContext } from './context.js';
import { FORM_TTL_MS, browserFor, findBrowser, sweep, syncStateCookie } from './context.js';
import { randomToken } from './encoding.js';
import { NO_STORE, pageCsp, redirect, sendHtml, sendJson, sendScript, withParams } from './http.js';
import { ownPaths, sidFor } from './profiles.js';
import { errorPage, frontChannelPage, logoutConfirmPage, signedOutPage, stillSignedInPage } from './pages.js';

/** The front-channel page moves on after this long even if an RP's iframe never loads. */
export const FRONT_CHANNEL_TIMEOUT_MS = 3000;

/**
 * Ends the browser's OP session (idempotent), then notifies every client of the ended session that
 * registered a `frontchannel_logout_uri` (with `iss` and `sid`, keeping the URI's own query) before
 * going on to `next` or to the signed-out page.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#OPLogout (FCL §3)
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout (RPI §3)
 */
function logoutAndContinue(ctx: OpContext, req: IncomingMessage, res: ServerResponse, record: BrowserRecord, next: string | undefined): void {
  const ended = ctx.store.logout(record);
  syncStateCookie(ctx, req, res, record);
  const frames: string[] = [];
  for (const clientId of ctx.profile.frontChannel ? (ended?.clients ?? []) : []) {
    const uri = ctx.options.clients.get(clientId)?.frontchannel_logout_uri;
    if (uri !== undefined && ended) frames.push(withParams(uri, { iss: ctx.issuer, sid: sidFor(ctx.profile, ended.sid, clientId) }));
  }
  if (frames.length === 0) {
    if (next !== undefined) return redirect(res, next, 303);
    return sendHtml(res, 200, signedOutPage());
  }
  const own = ownPaths(ctx.profile);
  const target = next ?? own.endSessionDone;
  const csp = pageCsp({ scripts: true, frameSrc: [...new Set(frames.map((f) => new URL(f).origin))] });
  sendHtml(res, 200, frontChannelPage({ frames, next: target, timeoutMs: FRONT_CHANNEL_TIMEOUT_MS, script: own.frontChannelScript }), { csp });
}

function askToConfirm(ctx: OpContext, req: IncomingMessage, res: ServerResponse, record: BrowserRecord, reason: string, next?: string): void {
  sweep(ctx.logoutTransactions);
  const tx = randomToken(24);
  ctx.logoutTransactions.set(tx, { browserId: record.id, expiresAt: Date.now() + FORM_TTL_MS, ...(next !== undefined ? { next } : {}) });
  syncStateCookie(ctx, req, res, record);
  sendHtml(res, 200, logoutConfirmPage({ tx, reason, action: ownPaths(ctx.profile).endSessionConfirm }));
}

/**
 * The end_session_endpoint (GET and POST). `id_token_hint` must be signed by this OP with its issuer
 * (expired tokens are accepted, RPI-17); a `client_id` must be in its `aud` (RPI-7). The browser goes
 * to `post_logout_redirect_uri` only when it exactly matches one registered for that client and the
 * hint is valid (RPI-26, RPI-27), with `state` appended exactly and nothing else. A valid hint for the
 * signed-in user's current session (its `sid`, a client that joined it) logs out at once; anything else asks "Sign
 * out of the OP?" first (RPI-18, RPI-20, RPI-35) and never redirects. Without a session there is nothing to do and nothing is an error (RPI-32).
 * `ui_locales` and `logout_hint` are accepted and ignored.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout (RPI §2)
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#ErrorHandling (RPI §4)
 */
export async function handleEndSession(ctx: OpContext, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
  const record = browserFor(ctx, req, res);
  const hint = params.get('id_token_hint');
  const clientId = params.get('client_id');
  const redirectUri = params.get('post_logout_redirect_uri');
  const state = params.get('state');

  const claims = hint === null ? undefined : await ctx.keys.verifyIssued(hint);
  const audience = claims === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];
  const problems: string[] = [];
  if (hint !== null && claims === undefined) problems.push('The id_token_hint was not issued by this OP.');
  if (clientId !== null && !ctx.options.clients.has(clientId)) problems.push('The client_id is unknown.');
  if (clientId !== null && claims !== undefined && !audience.includes(clientId)) problems.push('The client_id does not match the id_token_hint.');
  const hintValid = claims !== undefined && problems.length === 0;

  const rules = ctx.profile.logout;
  const client = ctx.options.clients.get(clientId ?? (audience.length === 1 ? audience[0]! : String(claims?.azp ?? '')));
  const registered = (rules.registeredIn === 'redirect_uris' ? client?.redirect_uris : client?.post_logout_redirect_uris) ?? [];
  // A client_id alone, where the OP takes it instead of a hint: the user is always asked first (LogoutRules).
  const byClientId = rules.clientIdSuffices && hint === null && clientId !== null && client !== undefined;
  let next: string | undefined;
  if (redirectUri !== null) {
    if (!hintValid && !byClientId) problems.push('A post_logout_redirect_uri needs a valid id_token_hint.');
    else if (!registered.includes(redirectUri)) {
      const problem = 'The post_logout_redirect_uri is not registered for this client.';
      // Some OPs refuse outright instead of asking (RPI §4 leaves the choice to the OP).
      if (rules.unregistered === 'json-400') {
        return sendJson(res, 400, { error: 'post_logout_uri_not_associated_with_client', error_description: problem }, NO_STORE);
      }
      if (rules.unregistered === 'error-page') return sendHtml(res, 400, errorPage('invalid_request', problem));
      problems.push(problem);
    } else next = withParams(redirectUri, { state: state ?? undefined });
  } else if (rules.defaultRedirect && hintValid && registered.length > 0) {
    // django-oidc-provider: no post_logout_redirect_uri means the client's first registered one.
    next = withParams(registered[0]!, { state: state ?? undefined });
  }

  const session = record.session;
  if (session === undefined) {
    // Nothing to end (RPI-32); redirect only for a valid hint, where it would have been allowed anyway.
    if (next !== undefined && hintValid && problems.length === 0) return redirect(res, next, 303);
    return sendHtml(res, 200, signedOutPage());
  }
  // RPI-18 / RPI-20: the hint must belong to this OP session with this RP — the same user, the same `sid` (not an
  // earlier session of that user), and a client that joined it; anything else is asked about first.
  const sameUser = claims?.sub === session.sub;
  const thisSession =
    sameUser && client !== undefined && session.clients.has(client.client_id) && (claims?.sid === undefined || claims.sid === sidFor(ctx.profile, session.sid, client.client_id));
  if (hintValid && problems.length === 0 && thisSession) {
    if (rules.alwaysConfirm) return askToConfirm(ctx, req, res, record, 'Do you want to sign out of the OP?', next);
    return logoutAndContinue(ctx, req, res, record, next);
  }
  if (byClientId && problems.length === 0) return askToConfirm(ctx, req, res, record, 'Do you want to sign out of the OP?', next);
  if (hint === null) problems.unshift('The request did not say which session to end (no id_token_hint).');
  else if (hintValid && !sameUser) problems.push('The id_token_hint is for another user than the one signed in.');
  else if (hintValid && !thisSession) problems.push('The id_token_hint is from another session (an earlier one, or a client that is not part of this one).');
  askToConfirm(ctx, req, res, record, problems.join(' '));
}

/**
 * The confirmation form's POST: `action=logout` ends the session, `action=cancel` keeps it. Redirects to an RP only
 * for a request that was verified before the question (profiles whose OP always asks); otherwise never.
 */
export function handleEndSessionConfirm(ctx: OpContext, req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void {
  const tx = form.get('tx') ?? '';
  const transaction = ctx.logoutTransactions.get(tx);
  ctx.logoutTransactions.delete(tx);
  const record = findBrowser(ctx, req);
  if (transaction === undefined || transaction.expiresAt <= Date.now() || record === undefined || record.id !== transaction.browserId) {
    return sendHtml(res, 400, errorPage('invalid_request', 'This sign-out form has expired, was already used, or belongs to another browser.'));
  }
  if (form.get('action') !== 'logout') {
    syncStateCookie(ctx, req, res, record);
    return sendHtml(res, 200, stillSignedInPage());
  }
  logoutAndContinue(ctx, req, res, record, transaction.next);
}

export function handleEndSessionDone(res: ServerResponse): void {
  sendHtml(res, 200, signedOutPage());
}

/** Creates the front-channel iframes and moves on when all loaded or after the timeout. */
const FRONT_CHANNEL_SCRIPT = String.raw`(function () {
  'use strict';
  var body = document.body;
  var frames = JSON.parse(body.getAttribute('data-frames') || '[]');
  var next = body.getAttribute('data-next');
  var timeout = Number(body.getAttribute('data-timeout')) || 3000;
  var pending = frames.length;
  var done = false;
  function go() {
    if (done) return;
    done = true;
    window.location.replace(next);
  }
  frames.forEach(function (src) {
    var frame = document.createElement('iframe');
    frame.hidden = true;
    frame.title = 'logout';
    frame.className = 'fcl';
    frame.addEventListener('load', function () { if (--pending === 0) setTimeout(go, 0); });
    frame.addEventListener('error', function () { if (--pending === 0) setTimeout(go, 0); });
    frame.src = src;
    body.appendChild(frame);
  });
  if (pending === 0) go();
  setTimeout(go, timeout);
})();
`;

export function handleFrontChannelScript(res: ServerResponse): void {
  sendScript(res, FRONT_CHANNEL_SCRIPT);
}
