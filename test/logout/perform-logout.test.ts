import { describe, expect, it, vi } from 'vitest';
import { base64urlEncode } from '../../src/base64url.js';
import { ErrorCode, OidcSessionMonitorError } from '../../src/errors.js';
import { MAX_GET_URL_LENGTH } from '../../src/logout/choose-logout-method.js';
import { type HandleLogoutCallbackOptions, type LogoutCallbackPorts, verifyLogoutCallback } from '../../src/logout/handle-logout-callback.js';
import { LOGOUT_STATE_STORAGE_KEY } from '../../src/logout/logout-state-store.js';
import { type PerformLogoutOptions, type PerformLogoutPorts, performLogout } from '../../src/logout/perform-logout.js';
import { FakeClock, MemoryStorage, ThrowingStorage, counterRandom, fakeIdToken, recordingChannel } from './fakes.js';

/** handleLogoutCallback over test ports (the public function always uses the browser's). */
const callback = ({ storage, clock, addressBar, ...options }: HandleLogoutCallbackOptions & Partial<LogoutCallbackPorts>) =>
  verifyLogoutCallback(options, { storage: storage!, clock: clock ?? { now: () => Date.now() }, addressBar: addressBar ?? { replaceState() {} } });


const endpoint = 'https://op.example.com/session/end';
const idToken = fakeIdToken({ iss: 'https://op.example.com', sub: 'alice', sid: 'S1' });

function harness(overrides: Partial<PerformLogoutPorts> = {}, user: { id_token?: string; sub?: string } | null = { id_token: idToken, sub: 'alice' }) {
  const log: string[] = [];
  const storage = new MemoryStorage();
  const clock = new FakeClock();
  const channel = recordingChannel(log);
  const navigated: { method: 'GET' | 'POST'; url?: string; action?: string; fields?: Record<string, string> }[] = [];
  let current = user;
  const ports: PerformLogoutPorts = {
    pauseMonitoring: () => void log.push('pauseMonitoring'),
    getUser: async () => {
      log.push('getUser');
      return current;
    },
    removeUser: async () => {
      log.push('removeUser');
      current = null;
    },
    resolveEndSessionEndpoint: async () => {
      log.push('resolveEndSessionEndpoint');
      return endpoint;
    },
    channel,
    storage: {
      getItem: (key) => storage.getItem(key),
      setItem: (key, value) => {
        log.push('storage.setItem');
        storage.setItem(key, value);
      },
      removeItem: (key) => storage.removeItem(key),
    },
    clock,
    random: counterRandom(),
    navigation: {
      assign: (url) => {
        log.push('navigate:GET');
        navigated.push({ method: 'GET', url });
      },
      submitForm: (action, fields) => {
        log.push('navigate:POST');
        navigated.push({ method: 'POST', action, fields: { ...fields } });
      },
    },
    ...overrides,
  };
  return { ports, log, storage, clock, channel, navigated };
}

const base: PerformLogoutOptions = { client_id: 'app', post_logout_redirect_uri: 'https://rp.example.com/signed-out' };

