import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { randomToken, sha256Base64url } from './encoding.js';
import type { OpSession } from './browser-state.js';
import { computeSessionState } from './session-state.js';
import type { MockOpProfile } from './types.js';

/**
 * What changes an OP's browser state ("opbs"):
 * - `'browser'`: one value per browser, new on login, logout, user switch, and whenever a client joins the session
 *   (WSO2 Identity Server, and the spec profile's default);
 * - `'per-client'`: a value per client; another client's sign-in leaves it alone (node-oidc-provider 6.x);
 * - `'session'`: one value per OP session, new only on login, logout and user switch; a client joining by SSO
 *   changes nothing (django-oidc-provider: the Django session key; Janssen: the session's opbs; Keycloak: the
 *   user session id).
 */
export type StateScope = 'browser' | 'per-client' | 'session';

/** How the OP's check_session iframe reads a message and answers (see `profile-check-session.ts`). */
export interface IframeRules {
  /**
   * `'first'`: client_id is the text before the first space, session_state the text after it up to the next space
   * (WSO2, django-oidc-provider, Janssen); `'two'`: exactly two space-separated parts, anything else is ignored
   * without an answer (Keycloak); `'two-strict'`: the same, and both non-empty with at most one "." in the
   * session_state (node-oidc-provider).
   */
  split: 'first' | 'two' | 'two-strict';
  /**
   * `'hex'` or `'base64url'` SHA-256 over `client_id origin opbs salt`; `'session-id'`: base64url(SHA-256(session_state))
   * equals the cookie, or, for a cookie of the form before 26.1, its third `/` part equals the session_state (Keycloak).
   */
  hash: 'hex' | 'base64url' | 'session-id';
  /**
   * Who gets an answer: `'client-origin'`: only the origin of the client named in the iframe URL's `client_id`,
   * others are ignored (WSO2); `'any'`: every origin (django-oidc-provider, Janssen); `'init'`: the first message's
   * (client_id, origin) is checked with a request to the OP, then only that pair is answered with a verdict and
   * anything else gets `error` (Keycloak: GET `<iframe>/init`, node-oidc-provider: POST to the iframe URL).
   */
  origin: 'client-origin' | 'any' | 'init';
  init?: 'GET' | 'POST';
  /**
   * When the state cookie is missing: `'null'`: hash with the text "null" (WSO2); `'error'` (django-oidc-provider
   * throws); `'changed'`; `'storage-access'`: `error` when `document.hasStorageAccess()` says no, else `changed`
   * (node-oidc-provider); `'keycloak'`: `changed` unless the session_state sent is empty.
   */
  missingCookie: 'null' | 'error' | 'changed' | 'storage-access' | 'keycloak';
  /** Check `document.hasStorageAccess()` before anything else and answer `error` without access (Keycloak). */
  storageAccessFirst: boolean;
  /** Without storage access, try `document.requestStorageAccess()` (no user gesture, so it may fail) before giving up (Keycloak). */
  requestStorageAccess: boolean;
  /** After one failed origin check, answer `error` to everything without asking the OP again (Keycloak); else ask on each message (node-oidc-provider). */
  initOnce: boolean;
  /** The page carries its scripts inline under a CSP nonce (Keycloak); otherwise it loads them from the profile's paths. */
  inline: boolean;
  /** Non-string data and the string "error" get no answer at all (django-oidc-provider). */
  ignoreErrorString: boolean;
  /** The iframe URL needs `?client_id=` (WSO2); without it the page is an error text with no script. */
  clientIdInUrl: boolean;
  /**
   * WSO2's own parsing, where it differs from the `'first'` split: the text `null` (as the message, the client_id or
   * the session_state) is `error`; a message with no second part gets no answer (its script throws reading the
   * length of the missing part); a session_state without `.` is hashed with the salt text `undefined` (so it never
   * matches); the state cookie is found by a substring search for `<name>=` in `document.cookie`, as WSO2 searches
   * `opbs=`.
   */
  wso2Parsing?: boolean;
}

/** Where the authorization response goes: the redirect URI's query or its fragment. */
export type ResponseMode = 'query' | 'fragment';

