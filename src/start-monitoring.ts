import type { UserManager, UserManagerSettings } from 'oidc-client-ts';
import { fetchDiscovery } from './discovery.js';
import { createOpFrameFactory } from './frame/op-frame.js';
import { decodeJwtClaims } from './jwt.js';
import { createMonitor, type MonitorConfig, type MonitorDeps } from './monitor/monitor.js';
import { systemClock } from './monitor/ports.js';
import { registerMonitor, unregisterMonitor } from './monitor/registry.js';
import type { ErrorStatusPolicy, Recheck, SessionInfo, SessionMonitor, SignedOutReason } from './monitor/types.js';
import { userManagerSession, type UserManagerSession } from './recheck/user-manager.js';
import { openTabChannel, tabChannelName } from './tabs/channel.js';
import { isSameSite, normalizeIssuer, requireSecureUrl } from './url.js';
import { createLeadership } from './tabs/leadership.js';
import { pageLifecycle } from './monitor/page-lifecycle.js';
import { takeLastSessionState } from './monitor/last-session-state.js';
import type { ThirdPartyMemory } from './monitor/ports.js';

/** Timing and policy options shared by every way of starting a monitor. All durations are in milliseconds. */
export interface MonitorTimingOptions {
  /** Time between polls of the OP iframe. Default 3000; from 500 to 3,600,000. */
  interval?: number;
  /** How long to wait for the OP iframe to answer one poll. Default 5000; from 100 to 60,000. */
  replyTimeout?: number;
  /** How long to wait for the OP iframe to load. Default 10,000; from 1000 to 120,000. */
  frameTimeout?: number;
  /** How long a `prompt=none` re-check may take before it counts as "unknown". Default 15,000; from 1000 to 120,000. */
  recheckTimeout?: number;
  /** Longest wait between retries after failures (backoff with jitter). Default 60,000; from `interval` to 3,600,000. */
  maxRetryDelay?: number;
  /**
   * What to do when the OP iframe answers `error` (SM §3.1 forbids `prompt=none` then, whatever this says).
   * `'backoff'` (default): report `unavailable` and keep polling at a backed-off pace; `'stop'`: stop polling;
   * `'signOut'`: sign the user out locally.
   */
  onErrorStatus?: ErrorStatusPolicy;
  /** Loop guard: at most this many `prompt=none` re-checks per `recheckWindow`. Default 3; from 1 to 100. */
  maxRechecks?: number;
  /** Loop guard window. Default 60,000; from 1000 to 86,400,000. */
  recheckWindow?: number;
  /** Accept `http:` URLs on non-loopback hosts (test setups only). Default false. */
  allowInsecureHttp?: boolean;
  /**
   * Keep-alive: a `prompt=none` re-check this often (10,000 – 86,400,000) while the page is visible, for OPs that
   * end idle sessions. Default 0 (off). It does not count toward the loop guard.
   */
  keepAlive?: number;
  /**
   * Anonymous monitoring: while nobody is signed in (before sign-in, after a sign-out, on the post-logout page),
   * keep watching the OP's anonymous `session_state` and emit `signedIn` when somebody signs in at the OP.
   * Costs one `prompt=none` to learn that state. Default false.
   */
  anonymous?: boolean;
}

/** Monitor the session of a user signed in with an oidc-client-ts `UserManager` the app already has. */
export interface UserManagerMonitorOptions extends MonitorTimingOptions {
  userManager: UserManager;
}

/** Monitor a session whose `UserManager` the SDK creates from these settings (the same the app signs in with). */
export interface SettingsMonitorOptions extends MonitorTimingOptions {
  authority: string;
  client_id: string;
  redirect_uri: string;
  /** A page of the app that calls oidc-client-ts `signinSilentCallback()`; the `prompt=none` answer lands there. */
  silent_redirect_uri: string;
  scope?: string;
  /** Further oidc-client-ts settings (stores, extra parameters…). */
  settings?: Partial<UserManagerSettings>;
}

/** Monitor a session of another OIDC client (keycloak-js, your own code): bring your own `prompt=none` re-check. */
export interface CustomMonitorOptions extends MonitorTimingOptions {
  /** The OP's issuer; discovery supplies `check_session_iframe`. Give this or `check_session_iframe`. */
  issuer?: string;
  check_session_iframe?: string;
  client_id: string;
  /** The `session_state` of the latest authentication response. */
  session_state: string;
  /** The current ID token (its `sub` is compared with the re-check's). Give this or `sub`. */
  id_token?: string;
  sub?: string;
  recheck: Recheck;
  /** Called to remove the local session when the user signed out or switched. */
  onSignedOut?: (reason: SignedOutReason) => void | Promise<void>;
}

