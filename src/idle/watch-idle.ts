import type { UserManager } from 'oidc-client-ts';
import type { LogoutRequestOptions } from '../index.js';
import { Emitter } from '../monitor/emitter.js';
import { monitorOf } from '../monitor/registry.js';
import { rejectUnknownOptions } from '../reject-unknown-options.js';
import { appKey } from '../session/keys.js';
import { isUserManager } from '../session/sources.js';
import { normalizeIssuer } from '../url.js';
import { browserIdleEnvironment, type IdleEnvironment } from './idle-environment.js';
import { sessionTag } from './idle-record.js';
import { createSessionWatch, type SessionWatch, type SessionWatchState } from './idle-watch.js';
import type { IdleEvents, IdleState, IdleWatch } from './types.js';

/** What counts as activity unless the app says otherwise; the page becoming visible always counts. */
export const DEFAULT_ACTIVITY_EVENTS: readonly string[] = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'];

/** Activity is shared with the other tabs at most once a second (at once near the timeout). */
const THROTTLE_MS = 1000;
/** The longest a watch sleeps: how soon it notices that the wall clock was set, or that storage works again. */
const CHECK_MS = 10_000;

/** When the app is idle, and what counts as activity. */
export interface IdleTimingOptions {
  /**
   * Milliseconds without activity in any tab of the user after which the user is signed out: a positive number. (To
   * have no idle timeout, do not start one.)
   */
  timeout: number;
  /** How long before the timeout the `warning` event comes, in ms. Shorter than `timeout`. Default: 60 s, or half of `timeout` if that is less. 0: none. */
  warning?: number;
  /**
   * Events on `window` that count as activity. Default {@link DEFAULT_ACTIVITY_EVENTS}: pointer, keys, wheel, touch.
   * The page becoming visible always counts.
   */
  activityEvents?: readonly string[];
}

/** Idle sign-out for a user signed in with an oidc-client-ts `UserManager`. */
export interface UserManagerIdleOptions extends IdleTimingOptions {
  /**
   * Names the app (authority and `client_id`, as the monitor does) and its signed-in user, whom the watch follows: a
   * sign-in starts a new period, a sign-out ends it; the user is removed at the timeout.
   */
  userManager: UserManager;
  /**
   * After the local sign-out, the tab that decided the timeout goes on to RP-initiated `logout()` (the OP's
   * session ends too) with these options (`true`: the `UserManager`'s defaults). Default: local sign-out only.
   */
  logout?: boolean | LogoutRequestOptions;
  issuer?: never;
  client_id?: never;
  sub?: never;
  session?: never;
  signOut?: never;
}

/** Idle sign-out for the session of another OIDC client (keycloak-js, the app's own code). */
export interface CustomIdleOptions extends IdleTimingOptions {
  userManager?: never;
  logout?: never;
  /** The OP's issuer, as the monitor was given it: with `client_id`, it names the app. */
  issuer: string;
  /** The app's `client_id` at the OP. */
  client_id: string;
  /** The signed-in user's `sub`: the tabs of one user share one idle period, and each user has their own. */
  sub: string;
  /**
   * The OP session of this sign-in (e.g. the ID token's `sid`): a watch for another session starts a new period
   * instead of joining one left from an earlier sign-in. Default: the empty string. Start a watch per sign-in and stop
   * it at the sign-out.
   */
  session?: string;
  /**
   * Removes the local session; called in every tab of the user at the timeout. `decidedHere` is true in the one tab
   * that decided: the place to call `logout()` when the OP's session should end too.
   */
  signOut: (context: { decidedHere: boolean }) => void | Promise<void>;
}

/** The options of {@link watchIdle}: with an oidc-client-ts `UserManager`, or with the app's own sign-out. */
export type WatchIdleOptions = UserManagerIdleOptions | CustomIdleOptions;

const KEYS = ['timeout', 'warning', 'activityEvents', 'userManager', 'logout', 'issuer', 'client_id', 'sub', 'session', 'signOut'];

/** The watch of each app in each page (environment): starting another one for the same app replaces it. */
const liveIn = new WeakMap<IdleEnvironment, Map<string, IdleWatch>>();
let page: IdleEnvironment | undefined;

function milliseconds(name: string, value: unknown, positive: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    const off = name === 'timeout' && value === 0 ? ' (0 does not turn the idle timeout off: leave it out instead)' : '';
    throw new TypeError(`${name} must be a ${positive ? 'positive' : 'non-negative'} number of milliseconds${off}.`);
  }
  return value;
}

/** A signed-in user as the watch follows it. */
interface Signed {
  sub: string;
  session: string;
}

/** How the watch learns who is signed in, and how it signs them out. */
interface Integration {
  issuer: string;
  clientId: string;
  /**
   * Calls `onUser` with the user signed in (`undefined`: nobody) as found now, and again on every sign-in
   * (`signedIn` true) or sign-out here; returns the unsubscribe function.
   */
  follow(onUser: (user: Signed | undefined, signedIn: boolean) => void): () => void;
  signOut(user: Signed, decidedHere: boolean): Promise<void>;
}

