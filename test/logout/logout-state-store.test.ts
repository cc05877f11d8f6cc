import { describe, expect, it } from 'vitest';
import { ErrorCode, OidcSessionMonitorError } from '../../src/errors.js';
import { browserRandom } from '../../src/platform.js';
import {
  DEFAULT_LOGOUT_STATE_MAX_AGE_MS,
  LOGOUT_STATE_STORAGE_KEY,
  MAX_PENDING_STATES,
  consumeLogoutState,
  saveLogoutState,
  validateLogoutStateData,
} from '../../src/logout/logout-state-store.js';
import { randomState } from '../../src/logout/random-state.js';
import { FakeClock, MemoryStorage, ThrowingStorage } from './fakes.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof OidcSessionMonitorError ? error.code : `not typed: ${String(error)}`;
  }
  return undefined;
}

describe('randomState', () => {
  it('is 256 bits of crypto randomness as 43 base64url characters', () => {
    const state = randomState(browserRandom);
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is different every time', () => {
    const states = new Set(Array.from({ length: 1000 }, () => randomState(browserRandom)));
    expect(states.size).toBe(1000);
  });

  it('takes its bytes from the injected random source', () => {
    const zeros = { getRandomValues: (array: Uint8Array<ArrayBuffer>) => array.fill(0xff) };
    expect(randomState(zeros)).toBe('_'.repeat(42) + '8');
  });
});