export type StartMonitoringOptions = UserManagerMonitorOptions | SettingsMonitorOptions | CustomMonitorOptions;

const POLICIES: readonly ErrorStatusPolicy[] = ['backoff', 'stop', 'signOut'];

function numberOption(options: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`${name} must be a number of milliseconds from ${min} to ${max}; got ${String(value)}.`);
  }
  return value;
}

function stringOption(options: Record<string, unknown>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${name} must be a non-empty string.`);
  return value;
}

function booleanOption(options: Record<string, unknown>, name: string): boolean {
  const value = options[name];
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean.`);
  return value === true;
}

function readConfig(options: Record<string, unknown>): MonitorConfig {
  const interval = numberOption(options, 'interval', 3000, 500, 3_600_000);
  const policy = options.onErrorStatus ?? 'backoff';
  if (!POLICIES.includes(policy as ErrorStatusPolicy)) {
    throw new TypeError(`onErrorStatus must be one of ${POLICIES.join(', ')}; got ${String(policy)}.`);
  }
  return {
    interval,
    replyTimeout: numberOption(options, 'replyTimeout', 5000, 100, 60_000),
    frameTimeout: numberOption(options, 'frameTimeout', 10_000, 1000, 120_000),
    recheckTimeout: numberOption(options, 'recheckTimeout', 15_000, 1000, 120_000),
    maxRetryDelay: numberOption(options, 'maxRetryDelay', Math.max(60_000, interval), interval, 3_600_000),
    onErrorStatus: policy as ErrorStatusPolicy,
    maxRechecks: numberOption(options, 'maxRechecks', 3, 1, 100),
    recheckWindow: numberOption(options, 'recheckWindow', 60_000, 1000, 86_400_000),
    keepAlive: options.keepAlive === undefined || options.keepAlive === 0 ? 0 : numberOption(options, 'keepAlive', 0, 10_000, 86_400_000),
    anonymous: booleanOption(options, 'anonymous'),
  };
}

interface Source {
  key: string;
  clientId: string;
  issuer: string;
  ports: Pick<MonitorDeps, 'resolveCheckSessionIframe' | 'getSession' | 'recheck' | 'signOutLocally'>;
}

function fromUserManager(managerPromise: Promise<UserManager>, authority: string, clientId: string): Source {
  let session: Promise<UserManagerSession> | undefined;
  const ports = () => (session ??= managerPromise.then(userManagerSession));
  return {
    key: `${authority}|${clientId}`,
    clientId,
    issuer: authority,
    ports: {
      resolveCheckSessionIframe: async () => (await ports()).resolveCheckSessionIframe(),
      getSession: async () => (await ports()).getSession(),
      recheck: async (context) => (await ports()).recheck(context),
      signOutLocally: async () => (await ports()).signOutLocally(),
    },
  };
}

function userManagerSource(options: UserManagerMonitorOptions, allowInsecureHttp: boolean): Source {
  const manager = options.userManager as unknown;
  if (typeof manager !== 'object' || manager === null || typeof (manager as UserManager).getUser !== 'function' || typeof (manager as UserManager).signinSilent !== 'function') {
    throw new TypeError('userManager must be an oidc-client-ts UserManager.');
  }
  const settings = (manager as UserManager).settings;
  requireSecureUrl('userManager.settings.authority', settings.authority, allowInsecureHttp);
  if (!settings.silent_redirect_uri) {
    throw new TypeError('userManager.settings.silent_redirect_uri is required: the prompt=none re-check answers there.');
  }
  requireSecureUrl('userManager.settings.silent_redirect_uri', settings.silent_redirect_uri, allowInsecureHttp);
  return fromUserManager(Promise.resolve(manager as UserManager), normalizeIssuer(settings.authority), settings.client_id);
}

function settingsSource(options: SettingsMonitorOptions, allowInsecureHttp: boolean): Source {
  const raw = options as unknown as Record<string, unknown>;
  requireSecureUrl('authority', raw.authority, allowInsecureHttp);
  const authority = normalizeIssuer(options.authority);
  const clientId = stringOption(raw, 'client_id');
  requireSecureUrl('redirect_uri', raw.redirect_uri, allowInsecureHttp);
  requireSecureUrl('silent_redirect_uri', raw.silent_redirect_uri, allowInsecureHttp);
  if (raw.scope !== undefined) stringOption(raw, 'scope');
  if (raw.settings !== undefined && (typeof raw.settings !== 'object' || raw.settings === null)) throw new TypeError('settings must be an object of oidc-client-ts settings.');
  // Loaded on demand, so that apps bringing their own `recheck` never download oidc-client-ts.
  const manager = import('oidc-client-ts').then(
    ({ UserManager }) =>
      new UserManager({
        ...options.settings,
        authority: options.authority,
        client_id: clientId,
        redirect_uri: options.redirect_uri,
        silent_redirect_uri: options.silent_redirect_uri,
        scope: options.scope ?? 'openid',
      }),
  );
  return fromUserManager(manager, authority, clientId);
}