/** How the state cookie(s) the iframe reads look on the wire. */
export type StateCookieFormat =
  /** one cookie holding the opbs (`opbs`, `op_browser_state`) */
  | 'plain'
  /** one cookie per client, `_state.<client_id>`, holding that client's opbs (node-oidc-provider) */
  | 'per-client'
  /** none at all: an OP without session management (node-oidc-provider 7 and later) */
  | 'none'
  /** `KEYCLOAK_SESSION=base64url(SHA-256(session id))` (Keycloak 26.1 and later), absent without a session */
  | 'keycloak';

/** What an OP does at its end_session endpoint that the spec leaves open or that it does differently. */
export interface LogoutRules {
  /** Always ask "sign out?" first, even for a verified request (WSO2's logout consent page, node-oidc-provider 6.x). */
  alwaysConfirm: boolean;
  /**
   * Where `post_logout_redirect_uri` must be registered: `'post_logout_redirect_uris'` (the spec), or
   * `'redirect_uris'` (WSO2 checks the callback URL, usually a `regexp=` covering the app's pages).
   */
  registeredIn: 'post_logout_redirect_uris' | 'redirect_uris';
  /**
   * A `post_logout_redirect_uri` that is not registered: `'confirm'` asks and never redirects (the spec profile,
   * django-oidc-provider's end-session prompt); `'error-page'`: an HTML error (WSO2, node-oidc-provider);
   * `'json-400'`: HTTP 400 with `post_logout_uri_not_associated_with_client` (Janssen).
   */
  unregistered: 'confirm' | 'error-page' | 'json-400';
  /** A valid hint without `post_logout_redirect_uri` goes to the client's first registered one (django-oidc-provider). */
  defaultRedirect: boolean;
  /**
   * A `client_id` without `id_token_hint` is enough for `post_logout_redirect_uri`, once the user confirmed, while the
   * browser has a session (WSO2's `processLogoutRequest`, node-oidc-provider 6's end_session); without a session only a
   * valid hint leads back to the RP (WSO2's `handleMissingSessionStateGracefully`).
   */
  clientIdSuffices: boolean;
}

/**
 * What an OP does with refresh tokens, for clients registered with `refresh_tokens: true` (with the setting that
 * gives rotation and reuse detection where the real OP has one; the mock OP's README lists them and the sources).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export interface RefreshRules {
  /** `'always'`: every refresh answer carries a new refresh token; `'public-clients'`: only for public clients (node-oidc-provider), a confidential client keeps its token. */
  rotate: 'always' | 'public-clients';
  /**
   * Presenting a rotated-away token: `'revoke-grant'` ends every token descended from the same code (the spec profile,
   * node-oidc-provider); `'revoke-client-session'` ends every grant of that client in that OP session (Keycloak
   * detaches the client session); `'fail'` answers `invalid_grant` and leaves the newest token working.
   */
  reuse: 'revoke-grant' | 'revoke-client-session' | 'fail';
  /**
   * A `scope` parameter with a scope the grant lacks: `'invalid_scope'`; `'drop'`: the extra scopes are dropped
   * (Keycloak); `'ignore'`: the parameter is ignored and the grant's scope is used (django-oidc-provider).
   */
  widenScope: 'invalid_scope' | 'drop' | 'ignore';
  /** The refreshed ID token repeats the original `nonce` (Keycloak, node-oidc-provider); otherwise it has none. */
  repeatNonce: boolean;
  /** The grant ends with the OP session it came from (all but django-oidc-provider, whose tokens outlive logout). */
  sessionBound: boolean;
  /**
   * Whether a client that says nothing (`refresh_tokens` left out) gets refresh tokens: Keycloak's "Use refresh
   * tokens" is on by default for every client. `refresh_tokens: false` turns them off there too.
   */
  issuedByDefault: boolean;
}

const SPEC_REFRESH: RefreshRules = { rotate: 'always', reuse: 'revoke-grant', widenScope: 'invalid_scope', repeatNonce: false, sessionBound: true, issuedByDefault: false };

