import type { BrowserContext, Page } from './engine.js';

/**
 * Page Visibility emulated in the real browser (top-level documents only): headless Chromium shows every tab at
 * once, a real window shows one. The SDK reads `document.visibilityState` and listens to `visibilitychange`,
 * exactly as it would when the user switches tabs.
 */
export async function emulateVisibility(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript(() => {
    if (window !== window.top) return;
    let state: DocumentVisibilityState = 'visible';
    Object.defineProperty(document, 'visibilityState', { get: () => state, configurable: true });
    Object.defineProperty(document, 'hidden', { get: () => state === 'hidden', configurable: true });
    (window as unknown as { setVisibility(v: DocumentVisibilityState): void }).setVisibility = (v) => {
      state = v;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
}

export async function setVisibility(page: Page, visibility: DocumentVisibilityState): Promise<void> {
  await page.evaluate((v) => (window as unknown as { setVisibility(v: string): void }).setVisibility(v), visibility);
}