function customSource(options: CustomMonitorOptions, allowInsecureHttp: boolean): Source {
  const raw = options as unknown as Record<string, unknown>;
  const clientId = stringOption(raw, 'client_id');
  const sessionState = stringOption(raw, 'session_state');
  if (/\s/.test(sessionState)) throw new TypeError('session_state must not contain spaces (SM §2).');
  if (typeof options.recheck !== 'function') throw new TypeError('recheck must be a function that performs a prompt=none re-authentication.');
  if (raw.onSignedOut !== undefined && typeof raw.onSignedOut !== 'function') throw new TypeError('onSignedOut must be a function.');
  if ((raw.issuer === undefined) === (raw.check_session_iframe === undefined)) {
    throw new TypeError('Give exactly one of issuer (discovery supplies check_session_iframe) or check_session_iframe.');
  }
  const issuer = raw.issuer !== undefined ? normalizeIssuer(requireSecureUrl('issuer', raw.issuer, allowInsecureHttp).href) : undefined;
  const iframe = raw.check_session_iframe !== undefined ? requireSecureUrl('check_session_iframe', raw.check_session_iframe, allowInsecureHttp).href : undefined;
  let sub = raw.sub;
  if (sub === undefined && raw.id_token !== undefined) {
    if (typeof raw.id_token !== 'string') throw new TypeError('id_token must be a string (a JWT).');
    sub = decodeJwtClaims(raw.id_token)?.sub;
    if (typeof sub !== 'string') throw new TypeError('id_token is not a JWT with a sub claim.');
  }
  if (typeof sub !== 'string' || sub === '') throw new TypeError('Give id_token or sub: the re-check result is compared with the current End-User.');
  const iat = typeof raw.id_token === 'string' ? decodeJwtClaims(raw.id_token)?.iat : undefined;
  const session: SessionInfo = {
    session_state: sessionState,
    sub,
    ...(typeof raw.id_token === 'string' ? { id_token: raw.id_token } : {}),
    ...(typeof iat === 'number' ? { issued_at: iat * 1000 } : {}),
  };
  const base = issuer ?? new URL(iframe!).origin;
  return {
    key: `${base}|${clientId}`,
    clientId,
    issuer: base,
    ports: {
      resolveCheckSessionIframe: async () => iframe ?? (await fetchDiscovery(issuer!)).check_session_iframe,
      getSession: async () => session,
      recheck: options.recheck,
      signOutLocally: async (reason) => {
        await options.onSignedOut?.(reason);
      },
    },
  };
}

/** When third-party blocking was found, in localStorage; storage that throws (disabled, quota) just forgets. */
function storedFlag(key: string): ThirdPartyMemory {
  let known: boolean | undefined;
  return {
    blockedSince() {
      try {
        const value = Number(window.localStorage.getItem(key));
        known = value > 0;
        return known ? value : undefined;
      } catch {
        return undefined;
      }
    },
    remember(blocked) {
      // Called on every answer: touch storage only when the value changes.
      if (known === blocked) return;
      known = blocked;
      try {
        if (blocked) window.localStorage.setItem(key, String(Date.now()));
        else window.localStorage.removeItem(key);
      } catch {
        // Nothing to do: the next page load re-learns it.
      }
    },
  };
}

/**
 * Starts monitoring the End-User's session at the OP through the OP's `check_session_iframe`.
 *
 * Options are validated synchronously (a `TypeError` names the option); everything after that is reported
 * through the returned monitor's events. Starting a second monitor for the same issuer and client replaces
 * the first one cleanly.
 *
 * @see https://openid.net/specs/openid-connect-session-1_0.html#ChangeNotification
 */
