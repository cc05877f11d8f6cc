import { PROFILES } from './profiles.js';
import type { MockOpClient, MockOpOptions, MockOpProfile, MockOpUser, SessionStateMode } from './types.js';

/** Options after validation, with every default applied (the one place defaults live). */
export interface ResolvedOptions {
  port: number;
  host: string;
  hostname: string;
  /** Extra certificate names; null for plain http. */
  https: { hostnames: string[] } | null;
  clients: Map<string, MockOpClient>;
  users: MockOpUser[];
  sessionStateMode: SessionStateMode;
  profile: MockOpProfile;
  idTokenTtlSeconds: number;
  allowedLoopbackHttp: boolean;
  requestLogLimit: number;
  clockSkewSeconds: number;
}

/** A day: more skew than that is a mistake, not a test of clock tolerance. */
const MAX_CLOCK_SKEW_SECONDS = 86_400;

/** alice/alice and bob/bob: the password of a default user is its username. */
export const DEFAULT_USERS: readonly MockOpUser[] = [
  { sub: 'alice', username: 'alice', password: 'alice', name: 'Alice Example', email: 'alice@example.test' },
  { sub: 'bob', username: 'bob', password: 'bob', name: 'Bob Example', email: 'bob@example.test' },
];

function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) ||
    hostname === '[::1]'
  );
}

function checkUri(value: unknown, what: string, allowLoopbackHttp: boolean): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string URL.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`${what} must be an absolute URL, got ${JSON.stringify(value)}.`);
  }
  if (url.hash || value.includes('#')) throw new TypeError(`${what} must not contain a fragment: ${value}.`);
  if (url.protocol === 'https:') return value;
  if (url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname)) return value;
  throw new TypeError(
    `${what} must use https (http is accepted only on loopback hosts with allowedLoopbackHttp): ${value}.`,
  );
}

function checkClient(raw: unknown, index: number, allowLoopbackHttp: boolean): MockOpClient {
  const at = `options.clients[${index}]`;
  if (typeof raw !== 'object' || raw === null) throw new TypeError(`${at} must be an object.`);
  const c = raw as Partial<MockOpClient>;
  if (typeof c.client_id !== 'string' || c.client_id === '') throw new TypeError(`${at}.client_id must be a non-empty string.`);
  if (!Array.isArray(c.redirect_uris) || c.redirect_uris.length === 0) {
    throw new TypeError(`${at}.redirect_uris must be a non-empty array of URLs.`);
  }
  const redirect_uris = c.redirect_uris.map((u, i) => checkUri(u, `${at}.redirect_uris[${i}]`, allowLoopbackHttp));
  const client: MockOpClient = { client_id: c.client_id, redirect_uris };
  if (c.post_logout_redirect_uris !== undefined) {
    if (!Array.isArray(c.post_logout_redirect_uris)) throw new TypeError(`${at}.post_logout_redirect_uris must be an array.`);
    client.post_logout_redirect_uris = c.post_logout_redirect_uris.map((u, i) =>
      checkUri(u, `${at}.post_logout_redirect_uris[${i}]`, allowLoopbackHttp),
    );
  }
  if (c.frontchannel_logout_uri !== undefined) {
    const uri = checkUri(c.frontchannel_logout_uri, `${at}.frontchannel_logout_uri`, allowLoopbackHttp);
    // FCL §2: same scheme, host and port as a registered redirect URI.
    const origin = new URL(uri).origin;
    if (!redirect_uris.some((r) => new URL(r).origin === origin)) {
      throw new TypeError(`${at}.frontchannel_logout_uri must have the origin of one of its redirect_uris: ${uri}.`);
    }
    client.frontchannel_logout_uri = uri;
  }
  if (c.frontchannel_logout_session_required !== undefined) {
    client.frontchannel_logout_session_required = Boolean(c.frontchannel_logout_session_required);
  }
  if (c.client_secret !== undefined) {
    if (typeof c.client_secret !== 'string' || c.client_secret === '') throw new TypeError(`${at}.client_secret must be a non-empty string.`);
    client.client_secret = c.client_secret;
  }
  if (c.consent !== undefined) {
    if (c.consent !== 'always' && c.consent !== 'once') throw new TypeError(`${at}.consent must be 'always' or 'once'.`);
    client.consent = c.consent;
  }
  if (c.refresh_tokens !== undefined) {
    if (typeof c.refresh_tokens !== 'boolean') throw new TypeError(`${at}.refresh_tokens must be a boolean (true: issue refresh tokens to this client).`);
    client.refresh_tokens = c.refresh_tokens;
  }
  return client;
}

