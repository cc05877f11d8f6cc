import { browserLocalStorage, systemClock, type ElapsedClock, type KeyValueStorage } from '../platform.js';

/** A BroadcastChannel as the idle watch uses it: what arrives is untrusted data, checked by the receiver. */
export interface IdleChannel {
  post(message: unknown): void;
  /** Subscribes to messages from *other* tabs; returns the unsubscribe function. */
  onMessage(handler: (data: unknown) => void): () => void;
  close(): void;
}

/**
 * Everything the idle timeout needs from the page: the browser's in `watchIdle`, a fake of several tabs sharing a
 * storage, a channel and a lock in the tests.
 */
export interface IdleEnvironment {
  clock: ElapsedClock;
  /** The storage the app's tabs share (localStorage). Any call may throw (storage blocked or full). */
  storage: KeyValueStorage;
  /** Calls `listener` when another tab changed `key` to `value` (`key` null: it cleared the whole storage). */
  onStorage(listener: (key: string | null, value: string | null) => void): () => void;
  /** Calls `listener` on each of these events on the page, and when the page becomes visible. */
  onActivity(events: readonly string[], listener: () => void): () => void;
  /** Runs `task` holding the Web Lock `name` until what it returns settles; `undefined` where Web Locks are missing. */
  lock: ((name: string, task: () => void | Promise<void>) => Promise<void>) | undefined;
  /** Opens the BroadcastChannel `name`; `undefined` where there is none. */
  channel(name: string): IdleChannel | undefined;
}

/** This page's {@link IdleEnvironment}. */
export function browserIdleEnvironment(): IdleEnvironment {
  const locks = globalThis.navigator?.locks;
  return {
    clock: { ...systemClock, monotonic: () => performance.now() },
    storage: browserLocalStorage,
    onStorage(listener) {
      const onEvent = (event: StorageEvent) => {
        // Another storage area (sessionStorage) raises the same event.
        if (event.storageArea === null || event.storageArea === safeLocalStorage()) listener(event.key, event.newValue);
      };
      window.addEventListener('storage', onEvent);
      return () => window.removeEventListener('storage', onEvent);
    },
    onActivity(events, listener) {
      const options = { capture: true, passive: true } as const;
      const onVisibility = () => {
        if (document.visibilityState === 'visible') listener();
      };
      for (const name of events) window.addEventListener(name, listener, options);
      document.addEventListener('visibilitychange', onVisibility);
      return () => {
        for (const name of events) window.removeEventListener(name, listener, options);
        document.removeEventListener('visibilitychange', onVisibility);
      };
    },
    lock: typeof locks?.request === 'function' ? async (name, task) => void (await locks.request(name, () => task())) : undefined,
    channel(name) {
      if (typeof BroadcastChannel !== 'function') return undefined;
      let channel: BroadcastChannel;
      try {
        channel = new BroadcastChannel(name);
      } catch {
        return undefined;
      }
      const handlers = new Set<(data: unknown) => void>();
      channel.onmessage = (event: MessageEvent) => {
        for (const handler of [...handlers]) handler(event.data);
      };
      let closed = false;
      return {
        post(message) {
          if (closed) return;
          try {
            channel.postMessage(message);
          } catch {
            // A closed or broken channel: the tabs learn nothing from this message, which the watch allows for.
          }
        },
        onMessage(handler) {
          handlers.add(handler);
          return () => handlers.delete(handler);
        },
        close() {
          if (closed) return;
          closed = true;
          handlers.clear();
          channel.onmessage = null;
          channel.close();
        },
      };
    },
  };
}

function safeLocalStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