describe('logout state store', () => {
  it('stores the state under a namespaced key with an expiry and the app data', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock(1000);
    saveLogoutState({ storage, clock }, 's'.repeat(43), { returnTo: '/orders' });
    const stored = JSON.parse(storage.getItem(LOGOUT_STATE_STORAGE_KEY)!);
    expect(LOGOUT_STATE_STORAGE_KEY).toMatch(/^oidc-session-monitor:/);
    expect(stored).toEqual({ ['s'.repeat(43)]: { exp: 1000 + DEFAULT_LOGOUT_STATE_MAX_AGE_MS, data: { returnTo: '/orders' } } });
  });

  it('returns the app data of a stored state, objects included', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const state = randomState(browserRandom);
    const data = { route: '/a?b=c', nested: { list: [1, 'two', null], flag: true } };
    saveLogoutState({ storage, clock }, state, data);
    expect(consumeLogoutState({ storage, clock }, state)).toEqual({ data });
  });

  it('redeems a state only once', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const state = randomState(browserRandom);
    saveLogoutState({ storage, clock }, state, 'x');
    consumeLogoutState({ storage, clock }, state);
    expect(codeOf(() => consumeLogoutState({ storage, clock }, state))).toBe(ErrorCode.LogoutStateMismatch);
    expect(storage.getItem(LOGOUT_STATE_STORAGE_KEY)).toBeNull();
  });

  it('keeps several pending logouts apart', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const [a, b] = [randomState(browserRandom), randomState(browserRandom)];
    saveLogoutState({ storage, clock }, a, 'A');
    saveLogoutState({ storage, clock }, b, 'B');
    expect(consumeLogoutState({ storage, clock }, b).data).toBe('B');
    expect(consumeLogoutState({ storage, clock }, a).data).toBe('A');
  });

  it('reports an expired state as expired and removes it', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const state = randomState(browserRandom);
    saveLogoutState({ storage, clock }, state, 'x', 60_000);
    clock.advance(60_000);
    expect(codeOf(() => consumeLogoutState({ storage, clock }, state))).toBe(ErrorCode.LogoutStateExpired);
    expect(codeOf(() => consumeLogoutState({ storage, clock }, state))).toBe(ErrorCode.LogoutStateMismatch);
  });

  it('accepts a state just before it expires', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const state = randomState(browserRandom);
    saveLogoutState({ storage, clock }, state, 'x', 60_000);
    clock.advance(59_999);
    expect(consumeLogoutState({ storage, clock }, state).data).toBe('x');
  });

  it('prunes expired states when a new one is saved', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const old = randomState(browserRandom);
    saveLogoutState({ storage, clock }, old, 'old', 1000);
    clock.advance(5000);
    saveLogoutState({ storage, clock }, randomState(browserRandom), 'new');
    expect(Object.keys(JSON.parse(storage.getItem(LOGOUT_STATE_STORAGE_KEY)!))).not.toContain(old);
  });

  it(`keeps at most ${MAX_PENDING_STATES} pending states, dropping the oldest`, () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const states = Array.from({ length: MAX_PENDING_STATES + 3 }, () => {
      clock.advance(1);
      const state = randomState(browserRandom);
      saveLogoutState({ storage, clock }, state);
      return state;
    });
    const kept = Object.keys(JSON.parse(storage.getItem(LOGOUT_STATE_STORAGE_KEY)!));
    expect(kept).toEqual(states.slice(3));
  });

  it('ignores garbage found under its key', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    for (const garbage of ['{not json', '[1,2]', 'null', '{"abc":{"exp":"soon"}}']) {
      storage.setItem(LOGOUT_STATE_STORAGE_KEY, garbage);
      expect(codeOf(() => consumeLogoutState({ storage, clock }, 'abc'))).toBe(ErrorCode.LogoutStateMismatch);
    }
    const state = randomState(browserRandom);
    storage.setItem(LOGOUT_STATE_STORAGE_KEY, '{not json');
    saveLogoutState({ storage, clock }, state, 1);
    expect(consumeLogoutState({ storage, clock }, state).data).toBe(1);
  });

  it('does not treat inherited object keys as stored states', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    saveLogoutState({ storage, clock }, randomState(browserRandom));
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(codeOf(() => consumeLogoutState({ storage, clock }, key))).toBe(ErrorCode.LogoutStateMismatch);
    }
  });

  it('turns a throwing storage into storage_unavailable', () => {
    const clock = new FakeClock();
    expect(codeOf(() => saveLogoutState({ storage: new ThrowingStorage(), clock }, 'a'))).toBe(ErrorCode.StorageUnavailable);
    expect(codeOf(() => saveLogoutState({ storage: new ThrowingStorage(undefined, 'write'), clock }, 'a'))).toBe(
      ErrorCode.StorageUnavailable,
    );
    expect(codeOf(() => consumeLogoutState({ storage: new ThrowingStorage(), clock }, 'a'))).toBe(ErrorCode.StorageUnavailable);
  });

  it('refuses to hand out data for a state it cannot delete, since it could be replayed', () => {
    const inner = new MemoryStorage();
    const clock = new FakeClock();
    const state = randomState(browserRandom);
    saveLogoutState({ storage: inner, clock }, state, 'secret');
    expect(codeOf(() => consumeLogoutState({ storage: new ThrowingStorage(inner, 'write'), clock }, state))).toBe(
      ErrorCode.StorageUnavailable,
    );
  });

  it('keeps a state redeemable for ten minutes by default', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const state = randomState(browserRandom);
    saveLogoutState({ storage, clock }, state, 'x');
    clock.advance(10 * 60 * 1000 - 1);
    expect(consumeLogoutState({ storage, clock }, state).data).toBe('x');
  });

  it('drops an expired state from storage the very millisecond it expires', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const [old, fresh] = [randomState(browserRandom), randomState(browserRandom)];
    saveLogoutState({ storage, clock }, old, 'old', 1000);
    clock.advance(1000);
    saveLogoutState({ storage, clock }, fresh, 'new');
    expect(Object.keys(JSON.parse(storage.getItem(LOGOUT_STATE_STORAGE_KEY)!))).toEqual([fresh]);
  });

  it('beyond the cap drops the state that expires soonest, not the one saved first', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const longLived = randomState(browserRandom);
    saveLogoutState({ storage, clock }, longLived, 'long', 60 * 60 * 1000);
    const shortLived = Array.from({ length: MAX_PENDING_STATES }, () => {
      clock.advance(1);
      const state = randomState(browserRandom);
      saveLogoutState({ storage, clock }, state, 'short', 60_000);
      return state;
    });
    const kept = Object.keys(JSON.parse(storage.getItem(LOGOUT_STATE_STORAGE_KEY)!));
    expect(kept).toEqual([longLived, ...shortLived.slice(1)]);
    expect(consumeLogoutState({ storage, clock }, longLived).data).toBe('long');
  });

  it('does not redeem a stored entry whose expiry is not a finite number', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const state = randomState(browserRandom);
    // JSON has no Infinity, but 1e999 parses to it; a string or null is no expiry either.
    for (const exp of ['1e999', '"9999999999999"', 'null']) {
      storage.setItem(LOGOUT_STATE_STORAGE_KEY, `{"${state}":{"exp":${exp},"data":"forged"}}`);
      expect(codeOf(() => consumeLogoutState({ storage, clock }, state))).toBe(ErrorCode.LogoutStateMismatch);
    }
  });

  it('skips null entries found under its key and still redeems the valid ones', () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const state = randomState(browserRandom);
    storage.setItem(LOGOUT_STATE_STORAGE_KEY, JSON.stringify({ [randomState(browserRandom)]: null, [state]: { exp: clock.now() + 1000, data: 'ok' } }));
    expect(consumeLogoutState({ storage, clock }, state).data).toBe('ok');
    expect(storage.getItem(LOGOUT_STATE_STORAGE_KEY)).toBeNull();
  });

  it('says which storage step failed, and keeps the browser error as the cause', () => {
    const clock = new FakeClock();
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error as OidcSessionMonitorError;
      }
      throw new Error('did not throw');
    };
    const read = failure(() => consumeLogoutState({ storage: new ThrowingStorage(), clock }, 'a'));
    expect(read.message).toMatch(/^Could not read the logout state/);
    expect(read.cause).toBeInstanceOf(DOMException);
    expect((read.cause as DOMException).name).toBe('SecurityError');
    const save = failure(() => saveLogoutState({ storage: new ThrowingStorage(undefined, 'write'), clock }, 'a'));
    expect(save.message).toMatch(/^Could not save the logout state/);
    expect((save.cause as DOMException).name).toBe('QuotaExceededError');
    const inner = new MemoryStorage();
    const state = randomState(browserRandom);
    saveLogoutState({ storage: inner, clock }, state, 'secret');
    const remove = failure(() => consumeLogoutState({ storage: new ThrowingStorage(inner, 'write'), clock }, state));
    expect(remove.message).toMatch(/^Could not remove the logout state/);
    expect((remove.cause as DOMException).name).toBe('QuotaExceededError');
  });

  it('reports a state it never issued as a mismatch even when the storage cannot be written', () => {
    const inner = new MemoryStorage();
    const clock = new FakeClock();
    saveLogoutState({ storage: inner, clock }, randomState(browserRandom), 'real');
    const storage = new ThrowingStorage(inner, 'write');
    expect(codeOf(() => consumeLogoutState({ storage, clock }, randomState(browserRandom)))).toBe(ErrorCode.LogoutStateMismatch);
    expect(codeOf(() => consumeLogoutState({ storage: new ThrowingStorage(new MemoryStorage(), 'write'), clock }, 'forged'))).toBe(
      ErrorCode.LogoutStateMismatch,
    );
  });

  it('refuses app data that cannot be stored as JSON, with a TypeError naming state', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => validateLogoutStateData(cyclic)).toThrow(/state/);
    expect(() => validateLogoutStateData(10n)).toThrow(TypeError);
    expect(() => validateLogoutStateData({ ok: [1] })).not.toThrow();
  });

  it('keeps the JSON error as the cause of the TypeError for unserializable app data', () => {
    let error: unknown;
    try {
      validateLogoutStateData(10n);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).cause).toBeInstanceOf(TypeError);
    expect(String((error as TypeError).cause)).toMatch(/BigInt/i);
  });
});
