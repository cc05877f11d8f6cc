import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowedOrigins } from './check-session.js';
import type { OpContext } from './context.js';
import { browserFor } from './context.js';
import { escapeHtml, randomToken } from './encoding.js';
import { NO_STORE, pageCsp, sendHtml, sendJson, sendScript } from './http.js';
import { page } from './pages.js';
import type { IframeRules, ProfileSpec } from './profiles.js';

/** `name` in the folder of `path` (`/a/b` → `/a/name`, `/a/b/` → `/a/b/name`): inside the OP's own path space. */
export function besidePath(path: string, name: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1) + name;
}

/**
 * Paths of the scripts a profile iframe loads, beside the iframe in the OP's path space (so that a proxy or allow-list
 * that passes only the OP's paths passes them too). Keycloak's page inlines them instead.
 */
export function profileScriptPaths(profile: ProfileSpec): { hash: string; iframe: string } {
  // Only a profile with an iframe serves its scripts; one without (node-oidc-provider 7) has no path to put them beside.
  const page = profile.paths.checkSession ?? '/';
  return { hash: besidePath(page, 'check_session_hash.js'), iframe: besidePath(page, 'check_session_profile.js') };
}

/** Paths of Keycloak's third-party-cookie probe, below `<issuer>/protocol/openid-connect/3p-cookies/`. */
export const KEYCLOAK_PROBE = { step1: 'step1.html', step2: 'step2.html' } as const;

/** What WSO2's iframe servlet answers for a missing or unknown `client_id`: a page with no script, which never answers. */
const WSO2_INVALID = 'Invalid OP IFrame Request';

/** The body attributes that tell the profile iframe script its OP's rules. */
function ruleAttributes(rules: IframeRules, extra: Record<string, string>): string {
  const values: Record<string, string> = {
    split: rules.split,
    hash: rules.hash,
    origin: rules.origin,
    missing: rules.missingCookie,
    'storage-first': String(rules.storageAccessFirst),
    'request-access': String(rules.requestStorageAccess),
    'init-once': String(rules.initOnce),
    'wso-parsing': String(rules.wso2Parsing === true),
    'ignore-error': String(rules.ignoreErrorString),
    ...(rules.init ? { init: rules.init } : {}),
    ...extra,
  };
  return Object.entries(values)
    .map(([k, v]) => `data-${k}="${escapeHtml(v)}"`)
    .join(' ');
}

/**
 * The check_session iframe of a non-spec profile: the OP's own rules for parsing, origin checks, cookie reading and
 * answers (see {@link IframeRules}), served without inline script.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#OPiframe (SM §3.2)
 */
export function handleProfileCheckSessionPage(ctx: OpContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const rules = ctx.profile.iframe!;
  browserFor(ctx, req, res);
  let ancestors = [...new Set(Object.values(allowedOrigins(ctx)).flat())];
  const extra: Record<string, string> = {
    'cookie-format': ctx.profile.stateCookie.format,
    cookie: `${ctx.cookies.prefix}_${ctx.profile.stateCookie.name}`,
  };
  if (rules.clientIdInUrl) {
    // WSO2: the page is rendered for one client, and only its callback origin is answered.
    const client = ctx.options.clients.get(url.searchParams.get('client_id') ?? '');
    if (client === undefined) {
      return sendHtml(res, 200, page('OP iframe', `<p id="invalid">${WSO2_INVALID}</p>`), { framable: true, csp: pageCsp({ frameAncestors: ancestors }) });
    }
    const wanted = url.searchParams.get('redirect_uri');
    const callback = wanted !== null && client.redirect_uris.includes(wanted) ? wanted : client.redirect_uris[0]!;
    extra['client-origin'] = new URL(callback).origin;
    ancestors = [extra['client-origin']];
  }
  if (rules.origin === 'init') extra['init-url'] = rules.init === 'GET' ? `${url.pathname}/init` : url.pathname;
  const attributes = { bodyAttributes: ruleAttributes(rules, extra) };
  if (rules.inline) {
    const nonce = randomToken(16);
    const html = page('OP iframe', inlineScripts(nonce, HASH_SCRIPT, PROFILE_IFRAME_SCRIPT), attributes);
    return sendHtml(res, 200, html, { framable: true, csp: pageCsp({ scriptNonce: nonce, frameAncestors: ancestors }) });
  }
  const paths = profileScriptPaths(ctx.profile);
  const html = page('OP iframe', `<script src="${paths.hash}"></script><script src="${paths.iframe}"></script>`, attributes);
  sendHtml(res, 200, html, { framable: true, csp: pageCsp({ scripts: true, frameAncestors: ancestors }) });
}

