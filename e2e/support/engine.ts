// One definition of each end-to-end scenario, two browser engines. The specs import `test` and `expect` from here:
// the project (playwright.config.ts) chooses the engine, and the `browser`, `context` and `page` fixtures hand the
// specs Playwright's Chromium or Firefox behind the same Page and BrowserContext API (see ./firefox.ts).
import { expect as baseExpect, test as base, type Browser, type BrowserContext, type Locator } from '@playwright/test';

export type { Browser, BrowserContext, Page } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './browser.mjs';
import { launchCrossSite, type ThirdPartyCookies } from './cross-site.js';
import { FirefoxLocator, launchFirefox, type FirefoxMode } from './firefox.js';

export type Engine = 'chromium' | 'firefox';

export interface EngineOptions {
  /** The browser engine of this project. */
  engine: Engine;
  /** Firefox's tracking protection in this project (ignored by Chromium). */
  firefoxMode: FirefoxMode;
}

export interface EngineFixtures {
  /** A browser of this project's engine for the cross-site scenarios (see ./cross-site.ts); closed after the test. */
  crossSite(thirdPartyCookies: ThirdPartyCookies, firefox?: { storageAccessGrantSeconds?: number }): Promise<BrowserContext>;
}

export const test = base.extend<EngineFixtures, EngineOptions>({
  engine: ['chromium', { option: true, scope: 'worker' }],
  firefoxMode: ['standard', { option: true, scope: 'worker' }],

  browser: [
    async ({ engine, firefoxMode, playwright, launchOptions }, use) => {
      const browser: Browser =
        engine === 'firefox'
          ? await launchFirefox({ mode: firefoxMode })
          : await playwright.chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true, ...launchOptions });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  context: async ({ browser, ignoreHTTPSErrors }, use) => {
    const context = await browser.newContext(ignoreHTTPSErrors ? { ignoreHTTPSErrors } : {});
    await use(context);
    await context.close();
  },

  page: async ({ context }, use) => {
    await use(await context.newPage());
  },

  crossSite: async ({ engine, firefoxMode }, use) => {
    const launched: Array<{ close(): Promise<void> }> = [];
    await use(async (thirdPartyCookies, firefox) => {
      const browser = await launchCrossSite(thirdPartyCookies, { engine, firefoxMode }, firefox);
      launched.push(browser);
      return browser.context;
    });
    for (const browser of launched) await browser.close();
  },
});

type LocatorLike = Pick<Locator, 'count' | 'textContent' | 'getAttribute' | 'isVisible'>;

const normalize = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Playwright's web-first locator assertions, for the Firefox locators: the same polling (until the expectation holds
 * or the timeout passes, 5 s by default), the same text rules (whitespace normalized; a RegExp is searched). Playwright's
 * own locators go to Playwright's own matchers.
 */
function locatorMatcher(
  name: 'toHaveText' | 'toContainText' | 'toHaveAttribute' | 'toBeVisible' | 'toBeHidden' | 'toHaveCount',
  arity: number,
  read: (locator: LocatorLike, args: unknown[]) => Promise<unknown>,
  holds: (value: unknown, args: unknown[]) => boolean,
) {
  return async function (this: { isNot: boolean }, received: unknown, ...rest: unknown[]) {
    if (!(received instanceof FirefoxLocator)) {
      const target = baseExpect(received as Locator);
      try {
        await ((this.isNot ? target.not : target)[name] as (...a: unknown[]) => Promise<void>)(...rest);
        return { pass: !this.isNot, message: () => `${name} held`, name };
      } catch (error) {
        return { pass: this.isNot, message: () => (error as Error).message, name };
      }
    }
    const args = rest.slice(0, arity);
    const options = rest[arity] as { timeout?: number } | undefined;
    const deadline = Date.now() + (options?.timeout ?? 5000);
    for (;;) {
      const value = await read(received as unknown as LocatorLike, args);
      const pass = holds(value, args);
      if (pass !== this.isNot || Date.now() > deadline) {
        return {
          pass,
          name,
          message: () => `expect(${received.selector}).${this.isNot ? 'not.' : ''}${name}(${args.map((a) => String(a)).join(', ')}) — received ${JSON.stringify(value)}`,
        };
      }
      // The pace of a wait for a condition (checked above), not a wait of its own.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
}

const textHolds = (substring: boolean) => (value: unknown, [expected]: unknown[]) => {
  if (typeof value !== 'string') return false;
  if (expected instanceof RegExp) return expected.test(value);
  return substring ? normalize(value).includes(normalize(String(expected))) : normalize(value) === normalize(String(expected));
};

export const expect = baseExpect.extend({
  toHaveText: locatorMatcher('toHaveText', 1, (l) => l.textContent(), textHolds(false)),
  toContainText: locatorMatcher('toContainText', 1, (l) => l.textContent(), textHolds(true)),
  toHaveAttribute: locatorMatcher(
    'toHaveAttribute',
    2,
    (l, [attribute]) => l.getAttribute(String(attribute)),
    (value, [, expected]) => typeof value === 'string' && (expected instanceof RegExp ? expected.test(value) : value === expected),
  ),
  toBeVisible: locatorMatcher('toBeVisible', 0, (l) => l.isVisible(), (value) => value === true),
  toBeHidden: locatorMatcher('toBeHidden', 0, (l) => l.isVisible(), (value) => value === false),
  toHaveCount: locatorMatcher('toHaveCount', 1, (l) => l.count(), (value, [expected]) => value === expected),
});