function userManagerIntegration(options: UserManagerIdleOptions): Integration {
  const { userManager } = options;
  if (!isUserManager(userManager)) throw new TypeError('userManager must be an oidc-client-ts UserManager.');
  if (options.issuer !== undefined || options.client_id !== undefined || options.sub !== undefined || options.session !== undefined || options.signOut !== undefined) {
    throw new TypeError('Give userManager, or issuer, client_id, sub and signOut — not both.');
  }
  // `null` is not "no": a value the app computed wrongly gets an error, not a silent local-only sign-out.
  const logoutOption = options.logout === undefined ? false : options.logout;
  if (typeof logoutOption !== 'boolean' && (typeof logoutOption !== 'object' || logoutOption === null || Array.isArray(logoutOption))) {
    throw new TypeError('logout must be true, false, or the options of logout() (without userManager).');
  }
  type Profile = { sub?: unknown; sid?: unknown; auth_time?: unknown };
  const signed = (user: { profile?: Profile } | null | undefined): Signed | undefined =>
    typeof user?.profile?.sub === 'string' ? { sub: user.profile.sub, session: sessionTag(user.profile) } : undefined;
  return {
    issuer: normalizeIssuer(userManager.settings.authority),
    clientId: userManager.settings.client_id,
    follow(onUser) {
      let heard = false;
      const loaded = (user: { profile?: Profile }) => {
        heard = true;
        onUser(signed(user), true);
      };
      const unloaded = () => {
        heard = true;
        // Stryker disable next-line BooleanLiteral: with nobody signed in the watch ends before `signedIn` is read, so its value cannot matter
        onUser(undefined, false);
      };
      // A UserManager's events are its own tab's: a sign-in here (popup, silent, a user switch the monitor stored) and
      // a removal here. Another tab's sign-out reaches this one through its monitor, which removes the user here too.
      const unsubscribe = [userManager.events?.addUserLoaded?.(loaded), userManager.events?.addUserUnloaded?.(unloaded)];
      userManager.getUser().then(
        (user) => {
          if (!heard) onUser(signed(user), false);
        },
        () => {
          // The store cannot be read: nobody known to be signed in, so nobody to time out (unknown is not idle).
        },
      );
      return () => unsubscribe.forEach((off) => off?.());
    },
    async signOut(user, decidedHere) {
      const rpLogout = decidedHere && logoutOption !== false;
      // Stryker disable next-line ArrowFunction: null and undefined both fail the check of the user's sub below alike: nobody is removed either way
      const current = await userManager.getUser().catch(() => null);
      // A store shared by tabs may hold another tab's newer sign-in: remove only the user who timed out.
      if (current?.profile.sub !== user.sub) return;
      await userManager.removeUser();
      // Loaded only here, through the main entry (the build keeps it as ./index.js): an app that logs out itself has
      // one copy, and one that never asks for `logout` downloads none.
      if (rpLogout) {
        const { logout } = await import('../index.js');
        await logout({ id_token_hint: current.id_token ?? false, ...(logoutOption === true ? {} : logoutOption), userManager });
      }
    },
  };
}

function customIntegration(options: CustomIdleOptions): Integration {
  if (options.logout !== undefined) throw new TypeError('logout needs userManager; with signOut, call logout() there when decidedHere is true.');
  if (typeof options.issuer !== 'string' || options.issuer === '') throw new TypeError("watchIdle needs userManager, or issuer, client_id, sub and signOut: issuer must be the OP's issuer URL.");
  if (typeof options.client_id !== 'string' || options.client_id === '') throw new TypeError('client_id must be a non-empty string.');
  if (typeof options.sub !== 'string' || options.sub === '') throw new TypeError("sub must be the signed-in user's sub (a non-empty string).");
  if (options.session !== undefined && typeof options.session !== 'string') throw new TypeError('session must be a string naming the OP session (e.g. the ID token\'s sid).');
  const { signOut } = options;
  if (typeof signOut !== 'function') throw new TypeError('signOut must be a function that removes the local session.');
  const user = { sub: options.sub, session: options.session ?? '' };
  return {
    issuer: normalizeIssuer(options.issuer),
    clientId: options.client_id,
    follow(onUser) {
      onUser(user, false);
      return () => {};
    },
    signOut: async (_user, decidedHere) => signOut({ decidedHere }),
  };
}