export function startMonitoring(options: StartMonitoringOptions): SessionMonitor {
  if (typeof options !== 'object' || options === null) throw new TypeError('startMonitoring needs an options object.');
  if (typeof window === 'undefined' || typeof document === 'undefined') {
    throw new TypeError('startMonitoring runs in a browser page: there is no window here.');
  }
  const raw = options as unknown as Record<string, unknown>;
  const config = readConfig(raw);
  if (raw.allowInsecureHttp !== undefined && typeof raw.allowInsecureHttp !== 'boolean') throw new TypeError('allowInsecureHttp must be a boolean.');
  const allowInsecureHttp = raw.allowInsecureHttp === true;
  const modes = ['userManager', 'authority', 'recheck'].filter((name) => raw[name] !== undefined);
  if (modes.length !== 1) {
    throw new TypeError('Give exactly one of userManager (an oidc-client-ts UserManager), authority (settings for one), or recheck (your own prompt=none re-check).');
  }
  const source =
    modes[0] === 'userManager'
      ? userManagerSource(options as UserManagerMonitorOptions, allowInsecureHttp)
      : modes[0] === 'authority'
        ? settingsSource(options as SettingsMonitorOptions, allowInsecureHttp)
        : customSource(options as CustomMonitorOptions, allowInsecureHttp);

  const channel = openTabChannel(tabChannelName(source.issuer, source.clientId));
  const leadership = createLeadership(`oidc-session-monitor:${source.issuer}:${source.clientId}`);
  const lifecycle = pageLifecycle();
  // Decided once per resolved iframe URL, not on every answer: the polling loop runs forever.
  let crossSite = false;
  const monitor = createMonitor({
    ...source.ports,
    resolveCheckSessionIframe: async () => {
      const url = await source.ports.resolveCheckSessionIframe();
      crossSite = url !== undefined && !isSameSite(window.location.origin, new URL(url).origin);
      return url;
    },
    clientId: source.clientId,
    config,
    createFrame: createOpFrameFactory(),
    clock: systemClock,
    random: Math.random,
    lifecycle,
    get crossSite() {
      return crossSite;
    },
    thirdPartyMemory: storedFlag(`oidc-session-monitor:third-party-blocked:${source.issuer}:${source.clientId}`),
    takeLastSessionState: () => takeLastSessionState(source.issuer, source.clientId),
  });
  let leading = leadership === undefined;
  const stopListening = channel.onMessage((message) => {
    if (message.type === 'frontChannelLogout') void signOutIfSession(message.iss, message.sid);
    else monitor.follow(message);
  });
  const signOutIfSession = async (iss: string, sid: string): Promise<void> => {
    // FCL §2: act only for the session the request names.
    const claims = decodeJwtClaims((await source.ports.getSession().catch(() => null))?.id_token);
    if (claims && claims.iss === iss && claims.sid === sid) await monitor.signOutFrom('front-channel');
  };
  const stopLifecycle = lifecycle.subscribe((signal) => {
    // The leader is the tab the user looks at: take over when shown, hand over when hidden.
    if (signal === 'visible') leadership?.claim();
    if (signal === 'hidden') void leadership?.yieldToWaiting();
  });
  const release = (): void => {
    stopListening();
    stopLifecycle();
    leadership?.dispose();
    channel.close();
    unregisterMonitor(source.key, monitor);
  };
  // The leading tab tells the others what it found.
  monitor.on('refreshed', ({ sub, session_state, previous_session_state }) => {
    if (leading) channel.post({ type: 'refreshed', sub, session_state, previous_session_state });
  });
  monitor.on('unavailable', ({ reason, detail, retrying }) => {
    if (leading) channel.post({ type: 'unavailable', reason, detail, retrying });
  });
  monitor.on('state', ({ state, previous }) => {
    if (leading && state === 'monitoring' && previous === 'unavailable') channel.post({ type: 'monitoring' });
    if (state === 'stopped') release();
  });
  monitor.on('userChanged', ({ previousSub, sub }) => {
    if (leading) channel.post({ type: 'userChanged', previousSub, sub });
  });
  monitor.on('signedOut', ({ reason, sub }) => {
    // Tell the other tabs of this app, so they drop their user without asking the OP again.
    if (reason !== 'other-tab' && reason !== 'front-channel') channel.post({ type: 'signedOut', reason, ...(sub !== undefined ? { sub } : {}) });
    // An anonymous monitor goes on watching; otherwise this is the end.
    if (!config.anonymous) release();
  });
  registerMonitor(source.key, monitor);
  monitor.start({ active: leading });
  leadership?.start((isLeader) => {
    leading = isLeader;
    if (isLeader) monitor.activate();
    else monitor.deactivate();
  });
  if (leadership && lifecycle.isVisible()) leadership.claim();
  return {
    get state() {
      return monitor.state;
    },
    on: monitor.on,
    checkNow: monitor.checkNow,
    stop: monitor.stop,
  };
}
