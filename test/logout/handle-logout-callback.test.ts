import { describe, expect, it } from 'vitest';
import { ErrorCode, OidcSessionMonitorError } from '../../src/errors.js';
import { browserRandom } from '../../src/platform.js';
import { handleLogoutCallback, type HandleLogoutCallbackOptions, type LogoutCallbackPorts, verifyLogoutCallback } from '../../src/logout/handle-logout-callback.js';
import { LOGOUT_STATE_STORAGE_KEY, saveLogoutState } from '../../src/logout/logout-state-store.js';
import { LAST_LOGOUT_CALLBACK_KEY } from '../../src/session/keys.js';
import { randomState } from '../../src/logout/random-state.js';
import { FakeClock, MemoryStorage, ThrowingStorage } from './fakes.js';

/** handleLogoutCallback over test ports (the public function always uses the browser's). */
const callback = ({ storage, clock, addressBar, ...options }: HandleLogoutCallbackOptions & Partial<LogoutCallbackPorts>) =>
  verifyLogoutCallback(options, { storage: storage!, clock: clock ?? { now: () => Date.now() }, addressBar: addressBar ?? { replaceState() {} } });


const page = 'https://rp.example.com/signed-out';

function setup(data: unknown = { returnTo: '/home' }) {
  const storage = new MemoryStorage();
  const clock = new FakeClock();
  const replaced: string[] = [];
  const addressBar = { replaceState: (url: string) => void replaced.push(url) };
  const state = randomState(browserRandom);
  saveLogoutState({ storage, clock }, state, data);
  return { storage, clock, state, replaced, addressBar };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof OidcSessionMonitorError ? error.code : `untyped: ${String(error)}`;
  }
}