/** Script elements carrying `nonce`, for a page whose CSP allows only that nonce (the scripts hold no `</script`). */
function inlineScripts(nonce: string, ...scripts: string[]): string {
  return scripts.map((script) => `<script nonce="${nonce}">\n${script}</script>`).join('');
}

/** Whether `origin` is the origin of one of `clientId`'s redirect URIs. */
function originAllowed(ctx: OpContext, clientId: string, origin: string): boolean | undefined {
  // The registry is a Map: a client_id such as `constructor` or `__proto__` is just an unknown client.
  const client = ctx.options.clients.get(clientId);
  return client === undefined ? undefined : client.redirect_uris.some((uri) => new URL(uri).origin === origin);
}

/** Keycloak's `login-status-iframe.html/init?client_id&origin`: 204 when the pair is allowed, 403 otherwise. */
export function handleKeycloakInit(ctx: OpContext, res: ServerResponse, url: URL): void {
  const clientId = url.searchParams.get('client_id') ?? '';
  const origin = url.searchParams.get('origin') ?? '';
  const allowed = originAllowed(ctx, clientId, origin) === true;
  res.writeHead(allowed ? 204 : 403, { ...NO_STORE, 'Content-Length': '0' });
  res.end();
}

const MAX_JSON_BYTES = 16 * 1024;

/**
 * node-oidc-provider 6.x: the iframe POSTs `{"client_id", "origin"}` as JSON to its own URL; 204 when allowed,
 * `invalid_client` (400) for an unknown client, `invalid_request` (403) for an origin that is not allowed.
 */
export async function handleNodeOidcProviderInit(ctx: OpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) return sendJson(res, 413, { error: 'invalid_request', error_description: 'body too large' }, { ...NO_STORE, Connection: 'close' });
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return sendJson(res, 400, { error: 'invalid_request', error_description: 'the body must be JSON' }, NO_STORE);
  }
  const { client_id: clientId, origin } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof clientId !== 'string' || typeof origin !== 'string') {
    return sendJson(res, 400, { error: 'invalid_request', error_description: 'only string parameter values are expected' }, NO_STORE);
  }
  const allowed = originAllowed(ctx, clientId, origin);
  if (allowed === undefined) return sendJson(res, 400, { error: 'invalid_client', error_description: 'client is invalid' }, NO_STORE);
  if (!allowed) return sendJson(res, 403, { error: 'invalid_request', error_description: 'origin not allowed' }, NO_STORE);
  res.writeHead(204, { ...NO_STORE, 'Content-Length': '0' });
  res.end();
}

/** The hashing helper the profile iframes load; 404 while `op.loseHashScript(true)` is in force. */
export function handleHashScript(ctx: OpContext, res: ServerResponse): void {
  if (ctx.hashScriptLost.value) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end('not found');
    return;
  }
  sendScript(res, HASH_SCRIPT);
}

export function handleProfileIframeScript(res: ServerResponse): void {
  sendScript(res, PROFILE_IFRAME_SCRIPT);
}

/** Keycloak's probe pages: framable by registered RPs, their script inline under a nonce, as Keycloak serves them. */
export function handleKeycloakProbePage(ctx: OpContext, res: ServerResponse, step: 1 | 2): void {
  const ancestors = [...new Set(Object.values(allowedOrigins(ctx)).flat())];
  const nonce = randomToken(16);
  const html = page('3p-cookies', inlineScripts(nonce, step === 1 ? KEYCLOAK_STEP1_SCRIPT : KEYCLOAK_STEP2_SCRIPT));
  sendHtml(res, 200, html, { framable: true, csp: pageCsp({ scriptNonce: nonce, frameAncestors: ancestors }) });
}

/** `window.mockOpDigest(text, 'hex' | 'base64url')`: SHA-256 with WebCrypto. */
const HASH_SCRIPT = String.raw`(function () {
  'use strict';
  var encoder = new TextEncoder();
  window.mockOpDigest = function (text, encoding) {
    return crypto.subtle.digest('SHA-256', encoder.encode(text)).then(function (buffer) {
      var bytes = new Uint8Array(buffer);
      var out = '';
      if (encoding === 'hex') {
        for (var i = 0; i < bytes.length; i++) out += (bytes[i] + 0x100).toString(16).slice(1);
        return out;
      }
      for (var j = 0; j < bytes.length; j++) out += String.fromCharCode(bytes[j]);
      return btoa(out).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    });
  };
})();
`;

