import { afterEach, describe, expect, it, vi } from 'vitest';
import { pageLifecycle } from '../../src/monitor/page-lifecycle.js';
import type { LifecycleSignal } from '../../src/monitor/ports.js';
import { trackListeners } from '../support/listeners.js';

function setVisibility(state: DocumentVisibilityState): void {
  vi.spyOn(document, 'visibilityState', 'get').mockReturnValue(state);
}

function subscribe() {
  const signals: LifecycleSignal[] = [];
  const unsubscribe = pageLifecycle(window, document).subscribe((signal) => signals.push(signal));
  return { signals, unsubscribe };
}

// happy-dom's PageTransitionEvent is a plain Event without `persisted`.
const pageShow = (persisted: boolean) => window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted }));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('page lifecycle', () => {
  it('reports hidden and visible from visibilitychange, and isVisible follows the page', () => {
    const lifecycle = pageLifecycle(window, document);
    const signals: LifecycleSignal[] = [];
    const unsubscribe = lifecycle.subscribe((signal) => signals.push(signal));
    setVisibility('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    expect(lifecycle.isVisible()).toBe(false);
    setVisibility('visible');
    document.dispatchEvent(new Event('visibilitychange'));
    expect(lifecycle.isVisible()).toBe(true);
    expect(signals).toEqual(['hidden', 'visible']);
    unsubscribe();
  });

  it('asks for a check at once on focus', () => {
    const { signals, unsubscribe } = subscribe();
    window.dispatchEvent(new Event('focus'));
    expect(signals).toEqual(['resume']);
    unsubscribe();
  });

  it('asks for a check at once when the browser is back online', () => {
    const { signals, unsubscribe } = subscribe();
    window.dispatchEvent(new Event('online'));
    expect(signals).toEqual(['resume']);
    unsubscribe();
  });

  it('asks for a check on a restore from the back/forward cache, not on an ordinary page show', () => {
    const { signals, unsubscribe } = subscribe();
    pageShow(false);
    expect(signals).toEqual([]);
    pageShow(true);
    expect(signals).toEqual(['resume']);
    unsubscribe();
  });

  it('after unsubscribe no listener is left and no signal arrives', () => {
    const onWindow = trackListeners(window);
    const onDocument = trackListeners(document);
    const { signals, unsubscribe } = subscribe();
    expect([onDocument('visibilitychange'), onWindow('focus'), onWindow('online'), onWindow('pageshow')]).toEqual([1, 1, 1, 1]);

    unsubscribe();
    expect([onDocument('visibilitychange'), onWindow('focus'), onWindow('online'), onWindow('pageshow')]).toEqual([0, 0, 0, 0]);
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('focus'));
    window.dispatchEvent(new Event('online'));
    pageShow(true);
    expect(signals).toEqual([]);
  });
});
