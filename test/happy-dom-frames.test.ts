import { afterEach, describe, expect, it, vi } from 'vitest';

// The unit suite's iframes (test/support/happy-dom-frames.ts): each loads an empty stand-in page from no network,
// so that a passing run prints no stack trace for them.

afterEach(() => {
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe("the unit suite's iframes", () => {
  it.each([
    ['an OP page', 'https://op.example/check_session'],
    ['no src (about:blank)', undefined],
  ])('load %s without a word on the console', async (_what, src) => {
    const error = vi.spyOn(console, 'error');
    const iframe = document.createElement('iframe');
    const settled = new Promise((resolve) => {
      iframe.addEventListener('load', () => resolve('load'), { once: true });
      iframe.addEventListener('error', () => resolve('error'), { once: true });
    });
    if (src) iframe.src = src;
    document.body.appendChild(iframe);
    expect(await settled).toBe('load');
    expect(error).not.toHaveBeenCalled();
  });
});