/** One OP's behaviour on the wire. The `spec` profile is the mock OP's own, spec-exact behaviour. */
export interface ProfileSpec {
  readonly name: MockOpProfile;
  /** Path of the issuer below the origin ('' or e.g. '/realms/demo'). Discovery is `<issuer>/.well-known/openid-configuration`. */
  readonly issuerPath: string;
  /** Absolute paths of the public endpoints. */
  readonly paths: {
    authorize: string;
    token: string;
    userinfo: string;
    jwks: string;
    /** `undefined`: the OP has no session management (no iframe, no `session_state`, no state cookie). */
    checkSession: string | undefined;
    endSession: string;
  };
  readonly scope: StateScope;
  /** A fresh opbs value, in the OP's own shape. */
  newState(): string;
  /** The opbs of every browser without a session, when the OP uses one fixed value (django-oidc-provider). */
  readonly anonymousState?: string;
  /** `session_state` for a response (`session`: the OP session, if any), or undefined when the OP sends none. */
  sessionState(clientId: string, origin: string, opbs: string, session: OpSession | undefined, error: boolean): string | undefined;
  /** A new OP session's `sid` in the OP's own shape (default: 18 random bytes, base64url). */
  readonly newSid?: () => string;
  /** Response modes of the authorization endpoint besides the default `query` (Keycloak: `fragment`). */
  readonly responseModes: readonly ResponseMode[];
  /**
   * The token and userinfo endpoints answer a registered origin with `Access-Control-Allow-Credentials: true`, so that
   * a `fetch` with `credentials: 'include'` may read the answer (Keycloak's and WSO2's CORS; keycloak-js and
   * @asgardeo/auth-spa send credentials).
   */
  readonly corsCredentials: boolean;
  /**
   * `'opaque'`: random access and refresh tokens; `'keycloak'`: Keycloak's JWTs (an RS256 access token with `sid`,
   * `azp`, `typ: Bearer`, `realm_access`; an HS512 refresh token with `typ: Refresh`), which keycloak-js decodes.
   */
  readonly tokenFormat: 'opaque' | 'keycloak';
  /** State cookie format and name (the mock prefixes every name with `mockop<port>_`, see cookies.ts). */
  readonly stateCookie: { format: 'mock' | StateCookieFormat; name: string };
  /** null for the spec profile, whose iframe is check-session-scripts.ts. */
  readonly iframe: IframeRules | null;
  readonly logout: LogoutRules;
  /** Discovery advertises front-channel logout, and the OP renders the iframes. */
  readonly frontChannel: boolean;
  /** Each client gets its own `sid` for the same OP session (node-oidc-provider: `session.sidFor(clientId)`). */
  readonly sidPerClient: boolean;
  /** Refresh tokens, for clients registered with `refresh_tokens: true`. */
  readonly refresh: RefreshRules;
}

function hexSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `HASH(client_id + " " + origin + " " + opbs + " " + salt) + "." + salt` with the OP's hash encoding and salt. */
function salted(encode: (text: string) => string, salt: () => string) {
  return (clientId: string, origin: string, opbs: string): string => {
    const s = salt();
    return `${encode(`${clientId} ${origin} ${opbs} ${s}`)}.${s}`;
  };
}

const SPEC_PATHS = {
  authorize: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/jwks',
  checkSession: '/check_session',
  endSession: '/end_session',
};

const SPEC_LOGOUT: LogoutRules = { alwaysConfirm: false, registeredIn: 'post_logout_redirect_uris', unregistered: 'confirm', defaultRedirect: false, clientIdSuffices: false };

/** The realm of the Keycloak profile. */
export const KEYCLOAK_REALM = 'demo';

function specProfile(): ProfileSpec {
  return {
    name: 'spec',
    issuerPath: '',
    paths: SPEC_PATHS,
    scope: 'browser',
    newState: () => randomToken(18),
    sessionState: (clientId, origin, opbs) => computeSessionState(clientId, origin, opbs),
    stateCookie: { format: 'mock', name: 'bs' },
    iframe: null,
    logout: SPEC_LOGOUT,
    frontChannel: true,
    sidPerClient: false,
    refresh: SPEC_REFRESH,
    responseModes: ['query'],
    corsCredentials: false,
    tokenFormat: 'opaque',
  };
}

/**
 * WSO2 Identity Server (identity-inbound-auth-oauth): `/oidc/checksession?client_id=…` (the OP serves the iframe for
 * that client's callback origin only), `/oidc/logout` with a logout consent page, `opbs` cookie (a UUID, new when
 * a client joins the session), `session_state = hex(SHA-256(…)) + "." + base64url(16 random bytes)`, issuer
 * `…/oauth2/token`.
 */
