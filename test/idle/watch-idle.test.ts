import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browserIdleEnvironment } from '../../src/idle/idle-environment.js';
import { parseIdleRecord } from '../../src/idle/idle-record.js';
import { DEFAULT_ACTIVITY_EVENTS, watchIdle, watchIdleIn } from '../../src/idle/watch-idle.js';
import type { MonitorController } from '../../src/monitor/monitor.js';
import { registerMonitor, unregisterMonitor } from '../../src/monitor/registry.js';
import { appKey } from '../../src/session/keys.js';
import { parseTabMessage } from '../../src/tabs/messages.js';
import { flush } from '../support/fake-clock.js';

const ISSUER = 'https://op.example';

function fakeUserManager(idToken = 'header.payload.sig') {
  let user: { id_token: string; profile: { sub: string } } | null = { id_token: idToken, profile: { sub: 'alice' } };
  return {
    settings: { authority: `${ISSUER}/`, client_id: 'app' },
    getUser: vi.fn(async () => user),
    signinSilent: vi.fn(),
    removeUser: vi.fn(async () => {
      user = null;
    }),
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  localStorage.clear();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('watchIdle options', () => {
  const userManager = fakeUserManager() as never;
  it.each([
    [undefined, /^watchIdle needs an options object\.$/],
    [{ userManager }, /^timeout must be a positive number of milliseconds\.$/],
    [{ userManager, timeout: 0 }, /^timeout must be a positive number of milliseconds \(0 does not turn the idle timeout off: leave it out instead\)\.$/],
    [{ userManager, timeout: Number.NaN }, /^timeout must be a positive/],
    [{ userManager, timeout: 1000, warning: -1 }, /^warning must be a non-negative number of milliseconds\.$/],
    [{ userManager, timeout: 1000, warning: 1000 }, /^warning must be shorter than timeout\.$/],
    [{ userManager, timeout: 1000, activityEvents: 'keydown' }, /^activityEvents must be an array of event names/],
    [{ userManager, timeout: 1000, activityEvents: [''] }, /^activityEvents must be an array of event names/],
    [{ userManager, timeout: 1000, activityEvents: ['keydown', 5] }, /^activityEvents must be an array of event names/],
    [{ userManager, timeout: Number.POSITIVE_INFINITY }, /^timeout must be a positive/],
    [{ userManager, timeout: 1000, timout: 5 }, /^watchIdle: unknown option timout; the options are /],
    [{ userManager: {}, timeout: 1000 }, /^userManager must be an oidc-client-ts UserManager\.$/],
    [{ userManager, timeout: 1000, logout: 'yes' }, /^logout must be true, false, or the options of logout\(\)/],
    [{ userManager, timeout: 1000, logout: null }, /^logout must be true, false, or the options of logout\(\)/],
    [{ userManager, timeout: 1000, logout: [] }, /^logout must be true, false, or the options of logout\(\)/],
    [{ userManager, timeout: 1000, issuer: ISSUER }, /^Give userManager, or issuer, client_id, sub and signOut — not both\.$/],
    [{ userManager, timeout: 1000, client_id: 'app' }, /^Give userManager, or issuer, client_id, sub and signOut — not both\.$/],
    [{ userManager, timeout: 1000, session: 's' }, /^Give userManager, or issuer, client_id, sub and signOut — not both\.$/],
    [{ userManager, timeout: 1000, signOut: () => {} }, /^Give userManager, or issuer, client_id, sub and signOut — not both\.$/],
    [{ userManager, timeout: 1000, sub: 'alice' }, /^Give userManager, or issuer, client_id, sub and signOut — not both\.$/],
    [{ timeout: 1000, client_id: 'app', sub: 'alice', signOut: () => {} }, /^watchIdle needs userManager, or issuer, client_id, sub and signOut: issuer must be/],
    [{ timeout: 1000, issuer: '', client_id: 'app', sub: 'alice', signOut: () => {} }, /^watchIdle needs userManager, or issuer, client_id, sub and signOut: issuer must be/],
    [{ timeout: 1000, issuer: ISSUER, sub: 'alice', signOut: () => {} }, /^client_id must be a non-empty string\.$/],
    [{ timeout: 1000, issuer: ISSUER, client_id: '', sub: 'alice', signOut: () => {} }, /^client_id must be a non-empty string\.$/],
    [{ timeout: 1000, issuer: ISSUER, client_id: 'app', sub: '', signOut: () => {} }, /^sub must be the signed-in user's sub/],
    [{ timeout: 1000, issuer: ISSUER, client_id: 'app', signOut: () => {} }, /^sub must be the signed-in user's sub/],
    [{ timeout: 1000, issuer: ISSUER, client_id: 'app', sub: 'alice', session: 1, signOut: () => {} }, /^session must be a string/],
    [{ timeout: 1000, issuer: ISSUER, client_id: 'app', sub: 'alice' }, /^signOut must be a function/],
    [{ timeout: 1000, issuer: ISSUER, client_id: 'app', sub: 'alice', signOut: () => {}, logout: true }, /^logout needs userManager/],
  ])('rejects %j with a TypeError naming the option', (options, message) => {
    expect(() => watchIdle(options as never)).toThrow(TypeError);
    expect(() => watchIdle(options as never)).toThrow(message);
  });
});

describe('watchIdle options that are valid', () => {
  it.each([
    ['warning 0', { warning: 0 }],
    ['logout false', { logout: false }],
    ['logout true', { logout: true }],
    ['logout options', { logout: { post_logout_redirect_uri: 'https://app.example/bye' } }],
  ])('accepts %s with a UserManager', (_what, extra) => {
    expect(() => watchIdle({ userManager: fakeUserManager() as never, timeout: 10_000, ...extra }).stop()).not.toThrow();
  });

  it("accepts a session (the ID token's sid) with signOut", () => {
    expect(() => watchIdle({ issuer: ISSUER, client_id: 'app', sub: 'alice', session: 'sid-1', signOut: () => {}, timeout: 10_000 }).stop()).not.toThrow();
  });
});

describe('watchIdle timing', () => {
  it('warning 0: no warning event, and the timeout on time', async () => {
    const userManager = fakeUserManager();
    const watch = watchIdle({ userManager: userManager as never, timeout: 10_000, warning: 0 });
    const warnings: unknown[] = [];
    watch.on('warning', (w) => warnings.push(w));
    await vi.advanceTimersByTimeAsync(9999);
    expect(watch.state).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(userManager.removeUser).toHaveBeenCalledTimes(1));
    expect(watch.state).toBe('timedOut');
    expect(warnings).toEqual([]);
  });

  it.each([
    [10 * 60_000, 60_000],
    [10_000, 5000],
    [1001, 500],
  ])('by default, a timeout of %i ms warns %i ms before it (60 s, at most half the timeout)', async (timeout, lead) => {
    const watch = watchIdle({ userManager: fakeUserManager() as never, timeout });
    await flush();
    await vi.advanceTimersByTimeAsync(timeout - lead - 1);
    expect(watch.state).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    expect(watch.state).toBe('warning');
    watch.stop();
  });

  it.each(DEFAULT_ACTIVITY_EVENTS)('counts %s on the page as activity by default', async (name) => {
    const watch = watchIdle({ userManager: fakeUserManager() as never, timeout: 10_000 });
    await flush();
    await vi.advanceTimersByTimeAsync(6000);
    window.dispatchEvent(new Event(name));
    expect(watch.remainingMs()).toBe(10_000);
    watch.stop();
  });

  it('counts only the activityEvents given, when given', async () => {
    const watch = watchIdle({ userManager: fakeUserManager() as never, timeout: 10_000, activityEvents: ['scroll'] });
    await flush();
    await vi.advanceTimersByTimeAsync(6000);
    window.dispatchEvent(new Event('keydown'));
    expect(watch.remainingMs()).toBe(4000);
    window.dispatchEvent(new Event('scroll'));
    expect(watch.remainingMs()).toBe(10_000);
    watch.stop();
  });
});

describe("watchIdle and the page's other tabs (storage events, Web Locks, BroadcastChannel)", () => {
  const KEY = appKey('idle', ISSUER, 'app', 'alice');
  const LOCK = appKey('idle-decision', ISSUER, 'app', 'alice');
  const custom = (signOut: (context: { decidedHere: boolean }) => void) => ({ issuer: ISSUER, client_id: 'app', sub: 'alice', signOut, timeout: 10_000, warning: 2000 });
  /** What another tab of the app writes to localStorage: the page hears it as a `storage` event. */
  const otherTabWrites = (key: string, value: string) => {
    localStorage.setItem(key, value);
    window.dispatchEvent(new StorageEvent('storage', { key, newValue: value, storageArea: localStorage }));
  };

  it("without BroadcastChannel, follows another tab's activity and its timeout mark through storage events of the user's key only", async () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    const signOut = vi.fn();
    const watch = watchIdleIn(custom(signOut), browserIdleEnvironment());
    await flush();
    expect(parseIdleRecord(localStorage.getItem(KEY))).toEqual({ s: '', at: Date.now(), n: expect.any(String) });
    await vi.advanceTimersByTimeAsync(5000);
    otherTabWrites(appKey('idle', ISSUER, 'app', 'bob'), JSON.stringify({ s: '', at: Date.now(), n: 'bobs' }));
    expect(watch.remainingMs()).toBe(5000);
    otherTabWrites(KEY, JSON.stringify({ s: '', at: Date.now(), n: 'other-tab' }));
    expect(watch.remainingMs()).toBe(10_000);
    otherTabWrites(KEY, JSON.stringify({ s: '', at: Date.now(), n: 'decided', out: true }));
    expect(watch.state).toBe('timedOut');
    expect(signOut).toHaveBeenCalledWith({ decidedHere: false });
  });

  it("decides under the user's Web Lock: while another tab holds it, nobody is signed out here", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tails = new Map<string, Promise<unknown>>([[LOCK, held]]);
    const request = vi.fn((name: string, task: () => unknown) => {
      const run = (tails.get(name) ?? Promise.resolve()).then(() => task());
      tails.set(name, run);
      return run;
    });
    vi.stubGlobal('navigator', { locks: { request } });
    const signOut = vi.fn();
    const watch = watchIdleIn(custom(signOut), browserIdleEnvironment());
    await vi.advanceTimersByTimeAsync(10_000);
    expect(request).toHaveBeenCalledWith(LOCK, expect.any(Function));
    expect(signOut).not.toHaveBeenCalled();
    expect(watch.state).toBe('warning');
    release();
    await vi.waitFor(() => expect(signOut).toHaveBeenCalledWith({ decidedHere: true }));
    expect(watch.state).toBe('timedOut');
  });

  /** localStorage blocked (the user's settings): every use of it throws. */
  const blockStorage = () =>
    vi.spyOn(window, 'localStorage', 'get').mockImplementation(() => {
      throw new DOMException('Access is denied.', 'SecurityError');
    });

  it('with neither storage nor BroadcastChannel, reports unavailable and signs nobody out', async () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    blockStorage();
    const signOut = vi.fn();
    const watch = watchIdleIn(custom(signOut), browserIdleEnvironment());
    const states: unknown[] = [];
    watch.on('state', (change) => states.push(change));
    await flush();
    expect(watch.state).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(signOut).not.toHaveBeenCalled();
    expect(states).toEqual([{ state: 'unavailable', previous: 'active' }]);
    watch.stop();
  });

  it('with BroadcastChannel but no storage, still decides: the other tabs hear it over the channel', async () => {
    blockStorage();
    const signOut = vi.fn();
    const watch = watchIdleIn(custom(signOut), browserIdleEnvironment());
    await flush();
    expect(watch.state).toBe('active');
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(signOut).toHaveBeenCalledWith({ decidedHere: true }));
  });
});

