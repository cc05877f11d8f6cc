// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { BrowserStore, MAX_BROWSERS } from '../../src/mock-op/browser-state.js';

describe('the browsers a mock OP remembers', () => {
  it('stay bounded however many cookie-less requests come in, keeping browsers with a session or an open iframe', () => {
    const store = new BrowserStore('browser');
    const signedIn = store.create();
    store.loginInteractive(signedIn, 'alice', 'app');
    const watched = store.create();
    const unsubscribe = store.subscribe(watched.id, () => {});
    const first = store.create();
    let last = first;
    for (let i = 0; i < 3 * MAX_BROWSERS; i++) last = store.create();
    expect(store.size).toBeLessThanOrEqual(MAX_BROWSERS);
    expect(store.get(signedIn.id)).toBe(signedIn);
    expect(store.get(watched.id)).toBe(watched);
    expect(store.get(last.id)).toBe(last);
    // The oldest anonymous browser is the one forgotten.
    expect(store.get(first.id)).toBeUndefined();
    unsubscribe();
  });
});
