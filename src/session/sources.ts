import type { UserManager } from 'oidc-client-ts';
import { fetchDiscovery } from '../discovery.js';
import { decodeJwtClaims } from '../jwt.js';
import { stringOption, type CustomMonitorOptions, type SettingsMonitorOptions, type UserManagerMonitorOptions } from '../monitor/options.js';
import type { SessionInfo } from '../monitor/types.js';
import { normalizeIssuer, requireSecureUrl } from '../url.js';
import type { RenewalPort } from './renewal-port.js';
import type { SessionSource } from './source.js';
import { userManagerSource } from './user-manager.js';

/** True for an object that looks like an oidc-client-ts `UserManager` (the checks a script-tag user needs). */
export function isUserManager(value: unknown): value is UserManager {
  const manager = value as UserManager | null;
  return typeof manager === 'object' && manager !== null && typeof manager.getUser === 'function' && typeof manager.signinSilent === 'function' && typeof manager.removeUser === 'function';
}

/** The session of the app's own `UserManager`, after checking that it can re-check silently. */
export function sourceFromUserManager(options: UserManagerMonitorOptions, allowInsecureHttp: boolean): SessionSource {
  if (!isUserManager(options.userManager)) throw new TypeError('userManager must be an oidc-client-ts UserManager.');
  const { settings } = options.userManager;
  requireSecureUrl('userManager.settings.authority', settings.authority, allowInsecureHttp);
  if (!settings.silent_redirect_uri) {
    throw new TypeError('userManager.settings.silent_redirect_uri is required: the prompt=none re-check answers there.');
  }
  requireSecureUrl('userManager.settings.silent_redirect_uri', settings.silent_redirect_uri, allowInsecureHttp);
  if (settings.monitorSession) {
    // Two monitors of one session: oidc-client-ts's raises userSignedOut on any failed re-check, and apps sign out on it.
    console.warn('oidc-session-monitor: userManager.settings.monitorSession is on: oidc-client-ts would monitor the session beside this SDK and sign out on any error. Set monitorSession: false.');
  }
  return userManagerSource(options.userManager, allowInsecureHttp);
}

/** A source whose `UserManager` is created later (oidc-client-ts is loaded on demand). */
function deferredSource(issuer: string, clientId: string, pending: Promise<SessionSource>): SessionSource {
  return {
    issuer,
    clientId,
    resolveCheckSessionIframe: async () => (await pending).resolveCheckSessionIframe(),
    resolveEndSessionEndpoint: async () => (await pending).resolveEndSessionEndpoint(),
    getSession: async () => (await pending).getSession(),
    recheck: async (context) => (await pending).recheck(context),
    accept: async (result, expectedSub) => (await pending).accept?.(result, expectedSub),
    removeUser: async (expectedSub) => (await pending).removeUser(expectedSub),
    renewal: deferredRenewal(pending),
    dispose: () => void pending.then((source) => source.dispose?.(), () => undefined),
  };
}

/** The renewal of a `UserManager` that is still being made: taken over as soon as it exists. */
function deferredRenewal(pending: Promise<SessionSource>): RenewalPort {
  let port: RenewalPort | undefined;
  const ready = pending.then((source) => (port = source.renewal));
  /** Subscribes once the port exists; the function returned unsubscribes, whether that happened yet or not. */
  const whenReady = (subscribe: (renewal: RenewalPort) => (() => void) | undefined): (() => void) => {
    let stop: (() => void) | undefined;
    let stopped = false;
    ready.then((renewal) => {
      if (!stopped && renewal) stop = subscribe(renewal);
    }, () => undefined);
    return () => {
      stopped = true;
      stop?.();
    };
  };
  return {
    get expiringWindow() {
      return port?.expiringWindow ?? 60;
    },
    takeOver: (onExpiring) => whenReady((renewal) => renewal.takeOver(onExpiring)),
    read: async () => (await ready)?.read() ?? null,
    renew: async () => (await ready)?.renew(),
    adopt: async () => (await ready)?.adopt(),
    onLoaded: (handler) => whenReady((renewal) => renewal.onLoaded(handler)),
  };
}