describe('watchIdle', () => {
  it('at the timeout signs the user out through the app\'s monitor (reason idle) and the UserManager', async () => {
    const userManager = fakeUserManager();
    const monitor = { signOutFrom: vi.fn(), stop: vi.fn() } as unknown as MonitorController;
    registerMonitor(ISSUER, 'app', monitor);
    try {
      const watch = watchIdle({ userManager: userManager as never, timeout: 10_000, warning: 2000 });
      await flush();
      const warnings: unknown[] = [];
      watch.on('warning', (w) => warnings.push(w));
      await vi.advanceTimersByTimeAsync(8000);
      expect(warnings).toEqual([{ remainingMs: 2000, deadline: Date.now() + 2000 }]);
      expect(userManager.removeUser).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(2000);
      await flush();
      expect(watch.state).toBe('timedOut');
      expect(monitor.signOutFrom).toHaveBeenCalledWith('idle');
      expect(userManager.removeUser).toHaveBeenCalledTimes(1);
      expect(JSON.parse(localStorage.getItem(appKey('idle', ISSUER, 'app', 'alice'))!)).toMatchObject({ out: true });
    } finally {
      unregisterMonitor(ISSUER, 'app', monitor);
    }
  });

  it('counts pointer and key events on the page, and the page becoming visible, as activity', async () => {
    const watch = watchIdle({ userManager: fakeUserManager() as never, timeout: 10_000, warning: 2000 });
    await flush();
    await vi.advanceTimersByTimeAsync(9000);
    expect(watch.state).toBe('warning');
    window.dispatchEvent(new Event('keydown'));
    expect(watch.state).toBe('active');
    expect(watch.remainingMs()).toBe(10_000);
    await vi.advanceTimersByTimeAsync(9000);
    window.dispatchEvent(new Event('pointermove'));
    expect(watch.state).toBe('active');
    await vi.advanceTimersByTimeAsync(9000);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(watch.state).toBe('active');
    watch.stop();
  });

  it('stops listening when stopped: later events change nothing', async () => {
    const userManager = fakeUserManager();
    const watch = watchIdle({ userManager: userManager as never, timeout: 10_000 });
    watch.stop();
    window.dispatchEvent(new Event('keydown'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(watch.state).toBe('stopped');
    expect(vi.getTimerCount()).toBe(0);
    expect(userManager.removeUser).not.toHaveBeenCalled();
  });

  it('a second watch for the same app replaces the first', async () => {
    const first = watchIdle({ userManager: fakeUserManager() as never, timeout: 10_000 });
    const second = watchIdle({ userManager: fakeUserManager() as never, timeout: 10_000 });
    await flush();
    expect(first.state).toBe('stopped');
    expect(second.state).toBe('active');
    second.stop();
  });

  it('with signOut, calls the app\'s sign-out with decidedHere', async () => {
    const signOut = vi.fn();
    watchIdle({ issuer: ISSUER, client_id: 'other', sub: 'alice', signOut, timeout: 10_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    await flush();
    expect(signOut).toHaveBeenCalledWith({ decidedHere: true });
  });
});

describe('an idle sign-out and the other tabs\' monitors', () => {
  it('is not a sign-out other tabs follow as other-tab: each tab\'s own idle watch signs its user out', () => {
    expect(parseTabMessage({ type: 'signedOut', reason: 'idle', sub: 'alice' })).toBeUndefined();
  });
});

describe('watchIdleIn (a given environment) options', () => {
  it.each([undefined, null])('given %j instead of options, says the options object is missing', (options) => {
    expect(() => watchIdleIn(options as never, browserIdleEnvironment())).toThrow(new TypeError('watchIdle needs an options object.'));
  });
});

describe("watchIdle and the UserManager's user and events", () => {
  type Listener = (user: unknown) => void;
  /** A UserManager whose stored user the test sets, with the events a UserManager has (or some of them missing). */
  function managerWithEvents(stored: unknown = { id_token: 'h.p.s', profile: { sub: 'alice' } }, events: Array<'loaded' | 'unloaded'> = ['loaded', 'unloaded']) {
    const listeners: { loaded: Listener[]; unloaded: Listener[] } = { loaded: [], unloaded: [] };
    const removed = { loaded: vi.fn(), unloaded: vi.fn() };
    const manager = {
      settings: { authority: `${ISSUER}/`, client_id: 'app' },
      stored,
      getUser: vi.fn(async () => manager.stored),
      signinSilent: vi.fn(),
      removeUser: vi.fn(async () => {
        manager.stored = null;
      }),
      events: {
        ...(events.includes('loaded') ? { addUserLoaded: (f: Listener) => (listeners.loaded.push(f), removed.loaded) } : {}),
        ...(events.includes('unloaded') ? { addUserUnloaded: (f: Listener) => (listeners.unloaded.push(f), removed.unloaded) } : {}),
      },
    };
    return { manager, listeners, removed };
  }

  it('a stored user without a profile counts as nobody signed in, without an error', async () => {
    const { manager } = managerWithEvents({ id_token: 'h.p.s' });
    const watch = watchIdle({ userManager: manager as never, timeout: 10_000 });
    await flush();
    expect(watch.state).toBe('inactive');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(manager.removeUser).not.toHaveBeenCalled();
    watch.stop();
  });

  it('a user loaded without a profile ends the period of the user signed in before, without an error', async () => {
    const { manager, listeners } = managerWithEvents();
    const watch = watchIdle({ userManager: manager as never, timeout: 10_000 });
    await vi.waitFor(() => expect(watch.state).toBe('active'));
    expect(() => listeners.loaded.forEach((listener) => listener({ id_token: 'h.p.s' }))).not.toThrow();
    expect(watch.state).toBe('inactive');
    watch.stop();
  });

  it.each([[[]], [['loaded']], [['unloaded']]] as Array<[Array<'loaded' | 'unloaded'>]>)(
    'works with a UserManager whose events have only %j of addUserLoaded/addUserUnloaded',
    async (events) => {
      const { manager } = managerWithEvents(undefined, events);
      const watch = watchIdle({ userManager: manager as never, timeout: 10_000 });
      await vi.waitFor(() => expect(watch.state).toBe('active'));
      watch.stop();
    },
  );

  it('stop() removes the listeners it added to the UserManager events', async () => {
    const { manager, removed } = managerWithEvents();
    const watch = watchIdle({ userManager: manager as never, timeout: 10_000 });
    await flush();
    expect(removed.loaded).not.toHaveBeenCalled();
    watch.stop();
    expect(removed.loaded).toHaveBeenCalledTimes(1);
    expect(removed.unloaded).toHaveBeenCalledTimes(1);
  });

  it('a sign-in heard before the stored user was read is not undone by that older read', async () => {
    const { manager, listeners } = managerWithEvents();
    let read!: (user: unknown) => void;
    manager.getUser.mockImplementationOnce(() => new Promise((resolve) => (read = resolve)));
    const watch = watchIdle({ userManager: manager as never, timeout: 10_000 });
    expect(watch.state).toBe('inactive');
    for (const listener of listeners.loaded) listener({ profile: { sub: 'alice' } });
    expect(watch.state).toBe('active');
    read(null);
    await flush();
    expect(watch.state).toBe('active');
    watch.stop();
  });

  it('extend() before anyone is known to be signed in does nothing', () => {
    const { manager } = managerWithEvents();
    manager.getUser.mockImplementationOnce(() => new Promise(() => {}));
    const watch = watchIdle({ userManager: manager as never, timeout: 10_000 });
    expect(() => watch.extend()).not.toThrow();
    expect(watch.state).toBe('inactive');
    watch.stop();
  });

  it.each([
    ['holds nobody any more', async () => null],
    ['cannot be read', async () => Promise.reject(new Error('storage gone'))],
  ])('at the timeout, when the UserManager %s, removes nobody and reports no error', async (_what, getUser) => {
    const { manager } = managerWithEvents();
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.error);
    const onUncaught = (error: unknown) => errors.push(error);
    const { process } = globalThis as unknown as { process: { on(e: string, f: typeof onUncaught): void; off(e: string, f: typeof onUncaught): void } };
    window.addEventListener('error', onError);
    process.on('uncaughtException', onUncaught);
    const watch = watchIdle({ userManager: manager as never, timeout: 10_000 });
    await vi.waitFor(() => expect(watch.state).toBe('active'));
    manager.getUser.mockImplementation(getUser);
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(watch.state).toBe('timedOut'));
    await flush();
    await flush();
    window.removeEventListener('error', onError);
    process.off('uncaughtException', onUncaught);
    expect(manager.removeUser).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
  });
});

describe("watchIdle and the app's own sign-out failing", () => {
  it("reports the error of a failed signOut as uncaught, where the app's error reporting sees it", async () => {
    const failure = new Error('sign-out failed');
    const uncaught: unknown[] = [];
    // Stands in for the page's global error reporting: what a queued microtask throws is collected here.
    const queue = globalThis.queueMicrotask.bind(globalThis);
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) =>
      queue(() => {
        try {
          task();
        } catch (error) {
          uncaught.push(error);
        }
      }),
    );
    const watch = watchIdle({ issuer: ISSUER, client_id: 'app', sub: 'alice', timeout: 10_000, signOut: async () => Promise.reject(failure) });
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(watch.state).toBe('timedOut'));
    await vi.waitFor(() => expect(uncaught).toEqual([failure]));
  });
});

describe('watchIdle with signOut, started again for the same user and session', () => {
  it('joins the idle period already running (a reload is not activity)', async () => {
    const options = { issuer: ISSUER, client_id: 'app', sub: 'alice', session: 'sid-1', signOut: () => {}, timeout: 10_000, warning: 2000 };
    const first = watchIdle(options);
    await flush();
    await vi.advanceTimersByTimeAsync(6000);
    first.stop();
    const again = watchIdle(options);
    await flush();
    expect(again.state).toBe('active');
    expect(again.remainingMs()).toBe(4000);
    again.stop();
  });
});
