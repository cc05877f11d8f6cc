import { escapeHtml } from './encoding.js';

/** A complete, minimal HTML document. `body` must already be escaped. */
export function page(title: string, body: string, options: { bodyAttributes?: string; head?: string } = {}): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title>${options.head ?? ''}</head>` +
    `<body${options.bodyAttributes ? ` ${options.bodyAttributes}` : ''}>\n${body}\n</body></html>\n`
  );
}

/**
 * An error page for requests that must not be redirected (unknown client, unregistered redirect URI,
 * RFC 6749 §4.1.2.1), and for every other bad request that has nowhere safe to go.
 */
export function errorPage(error: string, description: string): string {
  return page(
    'Error',
    `<h1>Error</h1>\n<p id="error">${escapeHtml(error)}</p>\n<p id="error_description">${escapeHtml(description)}</p>`,
  );
}

/** The login form. `tx` ties the POST to the pending authorization request and this browser. */
export function loginPage(options: { tx: string; clientId: string; action: string; error?: string; username?: string }): string {
  const error = options.error ? `<p id="error" role="alert">${escapeHtml(options.error)}</p>\n` : '';
  return page(
    'Sign in',
    `<h1>Sign in</h1>\n<p>to continue to <strong id="client">${escapeHtml(options.clientId)}</strong></p>\n${error}` +
      `<form method="post" action="${escapeHtml(options.action)}">\n` +
      `<input type="hidden" name="tx" value="${escapeHtml(options.tx)}">\n` +
      `<label>Username <input name="username" autocomplete="username" value="${escapeHtml(options.username ?? '')}" required></label>\n` +
      '<label>Password <input name="password" type="password" autocomplete="current-password" required></label>\n' +
      '<button type="submit">Sign in</button>\n</form>',
  );
}

/** The "Sign out of the OP?" question (RPI-19, RPI-20), as a POST form with a one-time token. */
export function logoutConfirmPage(options: { tx: string; reason: string; action: string }): string {
  return page(
    'Sign out?',
    `<h1>Sign out of the OP?</h1>\n<p id="reason">${escapeHtml(options.reason)}</p>\n` +
      `<form method="post" action="${escapeHtml(options.action)}">\n` +
      `<input type="hidden" name="tx" value="${escapeHtml(options.tx)}">\n` +
      '<button type="submit" name="action" value="logout">Sign out</button>\n' +
      '<button type="submit" name="action" value="cancel">Stay signed in</button>\n</form>',
  );
}

export function signedOutPage(): string {
  return page('Signed out', '<h1 id="signed-out">You are signed out</h1>');
}

export function stillSignedInPage(): string {
  return page('Still signed in', '<h1 id="still-signed-in">You are still signed in</h1>');
}

/**
 * The front-channel logout page. Its external script creates one hidden iframe per RP (listening for
 * `load` before setting `src`, so no load event can be missed) and moves on to `next` once all loaded or
 * after the timeout (FCL §3; RPI-28: notify before redirecting).
 */
export function frontChannelPage(options: { frames: string[]; next: string; timeoutMs: number; script: string }): string {
  return page(
    'Signing out',
    `<h1>Signing out…</h1>\n<p><a id="next" href="${escapeHtml(options.next)}">Continue</a></p>\n` +
      `<script src="${escapeHtml(options.script)}"></script>`,
    {
      bodyAttributes:
        `data-frames="${escapeHtml(JSON.stringify(options.frames))}" ` +
        `data-next="${escapeHtml(options.next)}" data-timeout="${options.timeoutMs}"`,
    },
  );
}
