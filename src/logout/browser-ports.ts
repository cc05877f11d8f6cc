import type { AddressBar, Clock, KeyValueStorage, RandomSource } from './ports.js';

/** The wall clock. */
export const browserClock: Clock = { now: () => Date.now() };

/**
 * `crypto.getRandomValues`. Looked up on each call so that importing this module never fails in an
 * environment without Web Crypto; using it there throws a clear error instead.
 */
export const browserRandom: RandomSource = {
  getRandomValues(array) {
    if (typeof globalThis.crypto?.getRandomValues !== 'function') {
      throw new Error('oidc-session-monitor needs crypto.getRandomValues (Web Crypto) to create the logout state.');
    }
    return globalThis.crypto.getRandomValues(array);
  },
};

/**
 * `window.sessionStorage`, resolved lazily: merely reading the property throws a `SecurityError` in
 * browsers with storage disabled, and that must surface as a typed error where it is used.
 */
export const browserSessionStorage: KeyValueStorage = {
  getItem: (key) => window.sessionStorage.getItem(key),
  setItem: (key, value) => window.sessionStorage.setItem(key, value),
  removeItem: (key) => window.sessionStorage.removeItem(key),
};

/** `history.replaceState`, keeping the current history entry's state object. */
export const browserAddressBar: AddressBar = {
  replaceState(url) {
    window.history.replaceState(window.history.state, '', url);
  },
};

/** The current document's URL. */
export function browserLocationHref(): string {
  return window.location.href;
}