/**
 * Signs the user out after `timeout` ms without activity in any of their tabs of the app, with a `warning` event
 * before it — the app's own idle policy, which the OP's session knows nothing about (`keepAlive` keeps that one
 * alive).
 *
 * Each signed-in user (issuer, `client_id`, `sub`) has one idle period, shared by that user's tabs: activity in any
 * of them keeps all of them signed in, a tab opened or reloaded later joins the period, every tab shows the warning
 * at the same moment, and the timeout is decided once, by one tab under a Web Lock, for all of them. Idle time is
 * measured on a clock that does not jump; a sign-in starts a new period and a sign-out ends it. A tab that can reach
 * the others neither through storage nor over BroadcastChannel signs nobody out and says so (`unavailable`). At the
 * timeout each tab signs its own user out the way the monitor does — the app's live monitor ends with `signedOut`
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
  if (typeof options !== 'object' || options === null) throw new TypeError('watchIdle needs an options object.');
  rejectUnknownOptions('watchIdle', options, KEYS);
  const timeoutMs = milliseconds('timeout', options.timeout, true);
  const warningMs = options.warning === undefined ? Math.min(60_000, Math.floor(timeoutMs / 2)) : milliseconds('warning', options.warning, false);
  if (warningMs >= timeoutMs) throw new TypeError('warning must be shorter than timeout.');
  const activityEvents = options.activityEvents ?? DEFAULT_ACTIVITY_EVENTS;
  if (!Array.isArray(activityEvents) || activityEvents.some((name) => typeof name !== 'string' || name === '')) {
    throw new TypeError('activityEvents must be an array of event names, e.g. ["pointerdown", "keydown"].');
  }
  const integration = options.userManager !== undefined ? userManagerIntegration(options) : customIntegration(options);
  const { issuer, clientId } = integration;

  // Stryker disable next-line StringLiteral: appName only keys this module's own map of idle watches; any fixed prefix names the same apps
  const appName = appKey('idle', issuer, clientId);
  let live = liveIn.get(env);
  if (!live) liveIn.set(env, (live = new Map()));
  live.get(appName)?.stop();

  const events = new Emitter<IdleEvents>();
  let state: IdleState = 'inactive';
  let watching: { user: Signed; watch: SessionWatch } | undefined;
  const final = (): boolean => state === 'timedOut' || state === 'stopped';
  const setState = (next: IdleState): void => {
    const previous = state;
    if (previous === next) return;
    state = next;
    events.emit('state', { state: next, previous });
  };

  /** Watches `user`'s session from now on: a new user or a new session starts a new period; `undefined`: nobody. */
  function follow(user: Signed | undefined, signedIn: boolean): void {
    if (final() || (user && watching && user.sub === watching.user.sub && user.session === watching.user.session)) return;
    const previous = watching;
    watching = undefined;
    // A sign-out here ends the period: its record goes, so that no later sign-in can inherit it.
    if (previous) {
      if (user?.sub === previous.user.sub) previous.watch.stop();
      else previous.watch.signedOut();
    }
    if (!user) return setState('inactive');
    const key = appKey('idle', issuer, clientId, user.sub);
    const lockName = appKey('idle-decision', issuer, clientId, user.sub);
    const current: { user: Signed; watch: SessionWatch } = { user, watch: undefined as never };
    watching = current;
    setState('active');
    current.watch = createSessionWatch({
      clock: env.clock,
      storage: env.storage,
      key,
      session: user.session,
      signedIn,
      channel: env.channel(key),
      subscribeRecord: (onChange) =>
        env.onStorage((changed, value) => {
          if (changed === key) onChange(value);
        }),
      subscribeActivity: (onActivity) => env.onActivity(activityEvents, onActivity),
      withLock: async (decide) => (env.lock ? env.lock(lockName, decide) : decide()),
      timeoutMs,
      warningMs,
      throttleMs: THROTTLE_MS,
      checkMs: CHECK_MS,
      // Stryker disable next-line MethodExpression: the nonce is only compared for equality with other nonces; keeping the '0.' prefix leaves each one as distinct
      nonce: () => Math.random().toString(36).slice(2),
      onState: (next: SessionWatchState) => {
        if (watching === current && next !== 'over') setState(next);
      },
      emit: (event, payload) => {
        if (watching === current) events.emit(event, payload as never);
      },
      timedOut(decidedHere) {
        if (watching !== current) return;
        watching = undefined;
        unfollow();
        forget();
        setState('timedOut');
        events.emit('timeout', { decidedHere });
        // The app's live monitor signs out first, so that the app hears `signedOut` with reason `idle`.
        monitorOf(issuer, clientId)?.signOutFrom('idle');
        integration.signOut(user, decidedHere).catch((error: unknown) => {
          // The app's own sign-out failed: surface it where the app's error reporting sees it.
          queueMicrotask(() => {
            throw error;
          });
        });
      },
    });
  }

  const watch: IdleWatch = {
    get state() {
      return state;
    },
    get deadline() {
      return watching && !final() ? env.clock.now() + watching.watch.remainingMs() : undefined;
    },
    remainingMs: () => (watching && !final() ? watching.watch.remainingMs() : 0),
    on: (event, handler) => events.on(event, handler),
    extend() {
      if (!final()) watching?.watch.extend();
    },
    stop() {
      if (final()) return;
      unfollow();
      forget();
      watching?.watch.stop();
      watching = undefined;
      setState('stopped');
      events.clear();
    },
  };
  // Stryker disable next-line BlockStatement: the map entry is only read to stop the previous watch, and stop() of a timed-out or stopped watch does nothing
  const forget = () => {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: forget() runs once, while this watch is the entry; a leftover entry is final, and stopping it does nothing
    if (live.get(appName) === watch) live.delete(appName);
  };
  live.set(appName, watch);
  const unfollow = integration.follow(follow);
  return watch;
}
