import { describe, expect, it } from 'vitest';
import { storedCookieMemory } from '../../src/monitor/cookie-memory.js';
import type { KeyValueStorage } from '../../src/platform.js';

function storage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('cookie evidence memory', () => {
  it('remembers blocking per session_state, across memories of the same key (tabs, reloads)', () => {
    const shared = storage();
    storedCookieMemory('k', shared).remember('s1', 'blocked');
    const later = storedCookieMemory('k', shared);
    expect(later.read('s1')).toBe('blocked');
    expect(later.read('s2')).toBe('unknown');
    later.remember('s1', 'visible');
    expect(storedCookieMemory('k', shared).read('s1')).toBe('visible');
  });

  it('writes only when the value changes', () => {
    const shared = storage();
    let writes = 0;
    const counting = { ...shared, setItem: (k: string, v: string) => void (writes++, shared.setItem(k, v)) };
    const memory = storedCookieMemory('k', counting);
    memory.remember('s1', 'visible');
    memory.remember('s1', 'visible');
    memory.remember('s1', 'visible');
    expect(writes).toBe(1);
  });

  it('forgets quietly when storage throws (disabled, quota)', () => {
    const broken: KeyValueStorage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    const memory = storedCookieMemory('k', broken);
    expect(() => memory.remember('s1', 'blocked')).not.toThrow();
    expect(memory.read('s1')).toBe('unknown');
  });
});
