import type { UserManager, UserManagerSettings } from 'oidc-client-ts';
import type { MonitorConfig } from './machine.js';
import type { ErrorStatusPolicy, Recheck, SignedOutReason, WatchMode } from './types.js';

/** Options shared by every way of starting a monitor: timing, policies, site relation. Durations are in milliseconds. */
export interface MonitorOptions {
  /** Time between polls of the OP iframe. Default 3000; from 500 to 3,600,000. */
  interval?: number;
  /**
   * How long to wait for the OP iframe to answer one poll before it is replaced. Default 5000; from 100 to 60,000.
   * While polling is steady it is checked when the next poll is due, so a lost answer is noticed after
   * `replyTimeout`, rounded up to the next `interval`.
   */
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
   * Whether the app and the OP's `check_session_iframe` are the same *site* (scheme and registrable domain), which
   * decides whether browsers treat the OP iframe as a third party. Default: decided from the URLs, and only an
   * identical host counts as provably the same site (this SDK ships no Public Suffix List). Set `true` for a
   * deployment such as `app.example.com` with `login.example.com`; `false` forces the cross-site rules.
   * Across sites, a sign-out answer is believed only once the OP iframe has shown it can read the OP's cookies.
   * Watching by re-check, it is about the issuer, and the evidence is a `prompt=none` that authenticated the user.
   */
  sameSite?: boolean;
  /**
   * Adjusts the `check_session_iframe` URL (from discovery or the options) before it is loaded, with every entry point. For
   * OPs that need more than the published URL, e.g. WSO2 Identity Server's
   * `(url) => url + '?client_id=my-spa'`. The result must pass the same checks (https, or http on loopback).
   */
  frameUrl?: (url: string) => string;
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
  /**
   * How the session is watched. `'auto'` (default): through the OP's `check_session_iframe` when it publishes one and
   * the sign-in has a `session_state`, otherwise by `prompt=none` re-checks; `'iframe'`: only through the iframe
   * (`unavailable: unsupported` without one); `'recheck'`: only by re-checks.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (`prompt=none`)
   */
  mode?: WatchMode;
  /**
   * Watching by re-check: a `prompt=none` this often while the page is visible. Default 300,000 (5 minutes, at least
   * `minRecheckInterval`); from 5000 to 86,400,000. Each costs the OP one authorization request and one code exchange.
   */
  recheckInterval?: number;
  /**
   * Watching by re-check: the shortest time between two re-checks, however often the page is shown, focused or back
   * online (one that comes sooner waits for the rest of it). Default 20,000 (at most `recheckInterval`); from 1000 to
   * 3,600,000.
   */
  minRecheckInterval?: number;
}

/*
 * The options of one entry point are refused by the others, so that mixing them fails to compile. Each refused
 * option is spelled out with the entry point that takes it: TypeScript's own error only says "not assignable to type
 * 'undefined'", and the editor's hover on the option shows this instead.
 */

/** The option of `startMonitoring`, refused by the other entry points. */
interface NotUserManager {
  /** Not here: `userManager` is an option of `startMonitoring`. */
  userManager?: never;
}

/** The options of `startMonitoringWithSettings`, refused by the other entry points. */
interface NotSettings {
  /** Not here: `authority` is an option of `startMonitoringWithSettings` (with a `UserManager`, it is in its settings). */
  authority?: never;
  /** Not here: `redirect_uri` is an option of `startMonitoringWithSettings` (with a `UserManager`, it is in its settings). */
  redirect_uri?: never;
  /** Not here: `silent_redirect_uri` is an option of `startMonitoringWithSettings` (with a `UserManager`, it is in its settings). */
  silent_redirect_uri?: never;
  /** Not here: `scope` is an option of `startMonitoringWithSettings` (with a `UserManager`, it is in its settings). */
  scope?: never;
  /** Not here: `settings` is an option of `startMonitoringWithSettings`. */
  settings?: never;
}

/** The options of `startMonitoringWithRecheck`, refused by the other entry points. */
interface NotRecheck {
  /** Not here: `issuer` is an option of `startMonitoringWithRecheck` (with a `UserManager`, its `authority` says it). */
  issuer?: never;
  /** Not here: `check_session_iframe` is an option of `startMonitoringWithRecheck` (otherwise discovery gives it). */
  check_session_iframe?: never;
  /** Not here: `session_state` is an option of `startMonitoringWithRecheck` (otherwise the stored user has it). */
  session_state?: never;
  /** Not here: `id_token` is an option of `startMonitoringWithRecheck` (otherwise the stored user has it). */
  id_token?: never;
  /** Not here: `sub` is an option of `startMonitoringWithRecheck` (otherwise the stored user has it). */
  sub?: never;
  /** Not here: `recheck` is an option of `startMonitoringWithRecheck` (otherwise oidc-client-ts re-checks). */
  recheck?: never;
  /** Not here: `onSignedOut` is an option of `startMonitoringWithRecheck`; with a `UserManager`, listen for `signedOut`. */
  onSignedOut?: never;
}