async function rejection(promise: Promise<unknown>): Promise<OidcSessionMonitorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OidcSessionMonitorError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('performLogout', () => {
  it('runs the steps in order: pause, read user, remove user, tell tabs, resolve endpoint, store state, navigate', async () => {
    const { ports, log } = harness();
    await performLogout(base, ports);
    expect(log).toEqual([
      'pauseMonitoring',
      'getUser',
      'removeUser',
      'channel.post:signedOut:logout',
      'resolveEndSessionEndpoint',
      'storage.setItem',
      'navigate:GET',
    ]);
  });

  it('sends id_token_hint, client_id, post_logout_redirect_uri and a random state by GET', async () => {
    const { ports, navigated } = harness();
    const result = await performLogout({ ...base, ui_locales: ['de', 'en'], logout_hint: 'alice' }, ports);
    expect(navigated).toHaveLength(1);
    const params = new URL(navigated[0]!.url!).searchParams;
    expect(Object.fromEntries(params)).toEqual({
      id_token_hint: idToken,
      logout_hint: 'alice',
      client_id: 'app',
      post_logout_redirect_uri: 'https://rp.example.com/signed-out',
      state: result.state,
      ui_locales: 'de en',
    });
    expect(result).toEqual({ method: 'GET', state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  });

  it('without an injected random source, the state is 32 bytes from crypto.getRandomValues, a fresh call per logout', async () => {
    let fill = 0;
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      fill += 1;
      (array as unknown as Uint8Array).fill(fill);
      return array;
    });
    try {
      const { ports, navigated } = harness({ random: undefined });
      const first = await performLogout(base, ports);
      const second = await performLogout(base, ports);
      expect(spy.mock.calls.map(([array]) => [array?.constructor.name, array?.byteLength])).toEqual([
        ['Uint8Array', 32],
        ['Uint8Array', 32],
      ]);
      expect(first.state).toBe(base64urlEncode(new Uint8Array(32).fill(1)));
      expect(second.state).toBe(base64urlEncode(new Uint8Array(32).fill(2)));
      expect(new URL(navigated[1]!.url!).searchParams.get('state')).toBe(second.state);
    } finally {
      spy.mockRestore();
    }
  });

  it('without Web Crypto, logout fails with a clear error instead of a guessable state', async () => {
    vi.stubGlobal('crypto', undefined);
    try {
      const { ports, navigated } = harness({ random: undefined });
      await expect(performLogout(base, ports)).rejects.toThrow(/needs crypto\.getRandomValues/);
      expect(navigated).toEqual([]);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('tells the other tabs who signed out', async () => {
    const { ports, channel } = harness();
    await performLogout(base, ports);
    expect(channel.posted).toEqual([{ type: 'signedOut', reason: 'logout', sub: 'alice' }]);
  });

  it('keeps the app data in storage, not in the URL, and hands it back on the callback', async () => {
    const { ports, storage, clock, navigated } = harness();
    const data = { returnTo: '/orders/42', marker: 'SECRET-MARKER' };
    const { state } = await performLogout({ ...base, state: data }, ports);
    expect(navigated[0]!.url).not.toContain('SECRET-MARKER');
    expect(storage.getItem(LOGOUT_STATE_STORAGE_KEY)).toContain('SECRET-MARKER');
    const result = await callback({ url: `https://rp.example.com/signed-out?state=${state}`, storage, clock, cleanUrl: false });
    expect(result.data).toEqual(data);
  });

  it('a new logout ends the earlier callback: a reload of the post-logout page is then no longer a repeat of it', async () => {
    const { ports, storage, clock } = harness();
    const page = 'https://rp.example.com/signed-out';
    const { state } = await performLogout(base, ports);
    await callback({ url: `${page}?state=${state}`, storage, clock });
    expect(await callback({ url: page, storage, clock })).toMatchObject({ state, repeated: true });
    await performLogout(base, ports);
    const reload = await rejection(callback({ url: page, storage, clock }));
    expect(reload.code).toBe(ErrorCode.LogoutStateMissing);
  });

  it('uses a fresh state for every logout', async () => {
    const { ports } = harness();
    const first = await performLogout(base, ports);
    const second = await performLogout(base, ports);
    expect(first.state).not.toBe(second.state);
  });

  it('sends no id_token_hint when id_token_hint is false, but still client_id', async () => {
    const { ports, navigated } = harness();
    await performLogout({ ...base, id_token_hint: false }, ports);
    const params = new URL(navigated[0]!.url!).searchParams;
    expect(params.has('id_token_hint')).toBe(false);
    expect(params.get('client_id')).toBe('app');
  });

  it('sends an explicit id_token_hint instead of the current user’s', async () => {
    const { ports, navigated } = harness();
    await performLogout({ ...base, id_token_hint: 'other.token.here' }, ports);
    expect(new URL(navigated[0]!.url!).searchParams.get('id_token_hint')).toBe('other.token.here');
  });

  it('works without a signed-in user: no hint, client_id only', async () => {
    const { ports, navigated, channel } = harness({}, null);
    await performLogout({ client_id: 'app' }, ports);
    const params = new URL(navigated[0]!.url!).searchParams;
    expect([...params.keys()]).toEqual(['client_id', 'state']);
    // Nobody to name, so nothing to tell: another tab's user is that tab's business.
    expect(channel.posted).toEqual([]);
  });

  it('switches to a POST form under auto when a long hint would make the URL too long, keeping the hint', async () => {
    const longToken = fakeIdToken({ sub: 'alice' }, MAX_GET_URL_LENGTH);
    const { ports, navigated } = harness({}, { id_token: longToken, sub: 'alice' });
    const result = await performLogout({ ...base, extraParams: { foo: 'bar' } }, ports);
    expect(result.method).toBe('POST');
    expect(navigated).toEqual([
      {
        method: 'POST',
        action: endpoint,
        fields: {
          id_token_hint: longToken,
          client_id: 'app',
          post_logout_redirect_uri: base.post_logout_redirect_uri,
          state: result.state,
          foo: 'bar',
        },
      },
    ]);
  });

  it('stays with GET for a long hint when GET is forced', async () => {
    const longToken = fakeIdToken({ sub: 'alice' }, MAX_GET_URL_LENGTH);
    const { ports, navigated } = harness({}, { id_token: longToken });
    await performLogout({ ...base, method: 'GET' }, ports);
    expect(navigated[0]!.method).toBe('GET');
    expect(navigated[0]!.url!.length).toBeGreaterThan(MAX_GET_URL_LENGTH);
  });

  it('posts a short request when POST is forced', async () => {
    const { ports, navigated } = harness();
    await performLogout({ ...base, method: 'POST' }, ports);
    expect(navigated[0]!.method).toBe('POST');
  });

  it('signs out locally and then rejects with no_end_session_endpoint when the OP has none', async () => {
    const { ports, log, navigated, channel } = harness({ resolveEndSessionEndpoint: async () => undefined });
    const error = await rejection(performLogout(base, ports));
    expect(error.code).toBe(ErrorCode.NoEndSessionEndpoint);
    expect(log).toEqual(['pauseMonitoring', 'getUser', 'removeUser', 'channel.post:signedOut:logout']);
    expect(channel.posted).toHaveLength(1);
    expect(navigated).toEqual([]);
  });

  it('stores no state when there is no endpoint to send it to', async () => {
    const { ports, storage } = harness({ resolveEndSessionEndpoint: async () => undefined });
    await rejection(performLogout(base, ports));
    expect(storage.getItem(LOGOUT_STATE_STORAGE_KEY)).toBeNull();
  });

  it('signs out locally and then rejects with discovery_failed when the endpoint cannot be resolved', async () => {
    const { ports, log } = harness({
      resolveEndSessionEndpoint: async () => {
        throw new Error('network down');
      },
    });
    const error = await rejection(performLogout(base, ports));
    expect(error.code).toBe(ErrorCode.DiscoveryFailed);
    expect(log).toContain('removeUser');
  });

  it.each(['javascript:alert(1)', 'data:text/html,x', 'http://op.example.com/logout', '/relative', 'not a url'])(
    'rejects with invalid_metadata, sending no ID token anywhere, when the published endpoint is %s',
    async (published) => {
      const { ports, navigated } = harness({ resolveEndSessionEndpoint: async () => published });
      expect((await rejection(performLogout(base, ports))).code).toBe(ErrorCode.InvalidMetadata);
      expect(navigated).toEqual([]);
    },
  );

  it('accepts http: on loopback, and anywhere with allowInsecureHttp (test setups)', async () => {
    const loopback = harness({ resolveEndSessionEndpoint: async () => 'http://localhost:4000/logout' });
    await performLogout(base, loopback.ports);
    expect(loopback.navigated).toHaveLength(1);
    const lan = harness({ resolveEndSessionEndpoint: async () => 'http://op.lan/logout' });
    await performLogout({ ...base, allowInsecureHttp: true }, lan.ports);
    expect(lan.navigated).toHaveLength(1);
  });

  it('tells no other tab when the local user could not be removed (they would drop a user this tab still has)', async () => {
    const { ports, channel, navigated } = harness({
      removeUser: async () => {
        throw new Error('store locked');
      },
    });
    await performLogout(base, ports);
    expect(channel.posted).toEqual([]);
    expect(navigated).toHaveLength(1);
  });

  it('still ends the OP session when the local user cannot be read or removed', async () => {
    const { ports, navigated } = harness({
      getUser: async () => {
        throw new Error('corrupt store');
      },
      removeUser: async () => {
        throw new Error('corrupt store');
      },
      pauseMonitoring: () => {
        throw new Error('already stopped');
      },
    });
    await performLogout(base, ports);
    expect(navigated).toHaveLength(1);
    expect(new URL(navigated[0]!.url!).searchParams.has('id_token_hint')).toBe(false);
  });

  it('still navigates when the state cannot be stored; the callback then reports it unverifiable', async () => {
    const { ports, navigated, clock } = harness({ storage: new ThrowingStorage(undefined, 'write') });
    const { state } = await performLogout(base, ports);
    expect(navigated).toHaveLength(1);
    await expect(
      callback({ url: `https://rp.example.com/signed-out?state=${state}`, storage: new MemoryStorage(), clock, cleanUrl: false }),
    ).rejects.toMatchObject({ code: ErrorCode.LogoutStateMismatch });
  });

  it.each([
    ['a missing client_id', { client_id: '' }, /client_id/],
    ['a post_logout_redirect_uri with a fragment', { post_logout_redirect_uri: 'https://rp.example.com/#x' }, /post_logout_redirect_uri/],
    ['an unknown method', { method: 'PUT' }, /method/],
    ['extraParams overriding state', { extraParams: { state: 'mine' } }, /extraParams\.state/],
    ['an id_token_hint of true', { id_token_hint: true }, /id_token_hint/],
    ['unserializable app data', { state: { big: 1n } }, /state/],
    ['a non-positive state lifetime', { stateMaxAgeMs: 0 }, /stateMaxAgeMs/],
  ])('throws a TypeError synchronously for %s, before signing anything out', (_label, bad, message) => {
    const { ports, log } = harness();
    expect(() => performLogout({ ...base, ...(bad as Partial<PerformLogoutOptions>) }, ports)).toThrow(message);
    expect(log).toEqual([]);
  });
});
