import type { UserManager } from 'oidc-client-ts';
import type { LogoutRequestOptions } from '../index.js';
import { monitorOf } from '../monitor/registry.js';
import { rejectUnknownOptions } from '../reject-unknown-options.js';
import { appKey } from '../session/keys.js';
import { isUserManager } from '../session/sources.js';
import { normalizeIssuer } from '../url.js';
import { browserIdleEnvironment, type IdleEnvironment } from './idle-environment.js';
import { createIdleWatch } from './idle-watch.js';
import type { IdleWatch } from './types.js';

/** What counts as activity unless the app says otherwise; the page becoming visible always counts. */
export const DEFAULT_ACTIVITY_EVENTS: readonly string[] = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'];

/** Activity is written to the shared deadline at most once a second (at once near the deadline). */
const THROTTLE_MS = 1000;

/** When the app is idle, and what counts as activity. */
export interface IdleTimingOptions {
  /** Milliseconds without activity in any tab of the app after which the user is signed out. */
  timeout: number;
  /** How long before the timeout the `warning` event comes, in ms. Default: 60 s, at most half of `timeout`. 0: none. */
  warning?: number;
  /**
   * Events on `window` that count as activity. Default {@link DEFAULT_ACTIVITY_EVENTS}: pointer, keys, wheel, touch.
   * The page becoming visible always counts.
   */
  activityEvents?: readonly string[];
}

/** Idle sign-out for a user signed in with an oidc-client-ts `UserManager`. */
export interface UserManagerIdleOptions extends IdleTimingOptions {
  /** Names the app (authority and `client_id`, as the monitor does); its user is removed at the timeout. */
  userManager: UserManager;
  /**
   * After the local sign-out, the tab that decided the timeout goes on to RP-initiated `logout()` (the OP's
   * session ends too) with these options (`true`: the `UserManager`'s defaults). Default: local sign-out only.
   */
  logout?: boolean | LogoutRequestOptions;
  issuer?: never;
  client_id?: never;
  signOut?: never;
}

/** Idle sign-out for the session of another OIDC client (keycloak-js, the app's own code). */
export interface CustomIdleOptions extends IdleTimingOptions {
  userManager?: never;
  logout?: never;
  /** The OP's issuer, as the monitor was given it: with `client_id`, it names the app, whose tabs share one deadline. */
  issuer: string;
  /** The app's `client_id` at the OP. */
  client_id: string;
  /**
   * Removes the local session; called in every tab of the app at the timeout. `decidedHere` is true in the one tab
   * that decided: the place to call `logout()` when the OP's session should end too.
   */
  signOut: (context: { decidedHere: boolean }) => void | Promise<void>;
}

/** The options of {@link watchIdle}: with an oidc-client-ts `UserManager`, or with the app's own sign-out. */
export type WatchIdleOptions = UserManagerIdleOptions | CustomIdleOptions;

const KEYS = ['timeout', 'warning', 'activityEvents', 'userManager', 'logout', 'issuer', 'client_id', 'signOut'];

/** The watch of each app in each page (environment): starting another one for the same app replaces it. */
const liveIn = new WeakMap<IdleEnvironment, Map<string, IdleWatch>>();
let page: IdleEnvironment | undefined;

function milliseconds(name: string, value: unknown, positive: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new TypeError(`${name} must be a ${positive ? 'positive' : 'non-negative'} number of milliseconds.`);
  }
  return value;
}

/**
 * Signs the user out after `timeout` ms without activity in any tab of the app, with a `warning` event before it —
 * the app's own idle policy, which the OP's session knows nothing about (`keepAlive` keeps that one alive).
 *
 * The tabs of the app (same issuer and `client_id`) share one deadline in localStorage: activity in any of them
 * keeps all of them signed in, a tab opened or reloaded later joins the deadline, every tab shows the warning at
 * the same moment, and the timeout is decided once, by one tab under a Web Lock, for all of them. At the timeout
 * each tab signs its own user out the way the monitor does — the app's live monitor ends with `signedOut`
 * (reason `idle`) — and the deciding tab alone goes on to RP-initiated logout when `logout` asks for it.
 *
 * Options are validated synchronously (a `TypeError` names the option). Import it from
 * `oidc-session-monitor/idle`: apps that do not use it do not download it.
 */
export function watchIdle(options: WatchIdleOptions): IdleWatch {
  if (typeof options !== 'object' || options === null) throw new TypeError('watchIdle needs an options object.');
  if (typeof window === 'undefined' || typeof document === 'undefined') throw new TypeError('watchIdle runs in a browser page: there is no window here.');
  return watchIdleIn(options, (page ??= browserIdleEnvironment()));
}