/** Monitor the session of a user signed in with an oidc-client-ts `UserManager` the app already has. */
export interface UserManagerMonitorOptions extends MonitorOptions, NotSettings, NotRecheck {
  userManager: UserManager;
  /** Not here: `client_id` is an option of `startMonitoringWithSettings` and `startMonitoringWithRecheck` (a `UserManager`'s settings have it). */
  client_id?: never;
}

/** Monitor a session whose `UserManager` the SDK creates from these settings (the same the app signs in with). */
export interface SettingsMonitorOptions extends MonitorOptions, NotUserManager, NotRecheck {
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
export interface CustomMonitorOptions extends MonitorOptions, NotUserManager, NotSettings {
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


const POLICIES: readonly ErrorStatusPolicy[] = ['backoff', 'stop', 'signOut'];
const MODES: readonly WatchMode[] = ['auto', 'iframe', 'recheck'];

/** A value in an error message, with its type: `"3000"` (a string) is not `3000`. */
function shown(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return typeof value === 'function' ? 'a function' : String(value);
}

function numberOption(options: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`${name} must be a number of milliseconds from ${min} to ${max}; got ${shown(value)}.`);
  }
  return value;
}

export function stringOption(options: Record<string, unknown>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${name} must be a non-empty string.`);
  return value;
}

export function booleanOption(options: Record<string, unknown>, name: string): boolean {
  const value = options[name];
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean.`);
  return value === true;
}

/** Reads and validates the timing and policy options; a `TypeError` names the option at fault. */
export function readConfig(options: Record<string, unknown>): MonitorConfig {
  const interval = numberOption(options, 'interval', 3000, 500, 3_600_000);
  const policy = options.onErrorStatus ?? 'backoff';
  if (!POLICIES.includes(policy as ErrorStatusPolicy)) {
    throw new TypeError(`onErrorStatus must be one of ${POLICIES.join(', ')}; got ${shown(policy)}.`);
  }
  const mode = options.mode ?? 'auto';
  if (!MODES.includes(mode as WatchMode)) throw new TypeError(`mode must be one of ${MODES.join(', ')}; got ${String(mode)}.`);
  // Each default gives way to the other option when only that one is set.
  const minRecheckInterval = numberOption(options, 'minRecheckInterval', Math.min(20_000, typeof options.recheckInterval === 'number' ? options.recheckInterval : Infinity), 1000, 3_600_000);
  const recheckInterval = numberOption(options, 'recheckInterval', Math.max(300_000, minRecheckInterval), 5000, 86_400_000);
  if (recheckInterval < minRecheckInterval) throw new TypeError(`recheckInterval must not be shorter than minRecheckInterval (${minRecheckInterval}); got ${recheckInterval}.`);
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
    mode: mode as WatchMode,
    recheckInterval,
    minRecheckInterval,
  };
}


/** Reads `allowInsecureHttp`, `sameSite` and `frameUrl`. */
export function readSiteOptions(options: Record<string, unknown>): { allowInsecureHttp: boolean; sameSite: boolean | undefined; frameUrl: ((url: string) => string) | undefined } {
  const allowInsecureHttp = booleanOption(options, 'allowInsecureHttp');
  if (options.sameSite !== undefined && typeof options.sameSite !== 'boolean') throw new TypeError('sameSite must be a boolean, or left out to decide from the URLs.');
  if (options.frameUrl !== undefined && typeof options.frameUrl !== 'function') throw new TypeError('frameUrl must be a function from the check_session_iframe URL to the one to load.');
  return { allowInsecureHttp, sameSite: options.sameSite as boolean | undefined, frameUrl: options.frameUrl as ((url: string) => string) | undefined };
}

const COMMON_KEYS = ['interval', 'replyTimeout', 'frameTimeout', 'recheckTimeout', 'maxRetryDelay', 'onErrorStatus', 'maxRechecks', 'recheckWindow', 'allowInsecureHttp', 'sameSite', 'frameUrl', 'keepAlive', 'anonymous', 'mode', 'recheckInterval', 'minRecheckInterval'];

/** The option names each way of starting a monitor accepts. */
export const MONITOR_KEYS = {
  userManager: [...COMMON_KEYS, 'userManager'],
  authority: [...COMMON_KEYS, 'authority', 'client_id', 'redirect_uri', 'silent_redirect_uri', 'scope', 'settings'],
  recheck: [...COMMON_KEYS, 'issuer', 'check_session_iframe', 'client_id', 'session_state', 'id_token', 'sub', 'recheck', 'onSignedOut'],
} as const;

