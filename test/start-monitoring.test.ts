import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMonitoring, startMonitoringWithRecheck, startMonitoringWithSettings, type SessionMonitor } from '../src/index.js';
import { monitorOf } from '../src/monitor/registry.js';

const custom = {
  check_session_iframe: 'https://op.example/check_session',
  client_id: 'spa',
  session_state: 'abc.salt',
  sub: 'alice',
  recheck: async () => ({ kind: 'signedOut' as const, error: 'login_required' as const }),
};

const started: SessionMonitor[] = [];
const start = (options: Parameters<typeof startMonitoringWithRecheck>[0]) => {
  const monitor = startMonitoringWithRecheck(options);
  started.push(monitor);
  return monitor;
};

afterEach(() => {
  for (const monitor of started.splice(0)) monitor.stop();
  document.body.innerHTML = '';
});

describe('startMonitoring options', () => {
  it('throws a TypeError synchronously for a missing options object', () => {
    expect(() => startMonitoring(undefined as never)).toThrow(TypeError);
    expect(() => startMonitoringWithRecheck(undefined as never)).toThrow(TypeError);
    expect(() => startMonitoringWithSettings(null as never)).toThrow(TypeError);
  });

  it('each entry point needs its own way to reach the session, and names the entry point for another', () => {
    expect(() => startMonitoring({ client_id: 'x' } as never)).toThrow(/^startMonitoring needs userManager\.$/);
    expect(() => startMonitoring(custom as never)).toThrow(/^startMonitoring needs userManager; for recheck use startMonitoringWithRecheck\.$/);
    expect(() => startMonitoring({ authority: 'https://op.example' } as never)).toThrow(/for authority use startMonitoringWithSettings/);
    expect(() => startMonitoringWithRecheck({ userManager: {} } as never)).toThrow(/^startMonitoringWithRecheck needs recheck; for userManager use startMonitoring\.$/);
    expect(() => startMonitoringWithSettings({ ...custom } as never)).toThrow(/^startMonitoringWithSettings needs authority; for recheck use startMonitoringWithRecheck\.$/);
    expect(() => startMonitoringWithRecheck({ ...custom, authority: 'https://op.example' } as never)).toThrow(/unknown option authority/);
  });

  it.each([
    ['interval', 100],
    ['interval', Number.NaN],
    ['interval', '3000'],
    ['replyTimeout', 0],
    ['frameTimeout', 10 ** 9],
    ['maxRechecks', 0],
  ])('rejects %s = %s, naming the option', (name, value) => {
    expect(() => startMonitoringWithRecheck({ ...custom, [name]: value })).toThrow(new RegExp(`^${name} must be`));
  });

  it('rejects a misspelt or unknown option, naming it (script-tag users have no compiler to catch it)', () => {
    expect(() => startMonitoringWithRecheck({ ...custom, intervall: 3000 } as never)).toThrow(/^startMonitoringWithRecheck: unknown option intervall; the options are interval, /);
    expect(() => startMonitoringWithRecheck({ ...custom, redirect_uri: 'https://app.example/cb' } as never)).toThrow(/unknown option redirect_uri/);
  });

  it('accepts an option of another shape left undefined (as a spread of optional settings gives)', () => {
    expect(() => start({ ...custom, scope: undefined, userManager: undefined } as never)).not.toThrow();
  });

  it('rejects mixed option shapes at compile time too', () => {
    // @ts-expect-error a userManager with a recheck of its own is two ways at once
    expect(() => startMonitoring({ userManager: {} as never, recheck: custom.recheck })).toThrow(TypeError);
    // @ts-expect-error settings and a custom re-check
    expect(() => startMonitoringWithRecheck({ ...custom, authority: 'https://op.example', redirect_uri: 'x', silent_redirect_uri: 'y' })).toThrow(TypeError);
  });

  it('shows a wrong value with its type: "3000" is a string, not a number', () => {
    expect(() => startMonitoringWithRecheck({ ...custom, interval: '3000' as never })).toThrow(
      new TypeError('interval must be a number of milliseconds from 500 to 3600000; got the string "3000".'),
    );
    expect(() => startMonitoringWithRecheck({ ...custom, replyTimeout: null as never })).toThrow(/got null\.$/);
    expect(() => startMonitoringWithRecheck({ ...custom, onErrorStatus: 1 as never })).toThrow(/got 1\.$/);
    expect(() => startMonitoringWithRecheck({ ...custom, recheckTimeout: {} as never })).toThrow(/got an object\.$/);
  });

  it('rejects an unknown onErrorStatus policy', () => {
    expect(() => startMonitoringWithRecheck({ ...custom, onErrorStatus: 'logout' as never })).toThrow(/onErrorStatus must be one of backoff, stop, signOut/);
  });

  it('refuses http: on a non-loopback host unless allowed, and accepts loopback http:', () => {
    expect(() => startMonitoringWithRecheck({ ...custom, check_session_iframe: 'http://op.example/check' })).toThrow(/check_session_iframe uses http:/);
    expect(() => start({ ...custom, check_session_iframe: 'http://op.example/check', allowInsecureHttp: true })).not.toThrow();
    expect(() => start({ ...custom, check_session_iframe: 'http://localhost:4000/check' })).not.toThrow();
    expect(() => start({ ...custom, check_session_iframe: 'http://127.0.0.1:4000/check' })).not.toThrow();
  });

  it('allowInsecureHttp reaches the monitor too: the http: OP iframe it allowed is loaded, not refused as invalid metadata', async () => {
    const monitor = start({ ...custom, check_session_iframe: 'http://op.lan/check', allowInsecureHttp: true });
    const unavailable: string[] = [];
    monitor.on('unavailable', ({ reason }) => unavailable.push(reason));
    await frames(1);
    expect(document.querySelector('iframe')!.getAttribute('src')).toBe('http://op.lan/check');
    expect(unavailable).toEqual([]);
  });

  it('refuses non-http(s) and relative URLs', () => {
    expect(() => startMonitoringWithRecheck({ ...custom, check_session_iframe: 'javascript:alert(1)' })).toThrow(TypeError);
    expect(() => startMonitoringWithRecheck({ ...custom, check_session_iframe: '/check' })).toThrow(/absolute URL/);
  });

  it('needs issuer or check_session_iframe, not both', () => {
    const { check_session_iframe: _omit, ...rest } = custom;
    expect(() => startMonitoringWithRecheck(rest as never)).toThrow(/exactly one of issuer/);
    expect(() => startMonitoringWithRecheck({ ...custom, issuer: 'https://op.example' })).toThrow(/exactly one of issuer/);
  });

  it('needs a sub or an ID token with one, and a session_state without spaces', () => {
    const { sub: _omit, ...noSub } = custom;
    expect(() => startMonitoringWithRecheck(noSub as never)).toThrow(/Give id_token or sub/);
    expect(() => startMonitoringWithRecheck({ ...noSub, id_token: 'not-a-jwt' } as never)).toThrow(/id_token is not a JWT/);
    expect(() => startMonitoringWithRecheck({ ...custom, session_state: 'a b' })).toThrow(/session_state must not contain spaces/);
  });

  it('takes the sub from the ID token', () => {
    const payload = btoa(JSON.stringify({ sub: 'bob' })).replace(/=+$/, '');
    const { sub: _omit, ...noSub } = custom;
    expect(() => start({ ...noSub, id_token: `e30.${payload}.sig` } as never)).not.toThrow();
  });

  it('rejects a userManager that is not one', () => {
    expect(() => startMonitoring({ userManager: {} as never })).toThrow(/userManager must be an oidc-client-ts UserManager/);
  });
});

