/**
 * The narrow browser interfaces the logout module works through. Logic receives them as arguments so it
 * can be unit-tested without a browser; only {@link ./browserPorts.ts} touches `window`.
 *
 * @module
 */

/** Milliseconds since the epoch, like `Date.now()`. Structurally the same as the monitor's clock. */
export interface Clock {
  now(): number;
}

/** A source of cryptographically strong random bytes: `globalThis.crypto` fits. */
export interface RandomSource {
  getRandomValues(array: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer>;
}

/**
 * The part of the Web Storage API the logout `state` store needs. `window.sessionStorage` fits; every
 * method may throw (storage disabled, quota exceeded), and the callers turn that into a typed error.
 */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Rewrites the address bar without navigating (`history.replaceState`). */
export interface AddressBar {
  replaceState(url: string): void;
}