function wso2Profile(): ProfileSpec {
  const compute = salted(hexSha256, () => randomBytes(16).toString('base64url'));
  return {
    name: 'wso2',
    issuerPath: '/oauth2/token',
    paths: {
      authorize: '/oauth2/authorize',
      token: '/oauth2/token',
      userinfo: '/oauth2/userinfo',
      jwks: '/oauth2/jwks',
      checkSession: '/oidc/checksession',
      endSession: '/oidc/logout',
    },
    scope: 'browser',
    newState: () => randomUUID(),
    sessionState: (clientId, origin, opbs) => compute(clientId, origin, opbs),
    stateCookie: { format: 'plain', name: 'opbs' },
    iframe: { split: 'first', hash: 'hex', origin: 'client-origin', missingCookie: 'null', storageAccessFirst: false, requestStorageAccess: false, initOnce: false, inline: false, ignoreErrorString: false, clientIdInUrl: true, wso2Parsing: true },
    logout: { alwaysConfirm: true, registeredIn: 'redirect_uris', unregistered: 'error-page', defaultRedirect: false, clientIdSuffices: true },
    frontChannel: true,
    sidPerClient: false,
    refresh: { rotate: 'always', reuse: 'fail', widenScope: 'invalid_scope', repeatNonce: false, sessionBound: true, issuedByDefault: false },
    responseModes: ['query'],
    // WSO2's CORS valve adds Access-Control-Allow-Credentials when the server's CORS configuration supports
    // credentials; @asgardeo/auth-spa, WSO2's own SPA SDK, fetches the token endpoint with credentials and needs it.
    corsCredentials: true,
    tokenFormat: 'opaque',
  };
}

/**
 * django-oidc-provider: mounted at `/openid`, `check-session-iframe/` and `end-session/`; `op_browser_state` cookie =
 * hex SHA-224 of the Django session key (or of `OIDC_UNAUTHENTICATED_SESSION_MANAGEMENT_KEY` without a session);
 * `session_state = hex(SHA-256(…)) + "." + md5 hex salt` on success only; no front-channel logout.
 */
function djangoProfile(): ProfileSpec {
  const compute = salted(hexSha256, () => createHash('md5').update(randomUUID().replace(/-/g, '')).digest('hex'));
  const sha224 = (text: string): string => createHash('sha224').update(text).digest('hex');
  return {
    name: 'django',
    issuerPath: '/openid',
    paths: {
      authorize: '/openid/authorize',
      token: '/openid/token',
      userinfo: '/openid/userinfo',
      jwks: '/openid/jwks',
      checkSession: '/openid/check-session-iframe/',
      endSession: '/openid/end-session/',
    },
    scope: 'session',
    newState: () => sha224(randomToken(24)),
    anonymousState: sha224(randomToken(75)),
    sessionState: (clientId, origin, opbs, _signedIn, error) => (error ? undefined : compute(clientId, origin, opbs)),
    stateCookie: { format: 'plain', name: 'op_browser_state' },
    iframe: { split: 'first', hash: 'hex', origin: 'any', missingCookie: 'error', storageAccessFirst: false, requestStorageAccess: false, initOnce: false, inline: false, ignoreErrorString: true, clientIdInUrl: false },
    logout: { alwaysConfirm: false, registeredIn: 'post_logout_redirect_uris', unregistered: 'confirm', defaultRedirect: true, clientIdSuffices: false },
    frontChannel: false,
    sidPerClient: false,
    refresh: { rotate: 'always', reuse: 'fail', widenScope: 'ignore', repeatNonce: false, sessionBound: false, issuedByDefault: false },
    responseModes: ['query'],
    corsCredentials: false,
    tokenFormat: 'opaque',
  };
}

/**
 * Janssen (jans-auth): `/jans-auth/opiframe.htm`, `/jans-auth/restv1/end_session` (an unregistered
 * post_logout_redirect_uri is a 400 `post_logout_uri_not_associated_with_client`), front-channel iframes with `sid`
 * and `iss`; `session_state = hex(SHA-256(…)) + "." + UUID salt`, opbs per OP session.
 */
