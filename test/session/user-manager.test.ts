import { afterEach, describe, expect, it, vi } from 'vitest';
import type { INavigator, UserManager } from 'oidc-client-ts';
import { userManagerSource } from '../../src/session/user-manager.js';

interface FakeUser {
  profile: { sub: string };
  session_state: string | null;
  id_token?: string;
}

const METADATA = { issuer: 'https://op.example', authorization_endpoint: 'https://op.example/authorize' };

function fakeManagerClass(behaviour: { signinSilent: (args: unknown, manager: { iframeNavigator?: INavigator }) => Promise<FakeUser | null> }, allowInsecureHttp?: boolean) {
  const instances: FakeManager[] = [];
  class FakeManager {
    settings: Record<string, unknown>;
    stored: FakeUser | null = { profile: { sub: 'alice' }, session_state: 'old', id_token: 'id-old' };
    events = { load: vi.fn(async () => {}) };
    metadataService = {
      getCheckSessionIframe: vi.fn(async () => 'https://op.example/check_session'),
      getEndSessionEndpoint: vi.fn(async () => 'https://op.example/logout'),
      getMetadata: vi.fn(async () => METADATA),
    };
    signinSilent = vi.fn((args: unknown) => behaviour.signinSilent(args, this));
    storeUser = vi.fn(async (user: FakeUser | null) => {
      this.stored = user;
    });
    removeUser = vi.fn(async () => {
      this.stored = null;
    });
    iframeNavigator?: INavigator;
    constructor(settings: Record<string, unknown>, _redirect?: unknown, _popup?: unknown, iframeNavigator?: INavigator) {
      this.settings = settings;
      if (iframeNavigator) this.iframeNavigator = iframeNavigator;
      instances.push(this);
    }
    async getUser() {
      return this.stored;
    }
  }
  const app = new FakeManager({
    authority: 'https://op.example/',
    client_id: 'spa',
    post_logout_redirect_uri: 'https://app.example/bye',
    validateSubOnSilentRenew: true,
    automaticSilentRenew: true,
    userStore: { shared: true },
    stateStore: { shared: true },
  });
  return { app, instances, source: userManagerSource(app as unknown as UserManager, allowInsecureHttp) };
}

const context = { session_state: 'old', sub: 'alice', id_token: 'id-old', signal: new AbortController().signal };

afterEach(() => {
  document.body.innerHTML = '';
});

