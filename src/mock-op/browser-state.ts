import { randomToken, sha256Base64url } from './encoding.js';
import type { StateScope } from './profiles.js';

/** The OP session of one browser: who is signed in, since when, and which clients joined it. */
export interface OpSession {
  /** The `sid` claim and front-channel `sid`: unique, unguessable (FCL-14, FCL-17). */
  sid: string;
  sub: string;
  /** Seconds since the epoch of the last interactive authentication. */
  authTime: number;
  clients: Set<string>;
}

/**
 * Everything the OP knows about one browser, found through the HttpOnly browser cookie.
 * `base` and `perClient` make up the OP browser state ("opbs") that `session_state` hashes.
 */
export interface BrowserRecord {
  readonly id: string;
  base: string;
  /** Keyed by {@link clientKey}; only used in `'per-client'` mode. */
  perClient: Map<string, string>;
  session: OpSession | undefined;
}

/**
 * A short, non-identifying key for a client in the browser-state cookie. The check_session iframe
 * computes the same with WebCrypto.
 */
export function clientKey(clientId: string): string {
  return sha256Base64url(clientId).slice(0, 16);
}

/**
 * The browser-state cookie value: `base` followed by `!key.value` for each client whose state moved on
 * on its own (per-client mode). Only random values: no personal data in a JS-readable cookie (SM-33).
 */
export function serializeBrowserState(record: BrowserRecord): string {
  let value = record.base;
  for (const [key, v] of record.perClient) value += `!${key}.${v}`;
  return value;
}

/** The opbs of `clientId` inside a browser-state value produced by {@link serializeBrowserState}. */
export function opbsOf(record: BrowserRecord, clientId: string): string {
  return record.perClient.get(clientKey(clientId)) ?? record.base;
}

type Listener = (browserState: string) => void;

/**
 * The browsers and OP sessions of one mock OP, and the rules for when the browser state changes.
 *
 * Why the server keeps the browser state, not just the cookie: a session ended server-side
 * (`op.endSession()`, expiry) must become visible to a check_session iframe that is already open and
 * makes no requests. Subscribers (the iframe's event stream) are told the new value at once; the
 * cookie catches up the next time the browser touches the OP.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#OPiframe (SM §3.2: SM-29 .. SM-32)
 */
/** Browsers remembered before the oldest ones without a session are forgotten. */
export const MAX_BROWSERS = 10_000;

export class BrowserStore {
  readonly #mode: StateScope;
  readonly #newState: () => string;
  readonly #anonymousState: string | undefined;
  readonly #newSid: () => string;
  readonly #records = new Map<string, BrowserRecord>();
  readonly #listeners = new Map<string, Set<Listener>>();
  #onSessionEnd: (session: OpSession) => void = () => {};
  /** The `sid` of every live session. */
  readonly #live = new Set<string>();

  /**
   * `newState` makes a fresh opbs in the OP's own shape; `anonymousState`, when given, is the opbs of every
   * browser without a session (an OP that hashes a fixed key then, as django-oidc-provider does); `newSid` makes a
   * new session's `sid` (Keycloak's user-session ids are UUIDs).
   */
  constructor(mode: StateScope, newState: () => string = () => randomToken(18), anonymousState?: string, newSid: () => string = () => randomToken(18)) {
    this.#mode = mode;
    this.#newState = newState;
    this.#anonymousState = anonymousState;
    this.#newSid = newSid;
  }

