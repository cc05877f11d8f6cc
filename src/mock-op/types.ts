/**
 * A client (Relying Party) registered at the mock OP.
 *
 * @see https://openid.net/specs/openid-connect-registration-1_0.html#ClientMetadata
 */
export interface MockOpClient {
  client_id: string;
  /** Exact-match redirect URIs; their origins are the origins allowed to talk to `check_session_iframe`. */
  redirect_uris: string[];
  /** @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#ClientMetadata */
  post_logout_redirect_uris?: string[];
  /** @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#RPLogout */
  frontchannel_logout_uri?: string;
  /** Recorded for completeness: the mock OP always adds `iss` and `sid` to the front-channel logout URI. */
  frontchannel_logout_session_required?: boolean;
  /** Absent: a public client, which must use PKCE S256. Present: `client_secret_basic` or `client_secret_post`. */
  client_secret?: string;
  /**
   * What the End-User answered on the OP's consent page for this client. `'always'` (default): consent is remembered,
   * so `prompt=none` works. `'once'`: approved for each interactive sign-in only, so a `prompt=none` request gets
   * `consent_required` (as WSO2 Identity Server does unless "Approve always" was chosen). The mock OP shows no
   * consent page: an interactive sign-in counts as approved.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthError (Core §3.1.2.6)
   */
  consent?: 'always' | 'once';
  /**
   * Issue refresh tokens to this client (public or confidential) with the `authorization_code` grant, and accept
   * `grant_type=refresh_token` from it. Default false (the `keycloak` profile: true, as Keycloak's "Use refresh tokens"
   * is on by default): no refresh token, and a refresh request gets `unauthorized_client`. Each refresh rotates the token as the profile's OP does; presenting a token that was
   * rotated away answers `invalid_grant` (and, where the OP does so, revokes every token of the grant). A grant ends
   * with the OP session it came from. Details per profile: the mock OP's README, "Refresh tokens".
   *
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2 (rotation, reuse detection)
   */
  refresh_tokens?: boolean;
}

/** A user who can sign in on the login form with `username` and exactly `password`. */
export interface MockOpUser {
  sub: string;
  username: string;
  password: string;
  name?: string;
  email?: string;
}

/**
 * What changes the OP browser state ("opbs") that `session_state` is computed from.
 *
 * - `'browser'` (default): one value per browser. It changes on interactive login, logout, user switch,
 *   server-side session end, and when a client joins the OP session for the first time (another
 *   client's SSO sign-in), as some OPs do. A `prompt=none` re-authentication of a client that is already
 *   in the session leaves it alone, so two RPs cannot ping-pong each other.
 * - `'per-client'`: as other OPs do, another client's sign-in leaves this client's value alone; only a
 *   new session, logout, user switch, session end, or this client's own interactive re-login change it.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#OPiframe (SM §3.2)
 */
export type SessionStateMode = 'browser' | 'per-client';

/**
 * Which OP the mock OP plays on the wire. `'spec'` (default) follows the specifications exactly; the others
 * reproduce the documented behaviour of a real OP: its paths, its `session_state` format and scope, its
 * check_session iframe's answers, its logout rules. Details and sources: the mock OP's README.
 */
export type MockOpProfile = 'spec' | 'wso2' | 'django' | 'janssen' | 'keycloak' | 'node-oidc-provider' | 'node-oidc-provider-7';

/** Options of {@link startMockOp}. */
export interface MockOpOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** Host name in the issuer URL. Default `'localhost'`. */
  hostname?: string;
  /**
   * Serve HTTPS with a self-signed certificate generated at start, valid for `hostnames` plus
   * `localhost`, `127.0.0.1` and `hostname`. Cookies then become `SameSite=None; Secure`.
   */
  https?: boolean | { hostnames: string[] };
  clients: MockOpClient[];
  /** Default: alice/alice and bob/bob. */
  users?: MockOpUser[];
  /** Only for the `'spec'` profile: each other profile has the scope of the OP it plays. */
  sessionStateMode?: SessionStateMode;
  /** The OP to play. Default `'spec'`. */
  profile?: MockOpProfile;
  /** Lifetime of ID tokens (and access tokens). Default 3600. */
  idTokenTtlSeconds?: number;
  /**
   * Accept `http:` client URIs (redirect, post-logout, front-channel) on loopback hosts (`localhost`,
   * `*.localhost`, `127.x.x.x`, `[::1]`). Default true: a documented test-mode deviation from the specs'
   * https rule. `http:` on any other host is always refused at start, because browsers drop the
   * `SameSite=None; Secure` cookies that cross-site setups need over http.
   *
   * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout (RPI §3)
   */
  allowedLoopbackHttp?: boolean;
  /**
   * How many requests {@link MockOp.requests} keeps: past this many, the oldest entry is dropped for each
   * new one, so a long-running OP (the CLI, a watch-mode test run) does not grow without bound. A
   * non-negative integer; 0 keeps none. Default 1000.
   */
  requestLogLimit?: number;
  /**
   * Seconds added to the OP's clock for the times it states in the ID tokens it issues (`iat`, `exp`,
   * `auth_time`), to test an RP against an OP whose clock is off: `-60` is an OP running a minute behind
   * the browser. A finite number between -86400 and 86400; default 0. The OP's own checks (code, login
   * form and access-token expiry, `max_age`) keep the real clock, so a skew never expires anything by
   * itself.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken (Core §2: `iat`, `exp`, `auth_time`)
   * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (Core §3.1.3.7: clock skew)
   */
  clockSkewSeconds?: number;
}