describe('oidc-client-ts session source', () => {
  it('reads the session_state of the latest authentication response, the sub and the ID token', async () => {
    const { source } = fakeManagerClass({ signinSilent: async () => null });
    expect(await source.getSession()).toEqual({ session_state: 'old', sub: 'alice', id_token: 'id-old' });
    expect(await source.resolveCheckSessionIframe()).toBe('https://op.example/check_session');
    expect(await source.resolveEndSessionEndpoint()).toBe('https://op.example/logout');
    expect(source).toMatchObject({ issuer: 'https://op.example', clientId: 'spa', postLogoutRedirectUri: 'https://app.example/bye' });
  });

  it('re-checks in an iframe (never with a refresh token) on a second manager with stores of its own and the app manager\'s metadata', async () => {
    const { app, instances, source } = fakeManagerClass({ signinSilent: async () => ({ profile: { sub: 'alice' }, session_state: 'new', id_token: 'id-new' }) });
    await source.recheck(context);
    const recheckManager = instances[1]!;
    expect(recheckManager.signinSilent).toHaveBeenCalledWith({ forceIframeAuth: true, id_token_hint: 'id-old' });
    expect(app.signinSilent).not.toHaveBeenCalled();
    expect(recheckManager.settings).toMatchObject({ validateSubOnSilentRenew: false, automaticSilentRenew: false, client_id: 'spa', metadata: METADATA });
    // Its stores are its own: nothing it writes reaches the app's store.
    expect(recheckManager.settings.userStore).not.toEqual({ shared: true });
    expect(recheckManager.settings.stateStore).not.toEqual({ shared: true });
    await source.recheck(context);
    expect(instances).toHaveLength(2);
    expect(app.metadataService.getMetadata).toHaveBeenCalledTimes(1);
  });

  it("sends the re-check's request in the SDK's own iframe: ready before it is needed, gone when the re-check is cancelled or monitoring ends", async () => {
    const { instances, source } = fakeManagerClass({
      // As oidc-client-ts's signinSilent does: prepare the navigator's window, then navigate it to the request.
      signinSilent: async (_args, manager) => {
        const handle = await manager.iframeNavigator!.prepare({});
        await handle.navigate({ url: 'https://op.example/authorize?state=S', state: 'S' });
        return null;
      },
    });
    await source.resolveCheckSessionIframe();
    await vi.waitFor(() => expect(document.querySelectorAll('iframe')).toHaveLength(1));
    expect(instances[1]!.iframeNavigator).toBeDefined();
    const abort = new AbortController();
    const pending = source.recheck({ ...context, signal: abort.signal });
    await vi.waitFor(() => expect(instances[1]!.signinSilent).toHaveBeenCalled());
    await Promise.resolve();
    abort.abort();
    await expect(pending).rejects.toThrow(/cancelled/);
    await vi.waitFor(() => expect(document.querySelectorAll('iframe')).toHaveLength(0));
    source.dispose!();
    await source.resolveCheckSessionIframe();
    // A fixed wait that only shows that nothing happens: no iframe is made ready after dispose().
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(document.querySelectorAll('iframe')).toHaveLength(0);
  });

  it.each([
    [false, /invalid_metadata/],
    [true, /cancelled/],
  ])('sends the request to an http: authorization endpoint on a public host only with allowInsecureHttp (%s)', async (allowInsecureHttp, outcome) => {
    const { instances, source } = fakeManagerClass(
      {
        signinSilent: async (_args, manager) => {
          const handle = await manager.iframeNavigator!.prepare({});
          await handle.navigate({ url: 'http://op.lan/authorize?id_token_hint=id-old&state=S', state: 'S' });
          return null;
        },
      },
      allowInsecureHttp,
    );
    const abort = new AbortController();
    const pending = source.recheck({ ...context, signal: abort.signal }).catch((error: Error) => error);
    await vi.waitFor(() => expect(instances[1]?.signinSilent).toHaveBeenCalled());
    // Sent: the request's iframe is there, until the monitor gives up.
    if (allowInsecureHttp) await vi.waitFor(() => expect(document.querySelectorAll('iframe')).toHaveLength(1));
    abort.abort();
    expect(((await pending) as Error).message).toMatch(outcome);
  });

  it('stores nothing in the app\'s store until the monitor accepts the result', async () => {
    const fresh = { profile: { sub: 'alice' }, session_state: 'new', id_token: 'id-new' };
    const { app, source } = fakeManagerClass({ signinSilent: async () => fresh });
    const result = await source.recheck(context);
    expect(result).toEqual({ kind: 'authenticated', sub: 'alice', session_state: 'new', id_token: 'id-new' });
    expect(app.storeUser).not.toHaveBeenCalled();
    expect(app.events.load).not.toHaveBeenCalled();
    expect(app.stored?.session_state).toBe('old');
    await source.accept!(result as Extract<typeof result, { kind: 'authenticated' }>, 'alice');
    expect(app.storeUser).toHaveBeenCalledWith(fresh);
    expect(app.events.load).toHaveBeenCalledWith(fresh);
    expect(app.stored).toBe(fresh);
  });

  it('another user: returns their sub and leaves the app\'s store alone', async () => {
    const { app, source } = fakeManagerClass({ signinSilent: async () => ({ profile: { sub: 'bob' }, session_state: 'x' }) });
    expect(await source.recheck(context)).toMatchObject({ kind: 'authenticated', sub: 'bob' });
    expect(app.storeUser).not.toHaveBeenCalled();
    expect(app.events.load).not.toHaveBeenCalled();
    expect(app.stored?.profile.sub).toBe('alice');
  });

  it('accept ignores results it did not produce', async () => {
    const { app, source } = fakeManagerClass({ signinSilent: async () => null });
    await source.accept!({ kind: 'authenticated', sub: 'mallory', session_state: 's' }, 'alice');
    expect(app.storeUser).not.toHaveBeenCalled();
  });

  it.each(['login_required', 'interaction_required', 'consent_required', 'account_selection_required'])('maps the OP error %s to signedOut', async (error) => {
    const { source } = fakeManagerClass({
      signinSilent: async () => {
        throw Object.assign(new Error(error), { name: 'ErrorResponse', error, session_state: 'anon.salt' });
      },
    });
    expect(await source.recheck(context)).toEqual({ kind: 'signedOut', error, session_state: 'anon.salt' });
  });

  it.each([
    ['a timeout', Object.assign(new Error('IFrame timed out without a response'), { name: 'ErrorTimeout' })],
    ['a network failure', new TypeError('Failed to fetch')],
    ['an OP failure', Object.assign(new Error('server_error'), { name: 'ErrorResponse', error: 'server_error' })],
    ['temporarily_unavailable', Object.assign(new Error('x'), { error: 'temporarily_unavailable' })],
  ])('lets %s through as a failure (unknown, not signed out)', async (_name, thrown) => {
    const { source } = fakeManagerClass({
      signinSilent: async () => {
        throw thrown;
      },
    });
    await expect(source.recheck(context)).rejects.toBe(thrown);
  });

  it('a failed metadata load is retried on the next re-check', async () => {
    const { app, source } = fakeManagerClass({ signinSilent: async () => ({ profile: { sub: 'alice' }, session_state: 'n' }) });
    app.metadataService.getMetadata.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(source.recheck(context)).rejects.toThrow('Failed to fetch');
    await expect(source.recheck(context)).resolves.toMatchObject({ kind: 'authenticated' });
  });

  it('with a store shared by tabs, never removes or overwrites a user another tab signed in meanwhile', async () => {
    const fresh = { profile: { sub: 'alice' }, session_state: 'new', id_token: 'id-new' };
    const { app, source } = fakeManagerClass({ signinSilent: async () => fresh });
    const result = await source.recheck(context);
    app.stored = { profile: { sub: 'bob' }, session_state: 'bob-1', id_token: 'id-bob' };
    await source.accept!(result as Extract<typeof result, { kind: 'authenticated' }>, 'alice');
    await source.removeUser('alice');
    expect(app.storeUser).not.toHaveBeenCalled();
    expect(app.removeUser).not.toHaveBeenCalled();
    expect(app.stored.profile.sub).toBe('bob');
  });

  it('stops waiting for signinSilent when the monitor aborts the re-check', async () => {
    const { source } = fakeManagerClass({ signinSilent: () => new Promise(() => {}) });
    const abort = new AbortController();
    const pending = source.recheck({ ...context, signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toThrow('cancelled');
  });

  it('removes the local user through removeUser', async () => {
    const { app, source } = fakeManagerClass({ signinSilent: async () => null });
    await source.removeUser();
    expect(app.removeUser).toHaveBeenCalled();
  });
});

describe("a real UserManager's renewal, as the SDK coordinates it", () => {
  /** An in-memory user store, shared like localStorage would be by every manager given it. */
  function memoryStore() {
    const entries = new Map<string, string>();
    return {
      entries,
      set: async (key: string, value: string) => void entries.set(key, value),
      get: async (key: string) => entries.get(key) ?? null,
      remove: async (key: string) => {
        const value = entries.get(key) ?? null;
        entries.delete(key);
        return value;
      },
      getAllKeys: async () => [...entries.keys()],
    };
  }

  async function managers() {
    const { UserManager, User } = await import('oidc-client-ts');
    const userStore = memoryStore();
    const settings = {
      authority: 'https://op.example',
      client_id: 'spa',
      redirect_uri: 'https://app.example/callback',
      silent_redirect_uri: 'https://app.example/silent',
      metadata: METADATA,
      userStore,
    };
    const user = (accessToken: string) =>
      new User({ access_token: accessToken, token_type: 'Bearer', profile: { sub: 'alice', iss: 'https://op.example', aud: 'spa', exp: 0, iat: 0 }, expires_at: Math.floor(Date.now() / 1000) + 3600, session_state: 's' });
    const tab = new UserManager(settings);
    const other = new UserManager(settings);
    return { tab, other, user, userStore };
  }

  it('reads what the shared store holds, and adopt() makes the app hear of it (userLoaded)', async () => {
    const { tab, other, user } = await managers();
    const renewal = userManagerSource(tab).renewal!;
    await other.storeUser(user('at-1'));
    expect(await renewal.read()).toMatchObject({ sub: 'alice', accessToken: 'at-1' });
    const loaded = vi.fn();
    tab.events.addUserLoaded(loaded);
    await renewal.adopt();
    expect(loaded).toHaveBeenCalledWith(expect.objectContaining({ access_token: 'at-1' }));
  });

  it('tells the coordinator of every user the app loads, and takes the expiring event over', async () => {
    const { tab, user } = await managers();
    const renewal = userManagerSource(tab).renewal!;
    const seen = vi.fn();
    const stop = renewal.onLoaded(seen);
    await tab.events.load(user('at-2'));
    expect(seen).toHaveBeenCalledWith(expect.objectContaining({ accessToken: 'at-2' }));
    stop();
    const onExpiring = vi.fn();
    const giveBack = renewal.takeOver(onExpiring)!;
    // The client's own expiring event now calls the SDK's renewal (oidc-client-ts raises it from its timer).
    await (tab.events as unknown as { _expiringTimer: { raise(): Promise<void> } })._expiringTimer.raise();
    expect(onExpiring).toHaveBeenCalledTimes(1);
    // Given back, the client's own silent renewal answers its timer again (stubbed: a real one would wait for an iframe).
    const ownRenewal = vi.spyOn(tab, 'signinSilent').mockResolvedValue(null);
    giveBack();
    await (tab.events as unknown as { _expiringTimer: { raise(): Promise<void> } })._expiringTimer.raise();
    expect(onExpiring).toHaveBeenCalledTimes(1);
    expect(ownRenewal).toHaveBeenCalledTimes(1);
  });

  it('renews nothing when the UserManager does not renew by itself (automaticSilentRenew: false)', async () => {
    const { UserManager } = await import('oidc-client-ts');
    const manual = new UserManager({ authority: 'https://op.example', client_id: 'spa', redirect_uri: 'https://app.example/cb', automaticSilentRenew: false, metadata: METADATA });
    expect(userManagerSource(manual).renewal!.takeOver(() => undefined)).toBeUndefined();
  });
});
