import { useCallback, useEffect, useRef, useState } from 'react';
import type { UserManager } from 'oidc-client-ts';
// Through the package's entries, which the build keeps as imports of ./index.js and ./idle.js: one copy of each in
// an app that also imports them itself.
import { watchIdle, type IdleEvents, type IdleState, type IdleWatch, type UserManagerIdleOptions } from '../idle/index.js';
import { startMonitoring, type MonitorEvents, type MonitorState, type SessionMonitor, type UserManagerMonitorOptions } from '../index.js';

/** What {@link useSessionMonitor} needs. */
export interface UseSessionMonitorOptions {
  /**
   * The app's `UserManager` — with react-oidc-context, the one given to `<AuthProvider userManager={…}>`, so that a
   * sign-out the monitor decides (it removes the user) re-renders the app signed out.
   */
  userManager: UserManager;
  /**
   * The signed-in user (react-oidc-context: `useAuth().user`): monitoring runs while there is one, and starts anew
   * for another `sub`. `null` or `undefined`: nobody is signed in, nothing runs.
   */
  user: { profile: { sub: string } } | null | undefined;
  /**
   * Options of `startMonitoring` (without `userManager`), read when monitoring starts. Invalid ones make the hook
   * throw a `TypeError` ("useSessionMonitor: monitor: …") from the component's next render, for an error boundary.
   */
  monitor?: Omit<UserManagerMonitorOptions, 'userManager'>;
  /**
   * Options of `watchIdle` (without `userManager`), read when monitoring starts; leave it out for no idle timeout
   * (`timeout: 0` is an error, not "off"). Invalid ones make the hook throw a `TypeError` ("useSessionMonitor: idle:
   * …") from the component's next render, for an error boundary.
   */
  idle?: Omit<UserManagerIdleOptions, 'userManager'>;
}

/** What {@link useSessionMonitor} renders with. */
export interface SessionMonitorSnapshot {
  /** The monitor's state; `inactive` while nobody is signed in (or before the first effect ran). */
  state: MonitorState | 'inactive';
  /** The last `unavailable` event of the current monitor (kept after monitoring works again: the last reason). */
  unavailable: MonitorEvents['unavailable'] | undefined;
  /** The last `signedOut` event, e.g. to say why the user is signed out (`reason` `idle` after the idle timeout). */
  signedOut: MonitorEvents['signedOut'] | undefined;
  /** The last `refreshed` event: the OP's session changed (another app's sign-in), the same user is still signed in. */
  refreshed: MonitorEvents['refreshed'] | undefined;
  /** The idle timeout, when `idle` is set and someone is signed in. */
  idle: { state: IdleState; warning: IdleEvents['warning'] | undefined } | undefined;
  /** "Stay signed in": extends the idle deadline in every tab of the app. */
  extend(): void;
}

/** An option error of `startMonitoring` or `watchIdle`, said to come from this hook's `monitor` or `idle`. */
function optionError(option: 'monitor' | 'idle', error: unknown): Error {
  if (!(error instanceof TypeError)) return error instanceof Error ? error : new Error(String(error));
  return new TypeError(`useSessionMonitor: ${option}: ${error.message}`, { cause: error });
}

const INACTIVE: Omit<SessionMonitorSnapshot, 'extend'> = { state: 'inactive', unavailable: undefined, signedOut: undefined, refreshed: undefined, idle: undefined };

/**
 * Monitors the session of the signed-in user of a React app, with react-oidc-context or any oidc-client-ts
 * `UserManager`, and renders what happens: the monitor's state, its last `unavailable` event, the last sign-out, and
 * the idle warning. It starts when a user is signed in, stops on sign-out and unmount, and under StrictMode's double
 * effects starts one monitor (the first effect's start waits a microtask, and the immediate clean-up cancels it).
 *
 * ```tsx
 * const auth = useAuth();
 * const session = useSessionMonitor({ userManager, user: auth.user, idle: { timeout: 15 * 60_000 } });
 * ```
 */
export function useSessionMonitor(options: UseSessionMonitorOptions): SessionMonitorSnapshot {
  const { userManager, user } = options;
  const sub = user?.profile.sub;
  const latest = useRef(options);
  latest.current = options;
  const [snapshot, setSnapshot] = useState(INACTIVE);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const idleRef = useRef<IdleWatch | undefined>(undefined);

  useEffect(() => {
    if (sub === undefined) return undefined;
    let monitor: SessionMonitor | undefined;
    let idle: IdleWatch | undefined;
    let cancelled = false;
    const update = (change: Partial<typeof INACTIVE>) => {
      if (!cancelled) setSnapshot((previous) => ({ ...previous, ...change }));
    };
    // A microtask later: StrictMode's clean-up of a first, throw-away effect comes before it, and nothing starts.
    queueMicrotask(() => {
      if (cancelled) return;
      const { monitor: monitorOptions, idle: idleOptions } = latest.current;
      // Bad options come back to the component: the next render throws them, where an error boundary catches them.
      try {
        monitor = startMonitoring({ ...monitorOptions, userManager });
      } catch (error) {
        return setFailure(optionError('monitor', error));
      }
      if (idleOptions) {
        try {
          idle = idleRef.current = watchIdle({ ...idleOptions, userManager } as UserManagerIdleOptions);
        } catch (error) {
          monitor.stop();
          return setFailure(optionError('idle', error));
        }
      }
      update({ state: monitor.state, unavailable: undefined, signedOut: undefined, refreshed: undefined, idle: undefined });
      monitor.on('state', ({ state }) => update({ state }));
      monitor.on('unavailable', (unavailable) => update({ unavailable }));
      monitor.on('signedOut', (signedOut) => update({ signedOut }));
      monitor.on('refreshed', (refreshed) => update({ refreshed }));
      if (idle) {
        update({ idle: { state: idle.state, warning: undefined } });
        idle.on('state', ({ state }) => {
          if (!cancelled) setSnapshot((previous) => ({ ...previous, idle: { state, warning: state === 'warning' ? previous.idle?.warning : undefined } }));
        });
        idle.on('warning', (warning) => update({ idle: { state: 'warning', warning } }));
      }
    });
    return () => {
      cancelled = true;
      idle?.stop();
      if (idleRef.current === idle) idleRef.current = undefined;
      monitor?.stop();
      // Keep why the user was signed out; the rest describes a monitor that is gone.
      setSnapshot((previous) => ({ ...INACTIVE, signedOut: previous.signedOut }));
    };
  }, [userManager, sub]);

  const extend = useCallback(() => idleRef.current?.extend(), []);
  if (failure) throw failure;
  return { ...snapshot, extend };
}
