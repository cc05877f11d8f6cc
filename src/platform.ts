/**
 * The one seam between the SDK's logic and the browser: time, randomness, storage and the address bar. Logic
 * receives these as arguments so it can be tested without a browser; only this module touches `window` for them.
 * None of it is part of the public API.
 */

/** Timer handle as returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** Time and timers. */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`: the wall clock, which jumps when the system clock is set. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Calls `callback` every `ms` until cleared with {@link Clock.clearTimeout} (HTML timers share one list). */
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** A {@link Clock} that also measures elapsed time. */
export interface ElapsedClock extends Clock {
  /**
   * Milliseconds on a clock that never jumps (`performance.now()`): for measuring elapsed time. Its origin differs
   * per page, so a value of it means nothing to another tab.
   */
  monotonic(): number;
}

/** A source of cryptographically strong random bytes: `globalThis.crypto` fits. */
export interface RandomSource {
  getRandomValues(array: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer>;
}

/**
 * The part of the Web Storage API the SDK needs. Every method may throw (storage disabled, quota exceeded), and the
 * callers turn that into a typed error or forget.
 */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Rewrites the address bar without navigating (`history.replaceState`). */
export interface AddressBar {
  replaceState(url: string): void;
}

/** The page's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * `crypto.getRandomValues`. Looked up on each call so that importing this module never fails in an environment
 * without Web Crypto; using it there throws a clear error instead.
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
 * `window.sessionStorage`, resolved lazily: merely reading the property throws a `SecurityError` in browsers with
 * storage disabled, and that must surface where it is used.
 */
export const browserSessionStorage: KeyValueStorage = {
  getItem: (key) => window.sessionStorage.getItem(key),
  setItem: (key, value) => window.sessionStorage.setItem(key, value),
  removeItem: (key) => window.sessionStorage.removeItem(key),
};

/** `window.localStorage`, resolved lazily like {@link browserSessionStorage}. */
export const browserLocalStorage: KeyValueStorage = {
  getItem: (key) => window.localStorage.getItem(key),
  setItem: (key, value) => window.localStorage.setItem(key, value),
  removeItem: (key) => window.localStorage.removeItem(key),
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

/** The parts of `window` and `document` that tell whether this page is a partitioned third-party frame. */
export interface FrameEnvironment {
  top: unknown;
  self: unknown;
  /** `document.hasStorageAccess`, where the browser has the Storage Access API. */
  hasStorageAccess?: () => Promise<boolean>;
}

/** This page's {@link FrameEnvironment}, or `undefined` outside a browser. */
export function browserFrameEnvironment(): FrameEnvironment | undefined {
  if (typeof document === 'undefined') return undefined;
  return { top: window.top, self: window.self, ...(document.hasStorageAccess ? { hasStorageAccess: () => document.hasStorageAccess() } : {}) };
}