function janssenProfile(): ProfileSpec {
  const compute = salted(hexSha256, () => randomUUID());
  return {
    name: 'janssen',
    issuerPath: '',
    paths: {
      authorize: '/jans-auth/restv1/authorize',
      token: '/jans-auth/restv1/token',
      userinfo: '/jans-auth/restv1/userinfo',
      jwks: '/jans-auth/restv1/jwks',
      checkSession: '/jans-auth/opiframe.htm',
      endSession: '/jans-auth/restv1/end_session',
    },
    scope: 'session',
    newState: () => randomUUID(),
    sessionState: (clientId, origin, opbs) => compute(clientId, origin, opbs),
    stateCookie: { format: 'plain', name: 'opbs' },
    iframe: { split: 'first', hash: 'hex', origin: 'any', missingCookie: 'changed', storageAccessFirst: false, requestStorageAccess: false, initOnce: false, inline: false, ignoreErrorString: false, clientIdInUrl: false },
    logout: { alwaysConfirm: false, registeredIn: 'post_logout_redirect_uris', unregistered: 'json-400', defaultRedirect: false, clientIdSuffices: false },
    frontChannel: true,
    sidPerClient: false,
    refresh: { rotate: 'always', reuse: 'fail', widenScope: 'invalid_scope', repeatNonce: false, sessionBound: true, issuedByDefault: false },
    responseModes: ['query'],
    corsCredentials: false,
    tokenFormat: 'opaque',
  };
}

/**
 * Keycloak: realm `demo`, `protocol/openid-connect/login-status-iframe.html` (+ `/init?client_id&origin`, 204 or
 * 403), `3p-cookies/step1.html` and `step2.html`; `session_state` is the user session's id, the same for every client
 * and unsalted, and the tokens' `sid`; `KEYCLOAK_SESSION` holds base64url(SHA-256(session id)); JWT access and refresh
 * tokens, refresh tokens by default, `response_mode=fragment`, CORS with credentials.
 */
function keycloakProfile(): ProfileSpec {
  const base = `/realms/${KEYCLOAK_REALM}`;
  const oidc = `${base}/protocol/openid-connect`;
  return {
    name: 'keycloak',
    issuerPath: base,
    paths: {
      authorize: `${oidc}/auth`,
      token: `${oidc}/token`,
      userinfo: `${oidc}/userinfo`,
      jwks: `${oidc}/certs`,
      checkSession: `${oidc}/login-status-iframe.html`,
      endSession: `${oidc}/logout`,
    },
    scope: 'session',
    newState: () => randomUUID(),
    // The user session's id, unsalted, for every client: the same value as the tokens' `sid`.
    sessionState: (_clientId, _origin, _opbs, session, error) => (session !== undefined && !error ? session.sid : undefined),
    newSid: () => randomUUID(),
    stateCookie: { format: 'keycloak', name: 'KEYCLOAK_SESSION' },
    iframe: { split: 'two', hash: 'session-id', origin: 'init', init: 'GET', missingCookie: 'keycloak', storageAccessFirst: true, requestStorageAccess: true, initOnce: true, inline: true, ignoreErrorString: false, clientIdInUrl: false },
    logout: { ...SPEC_LOGOUT, unregistered: 'error-page' },
    frontChannel: true,
    sidPerClient: false,
    refresh: { rotate: 'always', reuse: 'revoke-client-session', widenScope: 'drop', repeatNonce: true, sessionBound: true, issuedByDefault: true },
    responseModes: ['query', 'fragment'],
    corsCredentials: true,
    tokenFormat: 'keycloak',
  };
}

/**
 * node-oidc-provider 6.x: `/session/check` (POST `{client_id, origin}` to the same path checks the pair),
 * `/session/end` with a confirmation form, a `_state.<client_id>` cookie per client, `session_state =
 * base64url(SHA-256(client_id origin opbs))` on success and `base64url(SHA-256(…)) + "." + base64url(8 random bytes)` on
 * errors, a `sid` per client.
 */
