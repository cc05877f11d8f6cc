import type { IncomingMessage, ServerResponse } from 'node:http';
import { issueCode, showLogin } from './authorize.js';
import type { OpContext } from './context.js';
import { findBrowser } from './context.js';
import { sendHtml } from './http.js';
import { errorPage } from './pages.js';

/**
 * The login form's POST. The transaction id in the form must be one this OP issued to this same
 * browser (a CSRF guard: another site cannot complete a login into the victim's browser). The password
 * rule is simple: a user's configured password, exactly. A wrong one shows the form again with an error.
 * Success replaces any session of another user (user switch) and redirects with a code (303, so the
 * browser follows with GET).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12 (CSRF)
 */
export function handleLogin(ctx: OpContext, req: IncomingMessage, res: ServerResponse, form: URLSearchParams): void {
  const tx = form.get('tx') ?? '';
  const transaction = ctx.loginTransactions.get(tx);
  const record = findBrowser(ctx, req);
  if (transaction === undefined || transaction.expiresAt <= Date.now()) {
    ctx.loginTransactions.delete(tx);
    return sendHtml(res, 400, errorPage('invalid_request', 'This sign-in form has expired or was already used. Start again from the application.'));
  }
  if (record === undefined || record.id !== transaction.browserId) {
    return sendHtml(res, 403, errorPage('access_denied', 'This sign-in form belongs to another browser.'));
  }
  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  const user = ctx.options.users.find((u) => u.username === username);
  if (user === undefined || user.password !== password) {
    return showLogin(ctx, req, res, record, transaction.request, { error: 'Wrong username or password.', username, tx });
  }
  ctx.loginTransactions.delete(tx);
  const session = ctx.store.loginInteractive(record, user.sub, transaction.request.client.client_id);
  issueCode(ctx, req, res, record, session, transaction.request, 303);
}