/** One request the mock OP received, in arrival order. */
export interface MockOpRequest {
  method: string;
  path: string;
  /** The parsed query string (first value of each name). */
  query: Record<string, string>;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** The parsed form body of POST requests with `application/x-www-form-urlencoded` bodies. */
  form?: Record<string, string>;
  /** `prompt` of an authorization request (query or form), for counting `prompt=none` traffic. */
  prompt?: string;
  /** `client_id` of the request (query or form), when there is one. */
  client_id?: string;
  /** The `Origin` request header, when sent. */
  origin?: string;
  /**
   * `grant_type` of a POST form (token requests), to count them by grant. The form's `refresh_token` value is never
   * logged: {@link MockOpRequest.form} shows it as `'[redacted]'`.
   */
  grantType?: string;
  /** The HTTP status of the answer, set when the OP starts answering; absent while unanswered (an outage `'hang'`). */
  status?: number;
  /** The OAuth `error` code of a token-endpoint error answer (`invalid_grant`, `invalid_scope`, ...). */
  error?: string;
}

/** The kinds of simulated outage of {@link MockOp.outage}. */
export type MockOpOutage = 'down' | 'hang' | 'error';

/** A running mock OP. */
export interface MockOp {
  /** The issuer, without trailing slash. Same as {@link MockOp.issuer}. */
  url: string;
  issuer: string;
  port: number;
  /** The OP profile being played. */
  profile: MockOpProfile;
  /** The `check_session_iframe` URL of the discovery document; `undefined` for an OP without one (`node-oidc-provider-7`). */
  checkSessionIframe: string | undefined;
  /** The `end_session_endpoint` URL of the discovery document. */
  endSessionEndpoint: string;
  /** The generated certificate and its key (PEM), so test RP servers can reuse them. Only with `https`. */
  tls?: { cert: string; key: string };
  /** Stops the server, drops every connection. */
  close(): Promise<void>;
  /**
   * Ends OP sessions server-side (all of them without a selector), as an administrator or a session
   * timeout would. The browser state of the affected browsers changes: open `check_session_iframe`s are
   * told at once over their event stream, and the cookie is rotated the next time the browser touches the OP.
   */
  endSession(selector?: { sub?: string; sid?: string }): void;
  /** Ends every OP session, as an idle timeout would. */
  expireAllSessions(): void;
  /**
   * Revokes the refresh tokens of the grants matching `selector` (every grant without one): each of their tokens then
   * gets `invalid_grant`. The OP sessions stay signed in, so `prompt=none` still succeeds. Returns how many grants were
   * revoked. Any selector other than `{ sub?, client_id? }` with at least one string throws a `TypeError`.
   */
  revokeRefreshTokens(selector?: { sub?: string; client_id?: string }): number;
  /**
   * The requests received, oldest first: the latest {@link MockOpOptions.requestLogLimit} (default 1000).
   * The same array for the OP's whole life; it is trimmed from the front as new requests arrive.
   */
  readonly requests: MockOpRequest[];
  /** Empties {@link MockOp.requests}. */
  clearRequests(): void;
  /**
   * Simulates an outage until called with `null`. `'down'`: stop listening (connection refused), keeping
   * every session, key and the port; `'hang'`: accept requests and never answer; `'error'`: answer 503 to
   * everything.
   */
  outage(mode: MockOpOutage | null): Promise<void>;
  /**
   * `true`: the hashing script the check_session iframe of the `node-oidc-provider` profile loads answers 404
   * (node-oidc-provider 6.x loaded it from a CDN), so iframes loaded from now on answer `error`. `false` restores it.
   */
  loseHashScript(lost: boolean): void;
}