/** Validates {@link MockOpOptions} synchronously; throws a `TypeError` naming the bad option. */
export function resolveOptions(options: MockOpOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('startMockOp(options): options must be an object.');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('options.port must be an integer 0..65535.');
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new TypeError('options.host must be a non-empty string.');
  const hostname = options.hostname ?? 'localhost';
  if (typeof hostname !== 'string' || !/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(hostname)) {
    throw new TypeError('options.hostname must be a host name such as "localhost" or "op.test".');
  }
  let https: ResolvedOptions['https'] = null;
  if (options.https === true) https = { hostnames: [] };
  else if (typeof options.https === 'object' && options.https !== null) {
    if (!Array.isArray(options.https.hostnames) || !options.https.hostnames.every((h) => typeof h === 'string' && h !== '')) {
      throw new TypeError('options.https.hostnames must be an array of host names.');
    }
    https = { hostnames: [...options.https.hostnames] };
  } else if (options.https !== undefined && options.https !== false) {
    throw new TypeError('options.https must be a boolean or { hostnames: string[] }.');
  }
  const allowedLoopbackHttp = options.allowedLoopbackHttp ?? true;
  if (!Array.isArray(options.clients)) throw new TypeError('options.clients must be an array of clients.');
  const clients = new Map<string, MockOpClient>();
  options.clients.forEach((raw, i) => {
    const client = checkClient(raw, i, allowedLoopbackHttp);
    if (clients.has(client.client_id)) throw new TypeError(`options.clients[${i}].client_id is registered twice: ${client.client_id}.`);
    clients.set(client.client_id, client);
  });
  const users = (options.users ?? DEFAULT_USERS).map((u, i) => {
    if (typeof u !== 'object' || u === null) throw new TypeError(`options.users[${i}] must be an object.`);
    for (const key of ['sub', 'username', 'password'] as const) {
      if (typeof u[key] !== 'string' || u[key] === '') throw new TypeError(`options.users[${i}].${key} must be a non-empty string.`);
    }
    return { ...u };
  });
  const sessionStateMode = options.sessionStateMode ?? 'browser';
  if (sessionStateMode !== 'browser' && sessionStateMode !== 'per-client') {
    throw new TypeError("options.sessionStateMode must be 'browser' or 'per-client'.");
  }
  const profile = options.profile ?? 'spec';
  if (!PROFILES.includes(profile)) throw new TypeError(`options.profile must be one of ${PROFILES.join(', ')}.`);
  if (profile !== 'spec' && options.sessionStateMode !== undefined) {
    throw new TypeError(`options.sessionStateMode applies to the 'spec' profile only: the '${profile}' profile has the scope of the OP it plays.`);
  }
  const idTokenTtlSeconds = options.idTokenTtlSeconds ?? 3600;
  if (!Number.isInteger(idTokenTtlSeconds) || idTokenTtlSeconds <= 0) throw new TypeError('options.idTokenTtlSeconds must be a positive integer.');
  const requestLogLimit = options.requestLogLimit ?? 1000;
  if (!Number.isSafeInteger(requestLogLimit) || requestLogLimit < 0) {
    throw new TypeError('options.requestLogLimit must be a non-negative integer (how many requests op.requests keeps).');
  }
  const clockSkewSeconds = options.clockSkewSeconds ?? 0;
  if (typeof clockSkewSeconds !== 'number' || !Number.isFinite(clockSkewSeconds) || Math.abs(clockSkewSeconds) > MAX_CLOCK_SKEW_SECONDS) {
    throw new TypeError(
      `options.clockSkewSeconds must be a finite number of seconds between -${MAX_CLOCK_SKEW_SECONDS} and ${MAX_CLOCK_SKEW_SECONDS} (negative: the OP's clock runs behind).`,
    );
  }
  return {
    port,
    host,
    hostname,
    https,
    clients,
    users,
    sessionStateMode,
    profile,
    idTokenTtlSeconds,
    allowedLoopbackHttp,
    requestLogLimit,
    clockSkewSeconds,
  };
}
