import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchIdle } from '../../src/idle/watch-idle.js';
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
    [{ userManager, timeout: 1000, timout: 5 }, /^watchIdle: unknown option timout; the options are /],
    [{ userManager: {}, timeout: 1000 }, /^userManager must be an oidc-client-ts UserManager\.$/],
    [{ userManager, timeout: 1000, logout: 'yes' }, /^logout must be true, false, or the options of logout\(\)/],
    [{ userManager, timeout: 1000, signOut: () => {} }, /^Give userManager, or issuer, client_id, sub and signOut — not both\.$/],
    [{ userManager, timeout: 1000, sub: 'alice' }, /^Give userManager, or issuer, client_id, sub and signOut — not both\.$/],
    [{ timeout: 1000, client_id: 'app', sub: 'alice', signOut: () => {} }, /^watchIdle needs userManager, or issuer, client_id, sub and signOut: issuer must be/],
    [{ timeout: 1000, issuer: ISSUER, sub: 'alice', signOut: () => {} }, /^client_id must be a non-empty string\.$/],
    [{ timeout: 1000, issuer: ISSUER, client_id: 'app', signOut: () => {} }, /^sub must be the signed-in user's sub/],
    [{ timeout: 1000, issuer: ISSUER, client_id: 'app', sub: 'alice', session: 1, signOut: () => {} }, /^session must be a string/],
    [{ timeout: 1000, issuer: ISSUER, client_id: 'app', sub: 'alice' }, /^signOut must be a function/],
    [{ timeout: 1000, issuer: ISSUER, client_id: 'app', sub: 'alice', signOut: () => {}, logout: true }, /^logout needs userManager/],
  ])('rejects %j with a TypeError naming the option', (options, message) => {
    expect(() => watchIdle(options as never)).toThrow(TypeError);
    expect(() => watchIdle(options as never)).toThrow(message);
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
