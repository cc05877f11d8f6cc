import type { Lifecycle, LifecycleSignal } from './ports.js';

/**
 * The page's lifecycle as the monitor needs it: `visibilitychange` (Page Visibility), `focus`, `online`, and
 * `pageshow` with `persisted` (a restore from the back/forward cache, where timers did not run).
 *
 * @see https://html.spec.whatwg.org/multipage/interaction.html#page-visibility
 */
export function pageLifecycle(win: Window = window, doc: Document = document): Lifecycle {
  return {
    isVisible: () => doc.visibilityState !== 'hidden',
    subscribe(handler: (signal: LifecycleSignal) => void) {
      const onVisibility = () => handler(doc.visibilityState === 'hidden' ? 'hidden' : 'visible');
      const onResume = () => handler('resume');
      const onPageShow = (event: PageTransitionEvent) => {
        if (event.persisted) handler('resume');
      };
      doc.addEventListener('visibilitychange', onVisibility);
      win.addEventListener('focus', onResume);
      win.addEventListener('online', onResume);
      win.addEventListener('pageshow', onPageShow);
      return () => {
        doc.removeEventListener('visibilitychange', onVisibility);
        win.removeEventListener('focus', onResume);
        win.removeEventListener('online', onResume);
        win.removeEventListener('pageshow', onPageShow);
      };
    },
  };
}