/** Waits until the page holds `count` iframes (each monitor makes its own once it has read the session). */
const frames = (count: number) => vi.waitFor(() => expect(document.querySelectorAll('iframe')).toHaveLength(count));

describe('startMonitoring lifecycle', () => {
  it('creates one hidden OP iframe and removes it on stop', async () => {
    const monitor = start(custom);
    await frames(1);
    monitor.stop();
    expect(document.querySelectorAll('iframe')).toHaveLength(0);
    expect(monitor.state).toBe('stopped');
  });

  it('frameUrl adjusts the iframe URL in every mode (WSO2 wants the client_id on it), under the same URL rules', async () => {
    start({ ...custom, frameUrl: (url) => `${url}?client_id=spa` });
    await frames(1);
    expect(document.querySelector('iframe')?.getAttribute('src')).toBe('https://op.example/check_session?client_id=spa');
    const unsafe = start({ ...custom, client_id: 'other', frameUrl: () => 'javascript:alert(1)' });
    const reasons: string[] = [];
    unsafe.on('unavailable', ({ reason }) => reasons.push(reason));
    await vi.waitFor(() => expect(reasons).toEqual(['invalid-metadata']));
    expect(document.querySelectorAll('iframe')).toHaveLength(1);
    expect(() => startMonitoringWithRecheck({ ...custom, frameUrl: 'https://x' as never })).toThrow(/^frameUrl must be a function/);
    const throwing = start({ ...custom, client_id: 'third', frameUrl: () => {
      throw new Error('no client id');
    } });
    const seen: Array<{ reason: string; retrying: boolean }> = [];
    throwing.on('unavailable', ({ reason, retrying }) => seen.push({ reason, retrying }));
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen).toEqual([{ reason: 'invalid-metadata', retrying: false }]);
  });

  it('starting twice for one client replaces the first monitor cleanly', async () => {
    const first = start(custom);
    await frames(1);
    const firstFrame = document.querySelector('iframe');
    const second = start(custom);
    // The first monitor's iframe goes, the second's comes.
    await vi.waitFor(() => expect([...document.querySelectorAll('iframe')].filter((frame) => frame !== firstFrame)).toHaveLength(1));
    expect(first.state).toBe('stopped');
    expect(second.state).toBe('starting');
    expect(document.querySelectorAll('iframe')).toHaveLength(1);
  });

  it('a signed-out monitor lets go of its app once the app has heard (its own handlers run first)', async () => {
    const monitor = start(custom);
    await frames(1);
    const controller = monitorOf('https://op.example', 'spa');
    expect(controller).toBeDefined();
    const registeredDuringHandler: boolean[] = [];
    monitor.on('signedOut', () => registeredDuringHandler.push(monitorOf('https://op.example', 'spa') !== undefined));
    controller!.signOutFrom('other-tab');
    await vi.waitFor(() => expect(registeredDuringHandler).toEqual([true]));
    await Promise.resolve();
    expect(monitorOf('https://op.example', 'spa')).toBeUndefined();
    // A new monitor for the app starts without touching the signed-out one.
    start(custom);
    expect(monitor.state).toBe('signedOut');
  });

  it('with a store shared by tabs, a sign-out removes the user only if the store still holds the user it was about', async () => {
    class FakeUserManager {
      stored: { profile: { sub: string }; session_state: string; id_token: string } | null = { profile: { sub: 'alice' }, session_state: 'abc.salt', id_token: 'h.e.s' };
      removed = 0;
      settings = { authority: 'https://op.example', client_id: 'shared', silent_redirect_uri: 'https://app.example/silent' };
      events = { load: async () => {} };
      metadataService = {
        getCheckSessionIframe: async () => 'https://op.example/check_session',
        getEndSessionEndpoint: async () => undefined,
        getMetadata: async () => ({ issuer: 'https://op.example' }),
      };
      async getUser() {
        return this.stored;
      }
      async signinSilent() {
        return null;
      }
      async storeUser() {}
      async removeUser() {
        this.removed += 1;
        this.stored = null;
      }
    }
    const run = async (storeNow: 'alice' | 'bob') => {
      const userManager = new FakeUserManager();
      const monitor = startMonitoring({ userManager: userManager as never });
      started.push(monitor);
      await vi.waitFor(() => expect(document.querySelector('iframe')).not.toBeNull());
      // Another tab signed bob in to the shared store meanwhile (or nobody did).
      if (storeNow === 'bob') userManager.stored = { profile: { sub: 'bob' }, session_state: 'bob.1', id_token: 'h.b.s' };
      const signedOut = new Promise((resolve) => monitor.on('signedOut', resolve));
      monitorOf('https://op.example', 'shared')!.signOutFrom('other-tab');
      expect(await signedOut).toEqual({ reason: 'other-tab', sub: 'alice' });
      document.body.innerHTML = '';
      return userManager;
    };
    expect((await run('alice')).removed).toBe(1);
    const shared = await run('bob');
    expect(shared.removed).toBe(0);
    expect(shared.stored?.profile.sub).toBe('bob');
  });

  it('a monitor of another client is left alone', async () => {
    const first = start(custom);
    const second = start({ ...custom, client_id: 'other' });
    await frames(2);
    expect(first.state).toBe('starting');
    expect(second.state).toBe('starting');
    expect(document.querySelectorAll('iframe')).toHaveLength(2);
  });
});