/** A `UserManager` the SDK creates from the app's settings. */
export function sourceFromSettings(options: SettingsMonitorOptions, allowInsecureHttp: boolean): SessionSource {
  const raw = options as unknown as Record<string, unknown>;
  requireSecureUrl('authority', raw.authority, allowInsecureHttp);
  const clientId = stringOption(raw, 'client_id');
  requireSecureUrl('redirect_uri', raw.redirect_uri, allowInsecureHttp);
  requireSecureUrl('silent_redirect_uri', raw.silent_redirect_uri, allowInsecureHttp);
  if (raw.scope !== undefined) stringOption(raw, 'scope');
  if (raw.settings !== undefined && (typeof raw.settings !== 'object' || raw.settings === null)) throw new TypeError('settings must be an object of oidc-client-ts settings.');
  // Loaded on demand, so that apps bringing their own `recheck` never download oidc-client-ts.
  const pending = import('oidc-client-ts').then(({ UserManager }) =>
    userManagerSource(
      new UserManager({
        ...options.settings,
        authority: options.authority,
        client_id: clientId,
        redirect_uri: options.redirect_uri,
        silent_redirect_uri: options.silent_redirect_uri,
        scope: options.scope ?? 'openid',
      }),
      allowInsecureHttp,
    ),
  );
  return deferredSource(normalizeIssuer(options.authority), clientId, pending);
}

/** Another OIDC client's session (keycloak-js, the app's own code), with the app's own `prompt=none` re-check. */
export function sourceFromCustom(options: CustomMonitorOptions, allowInsecureHttp: boolean): SessionSource {
  const raw = options as unknown as Record<string, unknown>;
  const clientId = stringOption(raw, 'client_id');
  const sessionState = stringOption(raw, 'session_state');
  if (/\s/.test(sessionState)) throw new TypeError('session_state must not contain spaces (SM §2).');
  if (typeof options.recheck !== 'function') throw new TypeError('recheck must be a function that performs a prompt=none re-authentication.');
  if (raw.onSignedOut !== undefined && typeof raw.onSignedOut !== 'function') throw new TypeError('onSignedOut must be a function.');
  if ((raw.issuer === undefined) === (raw.check_session_iframe === undefined)) {
    throw new TypeError('Give exactly one of issuer (for discovery) or check_session_iframe.');
  }
  const issuer = raw.issuer !== undefined ? normalizeIssuer(requireSecureUrl('issuer', raw.issuer, allowInsecureHttp).href) : undefined;
  const iframe = raw.check_session_iframe !== undefined ? requireSecureUrl('check_session_iframe', raw.check_session_iframe, allowInsecureHttp).href : undefined;
  if (raw.id_token !== undefined && typeof raw.id_token !== 'string') throw new TypeError('id_token must be a string (a JWT).');
  let sub = raw.sub;
  if (sub === undefined && raw.id_token !== undefined) {
    sub = decodeJwtClaims(raw.id_token as string)?.sub;
    if (typeof sub !== 'string') throw new TypeError('id_token is not a JWT with a sub claim.');
  }
  if (typeof sub !== 'string' || sub === '') throw new TypeError('Give id_token or sub: the re-check result is compared with the current End-User.');
  let session: SessionInfo | null = { session_state: sessionState, sub, ...(typeof raw.id_token === 'string' ? { id_token: raw.id_token } : {}) };
  const discovery = () => fetchDiscovery(issuer!);
  return {
    issuer: issuer ?? new URL(iframe!).origin,
    clientId,
    resolveCheckSessionIframe: async () => iframe ?? (await discovery()).check_session_iframe,
    resolveEndSessionEndpoint: async () => (issuer ? (await discovery()).end_session_endpoint : undefined),
    getSession: async () => session,
    recheck: options.recheck,
    accept: async (result, expectedSub) => {
      // The app's re-check keeps its own tokens; only what the monitor polls with changes here.
      if (session && session.sub === expectedSub) session = { ...session, sub: result.sub, session_state: result.session_state, ...(result.id_token ? { id_token: result.id_token } : {}) };
    },
    removeUser: async (expectedSub) => {
      if (expectedSub === undefined || session?.sub === expectedSub) session = null;
    },
  };
}
