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
