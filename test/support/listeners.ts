import { vi } from 'vitest';

/**
 * Counts the listeners added to `target` from now on and not removed since, by event type. Spies on the target's
 * own add/removeEventListener and calls through; `vi.restoreAllMocks()` ends it.
 */
export function trackListeners(target: EventTarget): (type: string) => number {
  const live = new Map<string, Set<unknown>>();
  const of = (type: string) => {
    let set = live.get(type);
    if (!set) live.set(type, (set = new Set()));
    return set;
  };
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  vi.spyOn(target, 'addEventListener').mockImplementation((type, listener, options) => {
    of(type).add(listener);
    add(type, listener, options);
  });
  vi.spyOn(target, 'removeEventListener').mockImplementation((type, listener, options) => {
    of(type).delete(listener);
    remove(type, listener, options);
  });
  return (type) => live.get(type)?.size ?? 0;
}