  create(): BrowserRecord {
    const record: BrowserRecord = { id: randomToken(24), base: this.#anonymousState ?? this.#newState(), perClient: new Map(), session: undefined };
    this.#records.set(record.id, record);
    if (this.#records.size > MAX_BROWSERS) this.#forgetAnonymous();
    return record;
  }

  /**
   * Calls `listener` with each OP session that ends: logout, `endSessions()`, or another user signing in in the same
   * browser. What is bound to a session (refresh-token grants) goes with it.
   */
  onSessionEnd(listener: (session: OpSession) => void): void {
    this.#onSessionEnd = listener;
  }

  /** Whether the OP session with this `sid` is still live. */
  isLive(sid: string): boolean {
    return this.#live.has(sid);
  }

  #ended(session: OpSession): void {
    this.#live.delete(session.sid);
    this.#onSessionEnd(session);
  }

  /** How many browsers the OP remembers. */
  get size(): number {
    return this.#records.size;
  }

  /**
   * Every cookie-less request creates a browser, so a long-running OP would grow without end: past
   * {@link MAX_BROWSERS}, the oldest browsers that have no session and no open iframe are forgotten (down to 90 %
   * of the cap, so this runs rarely). Such a browser simply gets a new record, and a new anonymous state, the next
   * time it comes back. Browsers with a session are kept.
   */
  #forgetAnonymous(): void {
    const target = Math.floor(MAX_BROWSERS * 0.9);
    for (const [id, record] of this.#records) {
      if (this.#records.size <= target) break;
      if (record.session === undefined && !this.#listeners.has(id)) this.#records.delete(id);
    }
  }

  get(id: string | undefined): BrowserRecord | undefined {
    return id === undefined ? undefined : this.#records.get(id);
  }

  /** Live sessions, for tests and selectors. */
  sessions(): OpSession[] {
    return [...this.#records.values()].flatMap((r) => (r.session ? [r.session] : []));
  }

  /**
   * An interactive login (the login form was submitted with the right password). A new session or a
   * different user changes every client's state (the set of users in the browser changed); the same
   * user signing in again changes every client's state in `'browser'` mode, only this client's in
   * `'per-client'` mode.
   */
  loginInteractive(record: BrowserRecord, sub: string, clientId: string): OpSession {
    const now = Math.floor(Date.now() / 1000);
    const current = record.session;
    let session: OpSession;
    if (current === undefined || current.sub !== sub) {
      if (current !== undefined) this.#ended(current);
      session = record.session = { sid: this.#newSid(), sub, authTime: now, clients: new Set([clientId]) };
      this.#live.add(session.sid);
      this.#rotateAll(record);
    } else {
      session = current;
      current.authTime = now;
      current.clients.add(clientId);
      if (this.#mode === 'browser') this.#rotateAll(record);
      else if (this.#mode === 'per-client') record.perClient.set(clientKey(clientId), this.#newState());
      else if (this.#mode === 'session') this.#rotateAll(record);
    }
    this.#notify(record);
    return session;
  }

  /**
   * A sign-in through the existing OP session, without a form (SSO, `prompt=none`). A client joining the
   * session for the first time changes the state in `'browser'` mode only; a client already in the
   * session changes nothing, or two RPs would make each other see `changed` forever.
   */
  loginSilent(record: BrowserRecord, clientId: string): OpSession {
    const session = record.session;
    if (session === undefined) throw new Error('loginSilent without a session');
    if (!session.clients.has(clientId)) {
      session.clients.add(clientId);
      if (this.#mode === 'browser') {
        this.#rotateAll(record);
        this.#notify(record);
      }
    }
    return session;
  }

  /** Logout: forget the session and change every client's state. Without a session nothing changes. */
  logout(record: BrowserRecord): OpSession | undefined {
    const ended = record.session;
    if (ended === undefined) return undefined;
    record.session = undefined;
    this.#rotateAll(record);
    this.#notify(record);
    this.#ended(ended);
    return ended;
  }

  /** Ends the sessions matching `selector` (all without one), as an admin or a timeout would. */
  endSessions(selector: { sub?: string; sid?: string } = {}): number {
    let count = 0;
    for (const record of this.#records.values()) {
      const s = record.session;
      if (s === undefined) continue;
      if (selector.sub !== undefined && s.sub !== selector.sub) continue;
      if (selector.sid !== undefined && s.sid !== selector.sid) continue;
      this.logout(record);
      count++;
    }
    return count;
  }

  /** Calls `listener` with the new browser-state value whenever it changes. Returns an unsubscribe function. */
  subscribe(id: string, listener: Listener): () => void {
    let set = this.#listeners.get(id);
    if (set === undefined) this.#listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(id);
    };
  }

  #rotateAll(record: BrowserRecord): void {
    record.base = record.session === undefined && this.#anonymousState !== undefined ? this.#anonymousState : this.#newState();
    record.perClient.clear();
  }

  #notify(record: BrowserRecord): void {
    const value = serializeBrowserState(record);
    for (const listener of this.#listeners.get(record.id) ?? []) listener(value);
  }
}
