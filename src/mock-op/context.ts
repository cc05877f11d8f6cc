import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BrowserRecord, BrowserStore } from './browser-state.js';
import { opbsOf, serializeBrowserState } from './browser-state.js';
import type { CookieJar } from './cookies.js';
import { parseCookies } from './cookies.js';
import { sha256Base64url } from './encoding.js';
import type { SigningKeys } from './keys.js';
import type { ResolvedOptions } from './options.js';
import type { ProfileSpec, ResponseMode } from './profiles.js';
import type { RefreshGrant, RefreshGrants } from './refresh-tokens.js';
import type { MockOpClient } from './types.js';

/** A validated authorization request, kept while the login form is shown. */
export interface AuthorizationRequest {
  client: MockOpClient;
  redirectUri: string;
  /** `new URL(redirectUri).origin`, the origin `session_state` is bound to. */
  origin: string;
  scope: string;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  /** `'fragment'` where the profile's OP supports it and the client asked for it; else the query (the default). */
  responseMode?: ResponseMode;
}

/** An issued authorization code: single use, short-lived, bound to client, redirect URI and PKCE. */
export interface AuthorizationCode {
  request: AuthorizationRequest;
  sub: string;
  sid: string;
  /** The OP session's own `sid` (`sid` is what the client sees, per client for node-oidc-provider). */
  sessionSid: string;
  authTime: number;
  expiresAt: number;
  /** Access tokens issued for it, revoked if the code is replayed (RFC 6749 §4.1.2). */
  accessTokens: string[];
  /** The refresh-token grant it started, revoked too if the code is replayed. */
  refreshGrant?: RefreshGrant;
}

export interface AccessToken {
  sub: string;
  clientId: string;
  scope: string;
  expiresAt: number;
}

export interface LoginTransaction {
  request: AuthorizationRequest;
  browserId: string;
  expiresAt: number;
}

/** A pending "Sign out of the OP?" question. Confirming never redirects to an RP: the request was not verified. */
export interface LogoutTransaction {
  browserId: string;
  expiresAt: number;
  /**
   * Where to go after confirming: only for a request that was verified (valid hint, registered URI) at an OP that
   * asks every time (WSO2's logout consent, node-oidc-provider 6.x).
   */
  next?: string;
}

/** Everything the endpoints of one mock OP share. */
export interface OpContext {
  readonly options: ResolvedOptions;
  /** The OP being played: paths, session_state, iframe and logout rules. */
  readonly profile: ProfileSpec;
  readonly issuer: string;
  readonly keys: SigningKeys;
  readonly store: BrowserStore;
  readonly cookies: CookieJar;
  readonly codes: Map<string, AuthorizationCode>;
  readonly accessTokens: Map<string, AccessToken>;
  readonly refreshGrants: RefreshGrants;
  readonly loginTransactions: Map<string, LoginTransaction>;
  readonly logoutTransactions: Map<string, LogoutTransaction>;
  /** `op.loseHashScript()`: the profile iframes' hashing script answers 404 while true. */
  readonly hashScriptLost: { value: boolean };
  /** Origins of every registered redirect URI: who may call the token and userinfo endpoints. */
  readonly registeredOrigins: Set<string>;
}

/** Authorization codes live this long (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const CODE_TTL_MS = 60_000;
/** Login and logout-confirmation forms stay valid this long. */
export const FORM_TTL_MS = 10 * 60_000;

/**
 * The OP's clock, in whole seconds since the epoch, for the times it states in tokens: `epochSeconds`
 * (default: now) shifted by `clockSkewSeconds`. Expiry checks inside the OP use the real clock.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken (Core §2)
 */
export function opSeconds(ctx: OpContext, epochSeconds = Date.now() / 1000): number {
  return Math.floor(epochSeconds + ctx.options.clockSkewSeconds);
}

/** Drops expired entries; called on insert so maps cannot grow without bound. */
export function sweep<T extends { expiresAt: number }>(map: Map<string, T>, now = Date.now()): void {
  for (const [k, v] of map) if (v.expiresAt <= now) map.delete(k);
}

/** Adds a Set-Cookie header, replacing one for the same cookie set earlier in this response. */
export function addSetCookie(res: ServerResponse, cookie: string): void {
  const existing = res.getHeader('Set-Cookie');
  const list = Array.isArray(existing) ? existing : existing === undefined ? [] : [String(existing)];
  const name = cookie.slice(0, cookie.indexOf('=') + 1);
  res.setHeader('Set-Cookie', [...list.filter((c) => !c.startsWith(name)), cookie]);
}

/**
 * The browser record behind the request's cookie, or undefined. Does not set cookies.
 */
export function findBrowser(ctx: OpContext, req: IncomingMessage): BrowserRecord | undefined {
  return ctx.store.get(parseCookies(req).get(ctx.cookies.browserName));
}

/**
 * The browser record of this request, created when the browser has none (or one this OP does not
 * know), and the cookies brought in line with the server: a state the server changed while the browser
 * was away (a server-side session end) is written back on this response.
 */
export function browserFor(ctx: OpContext, req: IncomingMessage, res: ServerResponse): BrowserRecord {
  const cookies = parseCookies(req);
  let record = ctx.store.get(cookies.get(ctx.cookies.browserName));
  if (record === undefined) {
    record = ctx.store.create();
    addSetCookie(res, ctx.cookies.serialize(ctx.cookies.browserName, record.id, { httpOnly: true }));
  }
  syncStateCookie(ctx, req, res, record);
  return record;
}

/**
 * The state cookies the check_session iframe reads, as this OP writes them: name → value, or null for a cookie that
 * must go. Only random values or hashes of them, never personal data in a JS-readable cookie (SM-33).
 */
export function stateCookies(ctx: OpContext, req: IncomingMessage, record: BrowserRecord): Map<string, string | null> {
  const { format, name } = ctx.profile.stateCookie;
  const out = new Map<string, string | null>();
  const full = `${ctx.cookies.prefix}_${name}`;
  switch (format) {
    case 'mock':
      out.set(ctx.cookies.stateName, serializeBrowserState(record));
      break;
    case 'plain':
      out.set(full, record.base);
      break;
    case 'keycloak':
      // Keycloak 26.1+: a hash of the user session's id, which is also `session_state` and the tokens' `sid`.
      out.set(full, record.session ? sha256Base64url(record.session.sid) : null);
      break;
    case 'none':
      break;
    case 'per-client': {
      for (const cookie of parseCookies(req).keys()) if (cookie.startsWith(full)) out.set(cookie, null);
      for (const clientId of record.session?.clients ?? []) out.set(full + encodeURIComponent(clientId), opbsOf(record, clientId));
      break;
    }
  }
  return out;
}

/**
 * Sets the browser-state cookie(s) when the browser's copy differs from the server's, and expires those that must
 * go. Call again after changing the state in a handler: the later Set-Cookie replaces the earlier one.
 */
export function syncStateCookie(ctx: OpContext, req: IncomingMessage, res: ServerResponse, record: BrowserRecord): void {
  const current = parseCookies(req);
  for (const [name, value] of stateCookies(ctx, req, record)) {
    if (value === null) {
      if (current.has(name)) addSetCookie(res, ctx.cookies.serialize(name, '', { expire: true }));
    } else if (current.get(name) !== value) {
      addSetCookie(res, ctx.cookies.serialize(name, value));
    }
  }
}