function nodeOidcProviderProfile(): ProfileSpec {
  const compute = salted(sha256Base64url, () => randomBytes(8).toString('base64url'));
  return {
    name: 'node-oidc-provider',
    issuerPath: '',
    paths: {
      authorize: '/auth',
      token: '/token',
      userinfo: '/me',
      jwks: '/jwks',
      checkSession: '/session/check',
      endSession: '/session/end',
    },
    scope: 'per-client',
    newState: () => sha256Base64url(randomToken(24)),
    // 6.31.1 salts the session_state of error responses only (authorization_error_handler.js); a success has none.
    sessionState: (clientId, origin, opbs, _session, error) => (error ? compute(clientId, origin, opbs) : sha256Base64url(`${clientId} ${origin} ${opbs}`)),
    stateCookie: { format: 'per-client', name: '_state.' },
    iframe: { split: 'two-strict', hash: 'base64url', origin: 'init', init: 'POST', missingCookie: 'storage-access', storageAccessFirst: false, requestStorageAccess: false, initOnce: false, inline: false, ignoreErrorString: false, clientIdInUrl: false },
    logout: { alwaysConfirm: true, registeredIn: 'post_logout_redirect_uris', unregistered: 'error-page', defaultRedirect: false, clientIdSuffices: true },
    frontChannel: true,
    sidPerClient: true,
    refresh: { rotate: 'public-clients', reuse: 'revoke-grant', widenScope: 'invalid_scope', repeatNonce: true, sessionBound: true, issuedByDefault: false },
    responseModes: ['query'],
    corsCredentials: false,
    tokenFormat: 'opaque',
  };
}

/**
 * node-oidc-provider 7.0 and later (read at 9.11.4): Session Management and Front-Channel Logout were removed in 7.0,
 * so discovery has no `check_session_iframe` and no front-channel metadata, no response carries `session_state`, and
 * no state cookie is written. The rest is as in 6.x: the paths, a confirmation form before every logout
 * (`logoutSource`), an error page for an unregistered `post_logout_redirect_uri`, a `sid` per client, its refresh-token
 * rules. An app learns of a sign-out elsewhere only by asking with `prompt=none`.
 */
function nodeOidcProvider7Profile(): ProfileSpec {
  const base = nodeOidcProviderProfile();
  return {
    ...base,
    name: 'node-oidc-provider-7',
    paths: { ...base.paths, checkSession: undefined },
    sessionState: () => undefined,
    stateCookie: { format: 'none', name: '' },
    iframe: null,
    frontChannel: false,
  };
}

/** The OP profiles the mock OP can play. */
export const PROFILES: readonly MockOpProfile[] = ['spec', 'wso2', 'django', 'janssen', 'keycloak', 'node-oidc-provider', 'node-oidc-provider-7'];

/** The behaviour of `profile`, with fresh per-instance secrets (django-oidc-provider's unauthenticated key). */
export function createProfile(profile: MockOpProfile): ProfileSpec {
  switch (profile) {
    case 'spec':
      return specProfile();
    case 'wso2':
      return wso2Profile();
    case 'django':
      return djangoProfile();
    case 'janssen':
      return janssenProfile();
    case 'keycloak':
      return keycloakProfile();
    case 'node-oidc-provider':
      return nodeOidcProviderProfile();
    case 'node-oidc-provider-7':
      return nodeOidcProvider7Profile();
  }
}

/** The `sid` a client sees for an OP session: the session's own, or one derived per client. */
export function sidFor(profile: ProfileSpec, sid: string, clientId: string): string {
  return profile.sidPerClient ? sha256Base64url(`${sid} ${clientId}`).slice(0, 24) : sid;
}

/** The mock OP's own pages and scripts (its login form, logout confirmation, signed-out page, front-channel script). */
export interface OwnPaths {
  login: string;
  endSessionConfirm: string;
  endSessionDone: string;
  frontChannelScript: string;
}

/** `name` below `path`, one `/` between them. */
function below(path: string, name: string): string {
  return path.endsWith('/') ? path + name : `${path}/${name}`;
}

/**
 * Where the mock OP's own pages live for `profile`: beside the authorization endpoint and below the end-session
 * endpoint, so that they stay inside the OP's path space (what a path-based proxy or allow-list in front of the real OP
 * passes). For the spec profile: `/login`, `/end_session/confirm`, `/end_session/done`, `/end_session/frontchannel.js`.
 * The real OPs' own login and consent pages live elsewhere in their path space (Keycloak's `login-actions`, WSO2's
 * `authenticationendpoint`, node-oidc-provider's `/interaction/<uid>`); node-oidc-provider 6 confirms a logout at
 * `/session/end/confirm`, as here.
 */
export function ownPaths(profile: ProfileSpec): OwnPaths {
  const { authorize, endSession } = profile.paths;
  return {
    login: authorize.slice(0, authorize.lastIndexOf('/') + 1) + 'login',
    endSessionConfirm: below(endSession, 'confirm'),
    endSessionDone: below(endSession, 'done'),
    frontChannelScript: below(endSession, 'frontchannel.js'),
  };
}
