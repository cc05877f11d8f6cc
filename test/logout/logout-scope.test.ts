import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserManager } from 'oidc-client-ts';
import { ErrorCode } from '../../src/errors.js';
import { handleLogoutCallback } from '../../src/logout/handle-logout-callback.js';
import { handleFrontChannelLogout, logout } from '../../src/logout/public.js';
import type { MonitorController } from '../../src/monitor/monitor.js';
import { registerMonitor, unregisterMonitor } from '../../src/monitor/registry.js';

function fakeMonitor() {
  return { suspend: vi.fn(), resume: vi.fn(), signOutFrom: vi.fn(), stop: vi.fn() };
}

const registered: Array<[string, string, ReturnType<typeof fakeMonitor>]> = [];
function register(issuer: string, clientId: string) {
  const monitor = fakeMonitor();
  registerMonitor(issuer, clientId, monitor as unknown as MonitorController);
  registered.push([issuer, clientId, monitor]);
  return monitor;
}

afterEach(() => {
  for (const [issuer, clientId, monitor] of registered.splice(0)) unregisterMonitor(issuer, clientId, monitor as unknown as MonitorController);
  vi.unstubAllGlobals();
});

function fakeUserManager(options: { removeFails?: boolean; endSession?: string | undefined } = {}) {
  let user: object | null = { profile: { sub: 'alice' }, session_state: 's', id_token: 'h.e30.s' };
  return {
    settings: { authority: 'https://op.example', client_id: 'one' },
    metadataService: { getEndSessionEndpoint: async () => options.endSession },
    getUser: async () => user,
    signinSilent: async () => null,
    removeUser: async () => {
      if (options.removeFails) throw new Error('store locked');
      user = null;
    },
  } as unknown as UserManager;
}

/** Calls `start` and returns its promise, failing the test if it throws instead of rejecting. */
function promiseOf<T>(start: () => Promise<T>): Promise<T> {
  let promise: Promise<T> | undefined;
  expect(() => {
    promise = start();
  }).not.toThrow();
  return promise!;
}

describe('option errors', () => {
  it('logout, handleLogoutCallback and handleFrontChannelLogout reject option names they do not know', async () => {
    await expect(promiseOf(() => logout({ userManager: fakeUserManager(), post_logout_redirect: 'https://x' } as never))).rejects.toThrow(/^logout: unknown option post_logout_redirect;/);
    await expect(promiseOf(() => handleLogoutCallback({ clean: false } as never))).rejects.toThrow(/^handleLogoutCallback: unknown option clean;/);
    await expect(promiseOf(() => handleFrontChannelLogout({ userManager: fakeUserManager(), requiresession: false } as never))).rejects.toThrow(/unknown option requiresession/);
    // Mixing shapes does not compile; an option of the other shape left undefined is fine.
    // @ts-expect-error a UserManager logout takes no client_id
    await expect(promiseOf(() => logout({ userManager: fakeUserManager(), client_id: 'x' }))).rejects.toThrow(/unknown option client_id/);
    await expect(logout({ userManager: fakeUserManager(), issuer: undefined })).rejects.toMatchObject({ code: ErrorCode.NoEndSessionEndpoint });
  });

  it.each([
    ['logout()', () => logout(null as never)],
    ['logout() with no UserManager', () => logout({ userManager: {} as UserManager })],
    ['logout() with a bad end_session_endpoint', () => logout({ client_id: 'one', end_session_endpoint: 'javascript:alert(1)' })],
    ['handleLogoutCallback()', () => handleLogoutCallback(null as never)],
    ['handleFrontChannelLogout()', () => handleFrontChannelLogout(null as never)],
  ])('%s rejects with the TypeError and never throws: logout(...).catch() sees it', async (_entry, start) => {
    await expect(promiseOf<unknown>(start)).rejects.toThrow(TypeError);
  });
});