/**
 * The check_session iframe of the non-spec profiles, configured by `data-*` attributes of `<body>` (see IframeRules
 * in profiles.ts). Answers strictly in arrival order; a message that the OP would ignore gets no answer at all.
 */
const PROFILE_IFRAME_SCRIPT = String.raw`(function () {
  'use strict';
  var body = document.body;
  function attr(name) { return body.getAttribute('data-' + name); }
  var split = attr('split');
  var hashMode = attr('hash');
  var originRule = attr('origin');
  var clientOrigin = attr('client-origin');
  var initMethod = attr('init');
  var initUrl = attr('init-url');
  var missing = attr('missing');
  var storageFirst = attr('storage-first') === 'true';
  var requestAccess = attr('request-access') === 'true';
  var initOnce = attr('init-once') === 'true';
  var initTried = false;
  var wso2 = attr('wso-parsing') === 'true';
  var ignoreError = attr('ignore-error') === 'true';
  var cookieFormat = attr('cookie-format');
  var cookieName = attr('cookie');
  var verified = null;

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split(';') : [];
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].replace(/^\s+/, '');
      var eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq) === name) return part.slice(eq + 1);
    }
    return null;
  }
  // WSO2: the first occurrence of "<name>=" anywhere in document.cookie, up to the next ";".
  function findCookie(name) {
    var all = document.cookie + ';';
    var start = all.indexOf(name + '=');
    return start === -1 ? null : all.slice(start + name.length + 1, all.indexOf(';', start));
  }
  function readState(clientId) {
    if (wso2) return findCookie(cookieName);
    if (cookieFormat === 'per-client') return readCookie(cookieName + encodeURIComponent(clientId));
    var value = readCookie(cookieName);
    // Keycloak unquotes a quoted cookie value.
    if (value !== null && cookieFormat === 'keycloak' && value.length > 1 && value.charAt(0) === '"' && value.charAt(value.length - 1) === '"') value = value.slice(1, -1);
    return value;
  }
  function storageAccess() {
    if (!('hasStorageAccess' in document)) return Promise.resolve(true);
    return document.hasStorageAccess().then(function (yes) {
      if (yes || !requestAccess || typeof document.requestStorageAccess !== 'function') return yes;
      // Without a user gesture this is usually refused; a browser that grants it lets the iframe read its cookie.
      return document.requestStorageAccess().then(function () { return true; }, function () { return false; });
    }, function () { return false; });
  }
  function digest(text) {
    if (typeof window.mockOpDigest !== 'function') return Promise.reject(new Error('the hashing script did not load'));
    return window.mockOpDigest(text, hashMode === 'hex' ? 'hex' : 'base64url');
  }
  // null: the OP ignores the message (no answer); 'error'; or the parsed message.
  function parse(data) {
    if (typeof data !== 'string') return ignoreError || split !== 'first' ? null : 'error';
    if (ignoreError && data === 'error') return null;
    var parts = data.split(' ');
    if (split === 'two' || split === 'two-strict') {
      if (parts.length !== 2) return null;
      if (split === 'two-strict') {
        var pieces = parts[1].split('.');
        if (!parts[0] || !parts[1] || !pieces[0] || pieces.length > 2) return null;
      }
      return { clientId: parts[0], sessionState: parts[1] };
    }
    if (wso2) {
      if (data === 'null' || !parts[0] || parts[0] === 'null') return 'error';
      // WSO2's script throws on the missing part's length and never answers.
      if (parts[1] === undefined) return null;
      if (parts[1] === '' || parts[1] === 'null') return 'error';
    }
    if (!parts[0] || parts[1] === undefined || parts[1] === '') return 'error';
    return { clientId: parts[0], sessionState: parts[1] };
  }
  function checkOrigin(clientId, origin) {
    if (originRule !== 'init' || verified) return Promise.resolve(true);
    // Keycloak asks the OP once per iframe, even when that failed: every later message is an error.
    if (initOnce && initTried) return Promise.resolve(false);
    initTried = true;
    var request = initMethod === 'GET'
      ? fetch(initUrl + '?client_id=' + encodeURIComponent(clientId) + '&origin=' + encodeURIComponent(origin))
      : fetch(initUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ client_id: clientId, origin: origin }),
          redirect: 'error'
        });
    return request.then(function (response) {
      if (!response.ok) return false;
      verified = { clientId: clientId, origin: origin };
      return true;
    });
  }
  function compare(msg, origin) {
    var state = readState(msg.clientId);
    var matches = originRule !== 'init' || (verified.clientId === msg.clientId && verified.origin === origin);
    if (state === null) {
      if (missing === 'keycloak') return Promise.resolve(msg.sessionState !== '' ? 'changed' : 'unchanged');
      if (!matches || missing === 'error') return Promise.resolve('error');
      if (missing === 'changed') return Promise.resolve('changed');
      if (missing === 'storage-access') return storageAccess().then(function (yes) { return yes ? 'changed' : 'error'; });
      state = 'null';
    }
    if (!matches) return Promise.resolve('error');
    if (hashMode === 'session-id') {
      return digest(msg.sessionState).then(function (hash) {
        if (hash === state) return 'unchanged';
        // A cookie written before Keycloak 26.1: <realm>/<user id>/<session id>.
        return state.split('/')[2] === msg.sessionState ? 'unchanged' : 'changed';
      });
    }
    var salt = msg.sessionState.split('.')[1];
    // WSO2 concatenates a missing salt as the text "undefined".
    if (salt === undefined && wso2) salt = 'undefined';
    var text = msg.clientId + ' ' + origin + ' ' + state + (salt !== undefined ? ' ' + salt : '');
    return digest(text).then(function (hash) {
      return hash + (salt !== undefined ? '.' + salt : '') === msg.sessionState ? 'unchanged' : 'changed';
    });
  }
  function verdict(msg, origin) {
    return (storageFirst ? storageAccess() : Promise.resolve(true)).then(function (access) {
      if (!access) return 'error';
      return checkOrigin(msg.clientId, origin).then(function (allowed) {
        return allowed ? compare(msg, origin) : 'error';
      });
    });
  }

  var queue = Promise.resolve();
  window.addEventListener('message', function (event) {
    var source = event.source;
    var origin = event.origin;
    if (originRule === 'client-origin' && origin !== clientOrigin) return;
    var msg = parse(event.data);
    if (msg === null) return;
    queue = queue
      .then(function () { return msg === 'error' ? 'error' : verdict(msg, origin); })
      .catch(function () { return 'error'; })
      .then(function (status) {
        if (!source || origin === 'null') return;
        try { source.postMessage(status, origin); } catch (e) { /* the caller went away */ }
      });
  });
})();
`;