/** {@link watchIdle} in a given environment: the page's, or a test's fake tab. */
export function watchIdleIn(options: WatchIdleOptions, env: IdleEnvironment): IdleWatch {
  rejectUnknownOptions('watchIdle', options, KEYS);
  const timeoutMs = milliseconds('timeout', options.timeout, true);
  const warningMs = options.warning === undefined ? Math.min(60_000, Math.floor(timeoutMs / 2)) : milliseconds('warning', options.warning, false);
  if (warningMs >= timeoutMs) throw new TypeError('warning must be shorter than timeout.');
  const activityEvents = options.activityEvents ?? DEFAULT_ACTIVITY_EVENTS;
  if (!Array.isArray(activityEvents) || activityEvents.some((name) => typeof name !== 'string' || name === '')) {
    throw new TypeError('activityEvents must be an array of event names, e.g. ["pointerdown", "keydown"].');
  }

  let issuer: string;
  let clientId: string;
  let signOutHere: (decidedHere: boolean) => Promise<void>;
  if (options.userManager !== undefined) {
    const { userManager } = options;
    if (!isUserManager(userManager)) throw new TypeError('userManager must be an oidc-client-ts UserManager.');
    if (options.issuer !== undefined || options.client_id !== undefined || options.signOut !== undefined) {
      throw new TypeError('Give userManager, or issuer, client_id and signOut — not both.');
    }
    const logoutOption = options.logout ?? false;
    if (typeof logoutOption !== 'boolean' && (typeof logoutOption !== 'object' || logoutOption === null)) {
      throw new TypeError('logout must be true, false, or the options of logout() (without userManager).');
    }
    issuer = normalizeIssuer(userManager.settings.authority);
    clientId = userManager.settings.client_id;
    signOutHere = async (decidedHere) => {
      const rpLogout = decidedHere && logoutOption !== false;
      // The hint must be read before the user is removed.
      const idToken = rpLogout ? (await userManager.getUser().catch(() => null))?.id_token : undefined;
      await userManager.removeUser();
      // Loaded only here, through the main entry (the build keeps it as ./index.js): an app that logs out itself has
      // one copy, and one that never asks for `logout` downloads none.
      if (rpLogout) {
        const { logout } = await import('../index.js');
        await logout({ id_token_hint: idToken ?? false, ...(logoutOption === true ? {} : logoutOption), userManager });
      }
    };
  } else {
    if (options.logout !== undefined) throw new TypeError('logout needs userManager; with signOut, call logout() there when decidedHere is true.');
    if (typeof options.issuer !== 'string' || options.issuer === '') throw new TypeError('watchIdle needs userManager, or issuer, client_id and signOut: issuer must be the OP\'s issuer URL.');
    if (typeof options.client_id !== 'string' || options.client_id === '') throw new TypeError('client_id must be a non-empty string.');
    const { signOut } = options;
    if (typeof signOut !== 'function') throw new TypeError('signOut must be a function that removes the local session.');
    issuer = normalizeIssuer(options.issuer);
    clientId = options.client_id;
    signOutHere = async (decidedHere) => signOut({ decidedHere });
  }

  const key = appKey('idle', issuer, clientId);
  const lockName = appKey('idle-decision', issuer, clientId);
  let live = liveIn.get(env);
  if (!live) liveIn.set(env, (live = new Map()));
  live.get(key)?.stop();

  const watch = createIdleWatch({
    clock: env.clock,
    storage: env.storage,
    key,
    timeoutMs,
    warningMs,
    throttleMs: THROTTLE_MS,
    subscribeRecord: (onChange) =>
      env.onStorage((changed) => {
        // `key` null: the other tab cleared the whole storage.
        if (changed === key || changed === null) onChange();
      }),
    subscribeActivity: (onActivity) => env.onActivity(activityEvents, onActivity),
    withLock: async (decide) => (env.lock ? env.lock(lockName, decide) : decide()),
    async end(decidedHere) {
      // The app's live monitor signs out first, so that the app hears `signedOut` with reason `idle`.
      monitorOf(issuer, clientId)?.signOutFrom('idle');
      await signOutHere(decidedHere);
    },
  });
  live.set(key, watch);
  const forget = () => {
    if (live.get(key) === watch) live.delete(key);
  };
  watch.on('state', ({ state }) => {
    if (state === 'timedOut') forget();
  });
  const stop = watch.stop;
  return Object.assign(watch, {
    stop() {
      forget();
      stop();
    },
  });
}
