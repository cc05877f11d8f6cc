// Firefox for the bench: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi, as in the e2e suite
// (e2e/support/firefox.ts, which is TypeScript and so out of reach of these .mjs scripts). The scenarios are written
// against Playwright's Browser, BrowserContext and Page; the classes below give them the few calls they make, so
// that one scenario runs in both engines. Anything else a scenario calls fails loudly rather than being faked.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { FIREFOX_PREFS, findFirefox } from '../../e2e/support/browser.mjs';

/**
 * The bench profile: Firefox as shipped (standard tracking protection: Total Cookie Protection partitions
 * third-party cookies and storage), with one measuring change. Firefox coarsens `performance.now()` to 1 ms
 * (`privacy.reduceTimerPrecision`); set to 100 µs, with Firefox's own jitter kept, it matches the clock that
 * Chromium gives a page that is not cross-origin isolated, so both engines are timed with the same resolution.
 */
export const BENCH_FIREFOX_PREFS = {
  ...FIREFOX_PREFS,
  'privacy.resistFingerprinting.reduceTimerPrecision.microseconds': 100,
};

export async function launchFirefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const executablePath = findFirefox();
  const native = await puppeteer.launch({ browser: 'firefox', executablePath, headless: true, extraPrefsFirefox: BENCH_FIREFOX_PREFS });
  const version = versionOf(executablePath) ?? (await native.version()).replace(/^firefox\//i, '');
  return { browser: new FirefoxBrowser(native, version), executablePath };
}

/** `153.7.0esr` from `Mozilla Firefox 153.7.0esr` (WebDriver BiDi reports the version without the `esr`). */
function versionOf(executablePath) {
  try {
    return execFileSync(executablePath, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim().split(' ').pop();
  } catch {
    return undefined;
  }
}

class FirefoxBrowser {
  constructor(native, version) {
    this.native = native;
    this.firefoxVersion = version;
  }

  version() {
    return this.firefoxVersion;
  }

  /** A WebDriver BiDi user context: its own cookies and storage, like a Playwright context. */
  async newContext() {
    return new FirefoxContext(await this.native.createBrowserContext());
  }

  async close() {
    await this.native.close();
  }
}

class FirefoxContext {
  constructor(native) {
    this.native = native;
    this.initScripts = [];
  }

  /** Playwright's `addInitScript({ path })`: run before any page script, in every frame of the pages opened later. */
  async addInitScript({ path }) {
    this.initScripts.push(await readFile(path, 'utf8'));
  }

  async newPage() {
    // Each page in a window of its own, so that every page is visible, as in headless Chromium.
    const native = await this.native.newPage({ type: 'window' });
    for (const source of this.initScripts) await native.evaluateOnNewDocument(source);
    return new FirefoxPage(native);
  }

  async close() {
    await this.native.close();
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class FirefoxPage {
  constructor(native) {
    this.native = native;
  }

  goto(url) {
    return this.native.goto(url, { waitUntil: 'load' });
  }

  reload() {
    return this.native.reload({ waitUntil: 'load' });
  }

  evaluate(fn, arg) {
    return this.native.evaluate(fn, arg);
  }

  /** Playwright's argument order (`fn, arg, options`); resolves with a handle whose `jsonValue()` is the result. */
  waitForFunction(fn, arg, { timeout = 30_000, polling = 'raf' } = {}) {
    return this.native.waitForFunction(fn, { timeout, polling }, arg);
  }

  /** Playwright's `waitForURL(predicate)`: the URL matches and the page has fired its load event. */
  async waitForURL(matches, { timeout = 30_000 } = {}) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const url = this.native.url();
      // A navigation can replace the document between the two reads: then it is just another attempt.
      const loaded = matches(new URL(url)) && (await this.native.evaluate(() => document.readyState === 'complete').catch(() => false));
      if (loaded && this.native.url() === url) return;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for the URL (at ${url})`);
      await sleep(50);
    }
  }

  waitForSelector(selector, { timeout = 30_000 } = {}) {
    return this.native.waitForSelector(selector, { timeout });
  }

  fill(selector, value) {
    return this.native.locator(selector).fill(value);
  }

  click(selector) {
    return this.native.locator(selector).click();
  }

  frames() {
    return this.native.frames();
  }

  mainFrame() {
    return this.native.mainFrame();
  }

  isClosed() {
    return this.native.isClosed();
  }

  close() {
    return this.native.close();
  }
}
