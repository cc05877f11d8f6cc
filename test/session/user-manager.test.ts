import { describe, expect, it, vi } from 'vitest';
import type { UserManager } from 'oidc-client-ts';
import { userManagerSession } from '../../src/recheck/user-manager.js';

interface FakeUser {
  profile: { sub: string };
  session_state: string | null;
  id_token?: string;
}

function fakeManagerClass(behaviour: { signinSilent: (args: unknown) => Promise<FakeUser | null> }) {
  const instances: FakeManager[] = [];
  class FakeManager {
    settings: Record<string, unknown>;
    stored: FakeUser | null = { profile: { sub: 'alice' }, session_state: 'old', id_token: 'id-old' };
    events = { load: vi.fn(async () => {}) };
    metadataService = { getCheckSessionIframe: vi.fn(async () => 'https://op.example/check_session') };
    signinSilent = vi.fn((args: unknown) => behaviour.signinSilent(args));
    removeUser = vi.fn(async () => {
      this.stored = null;
    });
    constructor(settings: Record<string, unknown>) {
      this.settings = settings;
      instances.push(this);
    }
    async getUser() {
      return this.stored;
    }
  }
  const app = new FakeManager({ authority: 'https://op.example', client_id: 'spa', validateSubOnSilentRenew: true, automaticSilentRenew: true, userStore: { shared: true } });
  return { app, instances, session: userManagerSession(app as unknown as UserManager) };
}

const context = { session_state: 'old', sub: 'alice', id_token: 'id-old', signal: new AbortController().signal };

describe('oidc-client-ts re-check adapter', () => {
  it('reads the session_state of the latest authentication response and the sub', async () => {
    const { session } = fakeManagerClass({ signinSilent: async () => null });
    expect(await session.getSession()).toEqual({ session_state: 'old', sub: 'alice', id_token: 'id-old' });
    expect(await session.resolveCheckSessionIframe()).toBe('https://op.example/check_session');
  });

  it('re-checks in an iframe (never with a refresh token) on a second manager over the same stores', async () => {
    const { app, instances, session } = fakeManagerClass({ signinSilent: async () => ({ profile: { sub: 'alice' }, session_state: 'new', id_token: 'id-new' }) });
    await session.recheck(context);
    const recheckManager = instances[1]!;
    expect(recheckManager).toBeDefined();
    expect(recheckManager.signinSilent).toHaveBeenCalledWith({ forceIframeAuth: true });
    expect(app.signinSilent).not.toHaveBeenCalled();
    expect(recheckManager.settings).toMatchObject({
      validateSubOnSilentRenew: false,
      includeIdTokenInSilentRenew: true,
      automaticSilentRenew: false,
      userStore: { shared: true },
      client_id: 'spa',
    });
  });

  it('same user: returns the new session_state and tells the app manager about the new tokens', async () => {
    const fresh = { profile: { sub: 'alice' }, session_state: 'new', id_token: 'id-new' };
    const { app, session } = fakeManagerClass({ signinSilent: async () => fresh });
    expect(await session.recheck(context)).toEqual({ kind: 'authenticated', sub: 'alice', session_state: 'new', id_token: 'id-new' });
    expect(app.events.load).toHaveBeenCalledWith(fresh);
  });

  it('another user: returns their sub and does not announce their tokens as loaded', async () => {
    const { app, session } = fakeManagerClass({ signinSilent: async () => ({ profile: { sub: 'bob' }, session_state: 'x' }) });
    expect(await session.recheck(context)).toMatchObject({ kind: 'authenticated', sub: 'bob' });
    expect(app.events.load).not.toHaveBeenCalled();
  });

  it.each(['login_required', 'interaction_required', 'consent_required', 'account_selection_required'])('maps the OP error %s to signedOut', async (error) => {
    const { session } = fakeManagerClass({
      signinSilent: async () => {
        throw Object.assign(new Error(error), { name: 'ErrorResponse', error, session_state: 'anon.salt' });
      },
    });
    expect(await session.recheck(context)).toEqual({ kind: 'signedOut', error, session_state: 'anon.salt' });
  });

  it.each([
    ['a timeout', Object.assign(new Error('IFrame timed out without a response'), { name: 'ErrorTimeout' })],
    ['a network failure', new TypeError('Failed to fetch')],
    ['an OP failure', Object.assign(new Error('server_error'), { name: 'ErrorResponse', error: 'server_error' })],
    ['temporarily_unavailable', Object.assign(new Error('x'), { error: 'temporarily_unavailable' })],
  ])('lets %s through as a failure (unknown, not signed out)', async (_name, thrown) => {
    const { session } = fakeManagerClass({
      signinSilent: async () => {
        throw thrown;
      },
    });
    await expect(session.recheck(context)).rejects.toBe(thrown);
  });

  it('signs out locally through removeUser', async () => {
    const { app, session } = fakeManagerClass({ signinSilent: async () => null });
    await session.signOutLocally();
    expect(app.removeUser).toHaveBeenCalled();
  });
});