describe('startMonitoring with plain settings', () => {
  it('makes its own UserManager (loaded on demand) and finds check_session_iframe through discovery', async () => {
    const requested: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      requested.push(url);
      return new Response(JSON.stringify({ issuer: 'https://op.example', check_session_iframe: 'https://op.example/check', authorization_endpoint: 'https://op.example/auth' }), {
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof fetch;
    localStorage.clear();
    sessionStorage.clear();
    try {
      const { User, UserManager } = await import('oidc-client-ts');
      const settings = { authority: 'https://op.example', client_id: 'spa', redirect_uri: 'https://app.example/cb', silent_redirect_uri: 'https://app.example/silent' };
      await new UserManager(settings).storeUser(new User({ id_token: 'x.e30.y', access_token: 'at', session_state: 'ss.salt', profile: { sub: 'alice' } as never, token_type: 'Bearer' }));
      const monitor = startMonitoringWithSettings(settings);
      started.push(monitor);
      await vi.waitFor(() => expect(document.querySelector('iframe[id^="oidc-session-monitor-op-frame"]')?.getAttribute('src')).toBe('https://op.example/check'));
      expect(requested).toContain('https://op.example/.well-known/openid-configuration');
      expect(monitor.state).toBe('starting');
      // The re-check's iframe waits ready, blank, beside the OP iframe; stop() removes both.
      await vi.waitFor(() => expect(document.querySelectorAll('iframe')).toHaveLength(2));
      expect([...document.querySelectorAll('iframe')].filter((f) => !f.hasAttribute('src'))).toHaveLength(1);
      monitor.stop();
      await vi.waitFor(() => expect(document.querySelectorAll('iframe')).toHaveLength(0));
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

describe('MONITOR_EVENTS', () => {
  it('lists every event of MonitorEvents, once', async () => {
    const { MONITOR_EVENTS } = await import('../src/index.js');
    const all: Record<import('../src/index.js').MonitorEventName, true> = {
      status: true, refreshed: true, userChanged: true, signedIn: true, signedOut: true, unavailable: true, error: true, state: true,
    };
    expect([...MONITOR_EVENTS].sort()).toEqual(Object.keys(all).sort());
  });
});

describe('signing out, in the form without a UserManager', () => {
  beforeEach(() => localStorage.clear());

  it("onSignedOut removes the app's local session, with the reason, before the app hears signedOut", async () => {
    const calls: string[] = [];
    const monitor = start({ ...custom, onSignedOut: async (reason) => void calls.push(`onSignedOut:${reason}`) });
    monitor.on('signedOut', ({ reason }) => calls.push(`signedOut:${reason}`));
    await frames(1);
    monitorOf('https://op.example', 'spa')!.signOutFrom('other-tab');
    await vi.waitFor(() => expect(calls).toEqual(['onSignedOut:other-tab', 'signedOut:other-tab']));
  });

  it('an anonymous monitor goes on watching after a sign-out: still registered, still asking the OP', async () => {
    let signedIn = true;
    const recheck = vi.fn(async () => ({ kind: 'signedOut' as const, error: 'login_required' as const, session_state: 'anon.salt' }));
    const monitor = startMonitoringWithRecheck({ ...custom, anonymous: true, recheck, onSignedOut: () => void (signedIn = false) });
    started.push(monitor);
    const controller = monitorOf('https://op.example', 'spa')!;
    let signedOut = 0;
    monitor.on('signedOut', () => void (signedOut += 1));
    await frames(1);
    expect(recheck).not.toHaveBeenCalled();
    controller.signOutFrom('other-tab');
    await vi.waitFor(() => expect(signedOut).toBe(1));
    expect(signedIn).toBe(false);
    // Nobody signed in now: it learns the OP's anonymous session_state with one prompt=none, and stays the app's monitor.
    await vi.waitFor(() => expect(recheck).toHaveBeenCalledTimes(1));
    expect(monitorOf('https://op.example', 'spa')).toBe(controller);
    expect(monitor.state).not.toBe('stopped');
  });
});

describe('sameSite reaches the monitor', () => {
  // (A block found is remembered per session_state across page loads: each case starts with none.)
  beforeEach(() => localStorage.clear());

  it.each([
    ['unset: the OP on another host is another site, and its sign-out answer is not believed', {}, 'unavailable'],
    ['true: the app says the OP is its site, and the sign-out answer is believed', { sameSite: true }, 'signedOut'],
  ])('%s', async (_name, site, outcome) => {
    // Watching by re-check, the first prompt=none answers login_required: across sites, without a re-check that
    // ever authenticated the user in this page, that is what blocked third-party cookies look like.
    const monitor = start({ ...custom, mode: 'recheck', ...site });
    const seen: string[] = [];
    monitor.on('signedOut', () => seen.push('signedOut'));
    monitor.on('unavailable', ({ reason }) => seen.push(`unavailable:${reason}`));
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen).toEqual([outcome === 'signedOut' ? 'signedOut' : 'unavailable:third-party-cookies-blocked']);
  });
});

describe('token renewal hand-over (a real oidc-client-ts UserManager)', () => {
  const settings = {
    authority: 'https://op.example',
    client_id: 'spa',
    redirect_uri: 'https://app.example/callback',
    silent_redirect_uri: 'https://app.example/silent',
    // Discovery is never fetched here: the monitor finds nobody signed in.
    metadata: { issuer: 'https://op.example', authorization_endpoint: 'https://op.example/authorize', token_endpoint: 'https://op.example/token' },
  };

  /** A UserManager holding alice, whose access token is about to expire, with a refresh token the OP will refuse. */
  async function aboutToFailRenewal() {
    const { UserManager, User, InMemoryWebStorage, WebStorageStateStore } = await import('oidc-client-ts');
    const userManager = new UserManager({ ...settings, userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }) });
    await userManager.storeUser(
      new User({ access_token: 'at', refresh_token: 'rt', token_type: 'Bearer', session_state: 's', profile: { sub: 'alice', iss: 'https://op.example', aud: 'spa', exp: 0, iat: 0 }, expires_at: Math.floor(Date.now() / 1000) + 30 }),
    );
    vi.spyOn(userManager, 'signinSilent').mockRejectedValue(Object.assign(new Error('invalid_grant'), { error: 'invalid_grant' }));
    return userManager;
  }

  /** oidc-client-ts's "access token expiring" timer fires now. */
  const expiring = (userManager: import('oidc-client-ts').UserManager) => (userManager.events as unknown as { _expiringTimer: { raise(): Promise<void> } })._expiringTimer.raise();

  it('takes automaticSilentRenew over while it monitors, and gives it back on stop(); with it off, renews nothing', async () => {
    const { UserManager } = await import('oidc-client-ts');
    const userManager = new UserManager(settings);
    const stopRenew = vi.spyOn(userManager, 'stopSilentRenew');
    const startRenew = vi.spyOn(userManager, 'startSilentRenew');
    const monitor = startMonitoring({ userManager });
    expect(stopRenew).toHaveBeenCalledTimes(1);
    expect(startRenew).not.toHaveBeenCalled();
    monitor.stop();
    expect(startRenew).toHaveBeenCalledTimes(1);

    const manual = new UserManager({ ...settings, automaticSilentRenew: false });
    const stopManual = vi.spyOn(manual, 'stopSilentRenew');
    const startManual = vi.spyOn(manual, 'startSilentRenew');
    startMonitoring({ userManager: manual }).stop();
    expect(stopManual).not.toHaveBeenCalled();
    expect(startManual).not.toHaveBeenCalled();
  });

  it("renews under a Web Lock keyed like leadership (issuer, client, sub), and a failed renewal reaches the monitor's re-check", async () => {
    const names: string[] = [];
    const own = Object.getOwnPropertyDescriptor(navigator, 'locks');
    Object.defineProperty(navigator, 'locks', {
      value: { request: (name: string, _options: unknown, callback: () => Promise<void>) => (names.push(name), callback()) },
      configurable: true,
    });
    try {
      const userManager = await aboutToFailRenewal();
      const monitor = startMonitoring({ userManager });
      started.push(monitor);
      const errors: string[] = [];
      monitor.on('error', ({ error }) => errors.push(error.code));
      await expiring(userManager);
      await vi.waitFor(() => expect(errors).toContain('renewal_failed'));
      expect(new Set(names.filter((n) => n.includes(':renew:')))).toEqual(new Set(['oidc-session-monitor:renew:https%3A%2F%2Fop.example:spa:alice']));
      expect(names).toContain('oidc-session-monitor:leader:https%3A%2F%2Fop.example:spa:alice');
      // One token request for this token: the failure is followed by the re-check, not by a retry every second.
      expect(userManager.signinSilent).toHaveBeenCalledTimes(1);
    } finally {
      if (own) Object.defineProperty(navigator, 'locks', own);
      else delete (navigator as { locks?: unknown }).locks;
    }
  });

  it.each([
    ['another host, sameSite unset', {}, true],
    ['another host, sameSite: true', { sameSite: true }, false],
  ])("a failed renewal's re-check is told whether the OP is another site (%s)", async (_name, site, crossSite) => {
    // Across sites, a sign-out answer to that re-check is believed only with the polling tab's cookie evidence: the
    // app's `sameSite` must reach this decision as it reaches the OP iframe's.
    const userManager = await aboutToFailRenewal();
    const monitor = startMonitoring({ userManager, ...site });
    started.push(monitor);
    const renewalFailed = vi.spyOn(monitorOf('https://op.example', 'spa')!, 'renewalFailed');
    await expiring(userManager);
    await vi.waitFor(() => expect(renewalFailed).toHaveBeenCalledTimes(1));
    expect(renewalFailed.mock.calls[0]![1]).toBe(crossSite);
  });

  it('a monitor that replaces another one for the same UserManager keeps renewal until the last one stops', async () => {
    const { UserManager } = await import('oidc-client-ts');
    const userManager = new UserManager(settings);
    const startRenew = vi.spyOn(userManager, 'startSilentRenew');
    const first = startMonitoring({ userManager });
    const second = startMonitoring({ userManager });
    expect(first.state).toBe('stopped');
    expect(startRenew).not.toHaveBeenCalled();
    second.stop();
    expect(startRenew).toHaveBeenCalledTimes(1);
  });

  it('warns at start, with the fix, when oidc-client-ts would monitor the session beside it (monitorSession)', async () => {
    const { UserManager } = await import('oidc-client-ts');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const aboutMonitorSession = () => warn.mock.calls.filter(([text]) => /monitorSession/.test(String(text)));
      startMonitoring({ userManager: new UserManager({ ...settings, monitorSession: true }) }).stop();
      expect(aboutMonitorSession()).toEqual([[expect.stringMatching(/monitorSession is on.*Set monitorSession: false\./)]]);
      warn.mockClear();
      startMonitoring({ userManager: new UserManager(settings) }).stop();
      expect(aboutMonitorSession()).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('warns at start, with the fix, when the browser has no Web Locks to serialize renewals across tabs', async () => {
    const { UserManager } = await import('oidc-client-ts');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const own = Object.getOwnPropertyDescriptor(navigator, 'locks');
    const aboutLocks = () => warn.mock.calls.filter(([text]) => /Web Locks/.test(String(text)));
    try {
      Object.defineProperty(navigator, 'locks', { value: undefined, configurable: true });
      startMonitoring({ userManager: new UserManager(settings) }).stop();
      expect(aboutLocks()).toEqual([[expect.stringMatching(/no Web Locks.*per-tab userStore/)]]);
      warn.mockClear();
      Object.defineProperty(navigator, 'locks', { value: { request: () => new Promise(() => undefined) }, configurable: true });
      startMonitoring({ userManager: new UserManager(settings) }).stop();
      expect(aboutLocks()).toEqual([]);
    } finally {
      if (own) Object.defineProperty(navigator, 'locks', own);
      else delete (navigator as { locks?: unknown }).locks;
      warn.mockRestore();
    }
  });
});
