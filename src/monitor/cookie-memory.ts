import { browserLocalStorage, type KeyValueStorage } from '../platform.js';
import type { CookieEvidence } from './machine.js';
import type { CookieMemory } from './monitor.js';

/**
 * Cookie evidence in `localStorage`, shared by the app's tabs and kept across page loads: the latest
 * `session_state` for which the OP iframe answered `unchanged` (`visible`), or for which a sign-out answer could
 * not be believed (`blocked`). Storage that throws (disabled, quota) just forgets: the next answer re-learns it.
 */
export function storedCookieMemory(key: string, storage: KeyValueStorage = browserLocalStorage): CookieMemory {
  let known: string | null | undefined;
  return {
    read(sessionState) {
      try {
        known = storage.getItem(key);
      } catch {
        return 'unknown';
      }
      for (const evidence of ['visible', 'blocked'] as const) if (known === `${evidence} ${sessionState}`) return evidence;
      return 'unknown' satisfies CookieEvidence;
    },
    remember(sessionState, evidence) {
      const value = `${evidence} ${sessionState}`;
      if (known === value) return;
      known = value;
      try {
        storage.setItem(key, value);
      } catch {
        // Nothing to do: the next page load re-learns it.
      }
    },
  };
}