describe('logout() and the monitors of the page', () => {
  it('suspends only the monitor of the app it logs out of', async () => {
    const one = register('https://op.example', 'one');
    const two = register('https://op.example', 'two');
    const other = register('https://other.example', 'one');
    await expect(logout({ userManager: fakeUserManager() })).rejects.toMatchObject({ code: ErrorCode.NoEndSessionEndpoint });
    expect(one.suspend).toHaveBeenCalledTimes(1);
    expect(two.suspend).not.toHaveBeenCalled();
    expect(other.suspend).not.toHaveBeenCalled();
  });

  it('a logout that fails after removing the user ends the monitor as signedOut (logout), not paused', async () => {
    const one = register('https://op.example', 'one');
    await expect(logout({ userManager: fakeUserManager() })).rejects.toMatchObject({ code: ErrorCode.NoEndSessionEndpoint });
    expect(one.signOutFrom).toHaveBeenCalledWith('logout');
    expect(one.resume).not.toHaveBeenCalled();
  });

  it('a logout that fails while the user is still there resumes monitoring', async () => {
    const one = register('https://op.example', 'one');
    await expect(logout({ userManager: fakeUserManager({ removeFails: true }) })).rejects.toMatchObject({ code: ErrorCode.NoEndSessionEndpoint });
    expect(one.resume).toHaveBeenCalledTimes(1);
    expect(one.signOutFrom).not.toHaveBeenCalled();
  });

  it('a discovery failure in the custom form ends that app\'s monitor as signedOut', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const one = register('https://op.example', 'one');
    await expect(logout({ issuer: 'https://op.example', client_id: 'one', id_token: 'h.e30.s' })).rejects.toMatchObject({ code: ErrorCode.DiscoveryFailed });
    expect(one.suspend).toHaveBeenCalledTimes(1);
    expect(one.signOutFrom).toHaveBeenCalledWith('logout');
  });

  it('finds a monitor that knows its OP by origin (started with check_session_iframe) from the full issuer', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const byOrigin = register('https://kc.example', 'one');
    await expect(logout({ issuer: 'https://kc.example/realms/x', client_id: 'one', id_token: 'h.e30.s' })).rejects.toMatchObject({ code: ErrorCode.DiscoveryFailed });
    expect(byOrigin.suspend).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['without metadataSeed: no_end_session_endpoint', undefined],
    ["with metadataSeed (the README's fix): the RP-initiated logout goes there", 'https://op.example/logout'],
  ])('an OP whose discovery lacks end_session_endpoint, signed in with a real UserManager, %s', async (_name, seeded) => {
    const { UserManager, User, InMemoryWebStorage, WebStorageStateStore } = await import('oidc-client-ts');
    const discovery = { issuer: 'https://op.example', authorization_endpoint: 'https://op.example/auth', token_endpoint: 'https://op.example/token' };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(discovery), { headers: { 'content-type': 'application/json' } })));
    const userManager = new UserManager({
      authority: 'https://op.example',
      client_id: 'one',
      redirect_uri: 'https://app.example/callback',
      userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
      ...(seeded ? { metadataSeed: { end_session_endpoint: seeded } } : {}),
    });
    await userManager.storeUser(new User({ id_token: 'h.e30.s', access_token: 'at', token_type: 'Bearer', session_state: 's', profile: { sub: 'alice' } as never }));
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    if (!seeded) {
      await expect(logout({ userManager })).rejects.toMatchObject({ code: ErrorCode.NoEndSessionEndpoint });
      expect(assign).not.toHaveBeenCalled();
      return;
    }
    await logout({ userManager });
    const url = new URL(String(assign.mock.calls[0]![0]));
    expect(`${url.origin}${url.pathname}`).toBe(seeded);
    expect(url.searchParams.get('id_token_hint')).toBe('h.e30.s');
    expect(url.searchParams.get('client_id')).toBe('one');
  });

  it('an end_session_endpoint that is not https gets no ID token and leaves the monitor signed out', async () => {
    const one = register('https://op.example', 'one');
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    await expect(logout({ userManager: fakeUserManager({ endSession: 'http://op.example/logout' }) })).rejects.toMatchObject({ code: ErrorCode.InvalidMetadata });
    expect(assign).not.toHaveBeenCalled();
    expect(one.signOutFrom).toHaveBeenCalledWith('logout');
  });
});

describe('handleFrontChannelLogout with a per-tab user store', () => {
  it('says it forwarded the request to the app\'s tabs when this page holds no session of its own', async () => {
    const { handleFrontChannelLogout } = await import('../../src/index.js');
    const heard: unknown[] = [];
    const tabs = new BroadcastChannel('oidc-session-monitor:tabs:https%3A%2F%2Fop.example:one');
    tabs.onmessage = (event) => heard.push(event.data);
    const result = await handleFrontChannelLogout({
      issuer: 'https://op.example',
      client_id: 'one',
      getUser: async () => null,
      removeUser: async () => {},
      url: 'https://app.example/fc?iss=https%3A%2F%2Fop.example&sid=S1',
    });
    await vi.waitFor(() => expect(heard).toHaveLength(1));
    tabs.close();
    expect(result).toEqual({ signedOut: true, alreadySignedOut: true, forwardedToTabs: true, partitioned: false });
    expect(heard).toEqual([{ type: 'frontChannelLogout', iss: 'https://op.example', sid: 'S1' }]);
  });

  it('forwards nothing, and says so, for a request without iss and sid', async () => {
    const { handleFrontChannelLogout } = await import('../../src/index.js');
    const result = await handleFrontChannelLogout({
      issuer: 'https://op.example',
      client_id: 'one',
      getUser: async () => null,
      removeUser: async () => {},
      url: 'https://app.example/fc',
      requireSession: false,
    });
    expect(result).toEqual({ signedOut: true, alreadySignedOut: true, partitioned: false });
  });
});