describe('handleLogoutCallback', () => {
  it('returns the app data stored with a valid state', async () => {
    const { storage, clock, state, addressBar } = setup({ returnTo: '/orders', n: 2 });
    const result = await callback({ url: `${page}?state=${state}`, storage, clock, addressBar });
    expect(result).toEqual({ state, data: { returnTo: '/orders', n: 2 }, repeated: false });
  });

  it('never verifies one state twice: the same URL again in this tab is a repeat, in another tab a mismatch', async () => {
    const { storage, clock, state, addressBar } = setup();
    const url = `${page}?state=${state}`;
    await callback({ url, storage, clock, addressBar });
    expect(await callback({ url, storage, clock, addressBar })).toMatchObject({ state, repeated: true });
    expect(await codeOf(callback({ url, storage: new MemoryStorage(), clock, addressBar }))).toBe(ErrorCode.LogoutStateMismatch);
  });

  it('a reload of the verified page (state already removed from the address bar) is a repeat with the same data, not an error', async () => {
    const { storage, clock, state, addressBar } = setup();
    await callback({ url: `${page}?state=${state}`, storage, clock, addressBar });
    expect(await callback({ url: page, storage, clock, addressBar })).toEqual({ state, data: expect.anything(), repeated: true });
  });

  it('a reload after a failed callback is not taken for the earlier success', async () => {
    const { storage, clock, state, addressBar } = setup();
    await callback({ url: `${page}?state=${state}`, storage, clock, addressBar });
    expect(await codeOf(callback({ url: `${page}?state=forged`, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMismatch);
    expect(await codeOf(callback({ url: page, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMissing);
  });

  it('counts as a repeat only within the lifetime of a logout state', async () => {
    const { storage, clock, state, addressBar } = setup();
    await callback({ url: `${page}?state=${state}`, storage, clock, addressBar });
    clock.advance(11 * 60 * 1000);
    expect(await codeOf(callback({ url: page, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMissing);
  });

  it('a page opened without state in a tab that verified nothing is still logout_state_missing', async () => {
    const { storage, clock, addressBar } = setup();
    expect(await codeOf(callback({ url: page, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMissing);
  });

  it('rejects a state it did not issue as a mismatch, without touching the real one', async () => {
    const { storage, clock, state, addressBar } = setup();
    const other = `${page}?state=${state}_INVALID`;
    expect(await codeOf(callback({ url: other, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMismatch);
    const forged = `${page}?state=${randomState(browserRandom)}`;
    expect(await codeOf(callback({ url: forged, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMismatch);
    await expect(callback({ url: `${page}?state=${state}`, storage, clock, addressBar })).resolves.toMatchObject({ state });
  });

  it('a reload exactly one logout-state lifetime after the verification is no longer a repeat', async () => {
    const { storage, clock, state, addressBar } = setup();
    await callback({ url: `${page}?state=${state}`, storage, clock, addressBar });
    clock.advance(10 * 60 * 1000 - 1);
    expect(await callback({ url: page, storage, clock, addressBar })).toMatchObject({ state, repeated: true });
    clock.advance(1);
    expect(await codeOf(callback({ url: page, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMissing);
  });

  it('a reload after the clock was set back (the verification seems to lie in the future) is not a repeat', async () => {
    const { storage, clock, state, addressBar } = setup();
    await callback({ url: `${page}?state=${state}`, storage, clock, addressBar });
    clock.advance(-60_000);
    expect(await codeOf(callback({ url: page, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMissing);
  });

  it('does not take a last-callback record it did not write for a verified callback', async () => {
    const clock = new FakeClock();
    const now = clock.now();
    for (const record of [
      { data: 'x', at: now },
      { state: 42, data: 'x', at: now },
      { state: 'abc', data: 'x', at: String(now) },
      { state: 'abc', data: 'x' },
    ]) {
      const storage = new MemoryStorage();
      storage.setItem(LAST_LOGOUT_CALLBACK_KEY, JSON.stringify(record));
      expect(await codeOf(callback({ url: page, storage, clock }))).toBe(ErrorCode.LogoutStateMissing);
      expect(storage.getItem(LAST_LOGOUT_CALLBACK_KEY)).toBeNull();
    }
  });

  it('a storage failure on the verified URL again is reported, not taken for a repeat', async () => {
    const { storage, clock, state, addressBar } = setup();
    const url = `${page}?state=${state}`;
    await callback({ url, storage, clock, addressBar });
    // The pending states can no longer be read, the record of the verified callback still can.
    const broken = {
      getItem: (key: string) => {
        if (key === LOGOUT_STATE_STORAGE_KEY) throw new DOMException('The operation is insecure.', 'SecurityError');
        return storage.getItem(key);
      },
      setItem: (key: string, value: string) => storage.setItem(key, value),
      removeItem: (key: string) => storage.removeItem(key),
    };
    expect(await codeOf(callback({ url, storage: broken, clock, addressBar }))).toBe(ErrorCode.StorageUnavailable);
  });

  it('rejects a callback without state as missing', async () => {
    const { storage, clock, addressBar } = setup();
    for (const url of [page, `${page}?state=`, `${page}?foo=bar`, `${page}#state=abc`]) {
      expect(await codeOf(callback({ url, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMissing);
    }
  });

  it('rejects a state past its lifetime as expired', async () => {
    const { storage, clock, state, addressBar } = setup();
    clock.advance(10 * 60 * 1000 + 1);
    expect(await codeOf(callback({ url: `${page}?state=${state}`, storage, clock, addressBar }))).toBe(
      ErrorCode.LogoutStateExpired,
    );
  });

  it('rejects repeated state parameters, even when one of them is valid', async () => {
    const { storage, clock, state, addressBar } = setup();
    for (const url of [
      `${page}?state=${state}&state=evil`,
      `${page}?state=evil&state=${state}`,
      `${page}?state=${state}&state=${state}`,
      `${page}?state=&state=${state}`,
    ]) {
      expect(await codeOf(callback({ url, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMismatch);
    }
  });

  it.each([
    ['malformed percent-encoding', '?state=%E0%A4%A'],
    ['a lone percent sign', '?state=%'],
    ['a huge value', `?state=${'A'.repeat(1_000_000)}`],
    ['markup', '?state=%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
    ['an inherited property name', '?state=__proto__'],
    ['an OP error without a valid state', '?error=access_denied&state=abc'],
  ])('rejects %s with a typed error instead of crashing', async (_label, query) => {
    const { storage, clock, addressBar } = setup();
    expect(await codeOf(callback({ url: page + query, storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMismatch);
  });

  it('rejects an unparsable callback URL with a typed error', async () => {
    const { storage, clock, addressBar } = setup();
    expect(await codeOf(callback({ url: 'not a url', storage, clock, addressBar }))).toBe(ErrorCode.LogoutStateMismatch);
  });

  it('verifies the state regardless of extra parameters such as an OP error', async () => {
    const { storage, clock, state, addressBar } = setup('d');
    const result = await callback({ url: `${page}?error=server_error&state=${state}`, storage, clock, addressBar });
    expect(result.data).toBe('d');
  });

  it('reports unavailable storage as storage_unavailable', async () => {
    const { state, clock, addressBar } = setup();
    const url = `${page}?state=${state}`;
    expect(await codeOf(callback({ url, storage: new ThrowingStorage(), clock, addressBar }))).toBe(
      ErrorCode.StorageUnavailable,
    );
  });

  it('takes the app data only from storage, never from the URL', async () => {
    const { storage, clock, state, addressBar } = setup({ returnTo: '/home' });
    const url = `${page}?state=${state}&data=https%3A%2F%2Fevil.example&returnTo=https%3A%2F%2Fevil.example`;
    expect(await callback({ url, storage, clock, addressBar })).toEqual({ state, data: { returnTo: '/home' }, repeated: false });
  });

  it('removes state from the address bar and keeps the rest of the URL', async () => {
    const { storage, clock, state, replaced, addressBar } = setup();
    await callback({ url: `${page}?lang=de&state=${state}#top`, storage, clock, addressBar });
    expect(replaced).toEqual([`${page}?lang=de#top`]);
  });

  it('removes state from the address bar after a failure too', async () => {
    const { storage, clock, replaced, addressBar } = setup();
    await codeOf(callback({ url: `${page}?state=wrong`, storage, clock, addressBar }));
    expect(replaced).toEqual([page]);
  });

  it('leaves the address bar alone when asked to', async () => {
    const { storage, clock, state, replaced, addressBar } = setup();
    await callback({ url: `${page}?state=${state}`, storage, clock, addressBar, cleanUrl: false });
    expect(replaced).toEqual([]);
  });

  it('leaves the address bar alone when the URL has no state to remove', async () => {
    const { storage, clock, state, replaced, addressBar } = setup();
    await callback({ url: `${page}?state=${state}`, storage, clock, addressBar });
    replaced.length = 0;
    await callback({ url: `${page}?lang=de`, storage, clock, addressBar });
    await codeOf(callback({ url: page, storage: new MemoryStorage(), clock, addressBar }));
    expect(replaced).toEqual([]);
  });

  it('still reports the verdict when replaceState throws', async () => {
    const { storage, clock, state } = setup('ok');
    const addressBar = {
      replaceState() {
        throw new DOMException('sandboxed', 'SecurityError');
      },
    };
    await expect(callback({ url: `${page}?state=${state}`, storage, clock, addressBar })).resolves.toMatchObject({ data: 'ok' });
  });

  it('uses the browser location, sessionStorage and history by default', async () => {
    const state = randomState(browserRandom);
    saveLogoutState({ storage: window.sessionStorage, clock: { now: () => Date.now() } }, state, 'default');
    window.history.replaceState(null, '', `/signed-out?state=${state}`);
    await expect(handleLogoutCallback()).resolves.toEqual({ state, data: 'default', repeated: false });
    expect(window.location.search).toBe('');
    window.sessionStorage.removeItem(LAST_LOGOUT_CALLBACK_KEY);
  });

  it('accepts its two options, url and cleanUrl', async () => {
    const before = window.location.href;
    const state = randomState(browserRandom);
    saveLogoutState({ storage: window.sessionStorage, clock: { now: () => Date.now() } }, state, 'given url');
    try {
      await expect(handleLogoutCallback({ url: `${window.location.origin}/signed-out?state=${state}`, cleanUrl: false })).resolves.toEqual({
        state,
        data: 'given url',
        repeated: false,
      });
      expect(window.location.href).toBe(before);
    } finally {
      window.sessionStorage.removeItem(LAST_LOGOUT_CALLBACK_KEY);
      window.sessionStorage.removeItem(LOGOUT_STATE_STORAGE_KEY);
      window.history.replaceState(null, '', before);
    }
  });

  it.each([
    ['null', null],
    ['a string', 'https://rp.example.com/signed-out?state=abc'],
    ['a number', 42],
  ])('rejects %s as options with a TypeError asking for an options object', async (_label, options) => {
    const before = window.location.href;
    try {
      await expect(handleLogoutCallback(options as never)).rejects.toThrow(/^handleLogoutCallback takes an options object, or none\.$/);
    } finally {
      window.sessionStorage.removeItem(LAST_LOGOUT_CALLBACK_KEY);
      window.history.replaceState(null, '', before);
    }
  });
});