/**
 * Keycloak's step 1: without storage access (after asking for it without a user gesture) "unsupported"; else set two
 * test cookies and go on to step 2.
 */
const KEYCLOAK_STEP1_SCRIPT = String.raw`(function () {
  'use strict';
  function signal(supported) { window.parent.postMessage(supported ? 'supported' : 'unsupported', '*'); }
  function access() {
    if (!('hasStorageAccess' in document)) return Promise.resolve(true);
    return document.hasStorageAccess().then(function (yes) {
      if (yes || typeof document.requestStorageAccess !== 'function') return yes;
      return document.requestStorageAccess().then(function () { return true; }, function () { return false; });
    });
  }
  access().then(function (yes) {
    if (!yes) return signal(false);
    document.cookie = 'KEYCLOAK_3P_COOKIE_SAMESITE=supported; Max-Age=60; SameSite=None; Secure';
    document.cookie = 'KEYCLOAK_3P_COOKIE=supported; Max-Age=60';
    window.location = 'step2.html';
  }, function () { signal(false); });
})();
`;

/** Keycloak's step 2: "supported" when a test cookie came back (and clears them), else "unsupported". */
const KEYCLOAK_STEP2_SCRIPT = String.raw`(function () {
  'use strict';
  var supported = document.cookie.indexOf('KEYCLOAK_3P_COOKIE') !== -1;
  if (supported) {
    document.cookie = 'KEYCLOAK_3P_COOKIE_SAMESITE=; Max-Age=0';
    document.cookie = 'KEYCLOAK_3P_COOKIE=; Max-Age=0';
  }
  window.parent.postMessage(supported ? 'supported' : 'unsupported', '*');
})();
`;
