// Firefox for the end-to-end suite: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi (Playwright's
// own Firefox cannot be downloaded here, and its BiDi client needs commands that Firefox ESR does not have yet).
// The specs are written against Playwright's Page and BrowserContext; the classes below implement the part of those
// APIs that the specs use, on top of puppeteer-core, so that one spec runs in both engines.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import puppeteer from 'puppeteer-core';
import type * as pptr from 'puppeteer-core';
import { FIREFOX_PREFS, findFirefox } from './browser.mjs';

/**
 * Firefox's tracking protection as a user sets it: `standard` (the default: Total Cookie Protection partitions
 * third-party cookies and storage) or `strict` (Enhanced Tracking Protection "Strict", set through the same
 * preference as the settings page, which Firefox expands into its underlying preferences at start-up).
 *
 * Checked in the profile's prefs.js after a run: with `strict`, Firefox 153 turns on tracking protection, social and
 * email tracking protection, fingerprinting protection, query stripping and bounce-tracking protection. With
 * `standard`, puppeteer's automation preferences (`privacy.trackingprotection.enabled: false`, already the default in
 * normal windows) make Firefox label the category "custom", but every cookie preference keeps its default:
 * `network.cookie.cookieBehavior` 5, Total Cookie Protection.
 */
export type FirefoxMode = 'standard' | 'strict';

/** Every host name the suite uses, resolved to loopback (Firefox's counterpart of Chromium's `--host-resolver-rules`). */
export const TEST_HOST_NAMES = ['op.test', 'a.test', 'b.test', 'op.example.test', 'rp.example.test', 'elsewhere.test'];

/**
 * The heuristics by which Firefox grants a third-party iframe its unpartitioned cookies after a redirect, a
 * navigation or a popup through that site. Turned off, they model the common case where no grant is in force:
 * the grant has expired, or the user signed in to the OP from another site.
 */
const STORAGE_ACCESS_HEURISTICS = ['redirect', 'navigation', 'recently_visited', 'opened_window_after_interaction', 'window_open'];

export interface FirefoxLaunchOptions {
  mode: FirefoxMode;
  /** Turn off the storage-access heuristics (see above). Default false: Firefox as shipped. */
  noStorageAccessHeuristics?: boolean;
  /** Let a storage-access grant (and the user interaction it rests on) lapse after this many seconds. */
  storageAccessGrantSeconds?: number;
}

/** The profile preferences for a mode. */
export function firefoxPrefs(options: FirefoxLaunchOptions): Record<string, unknown> {
  const prefs: Record<string, unknown> = {
    'network.dns.localDomains': TEST_HOST_NAMES.join(','),
    ...FIREFOX_PREFS,
  };
  if (options.mode === 'strict') prefs['browser.contentblocking.category'] = 'strict';
  if (options.storageAccessGrantSeconds !== undefined) {
    for (const name of ['privacy.restrict3rdpartystorage.expiration', 'privacy.restrict3rdpartystorage.expiration_redirect', 'privacy.restrict3rdpartystorage.expiration_visited', 'privacy.userInteraction.expiration']) {
      prefs[name] = options.storageAccessGrantSeconds;
    }
  }
  if (options.noStorageAccessHeuristics) {
    for (const name of STORAGE_ACCESS_HEURISTICS) prefs[`privacy.restrict3rdpartystorage.heuristic.${name}`] = false;
  }
  return prefs;
}

/** Starts a headless Firefox (each page in its own window, so every page is visible, as in headless Chromium). */
export async function launchFirefox(options: FirefoxLaunchOptions): Promise<Browser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: findFirefox(),
    headless: true,
    acceptInsecureCerts: true,
    extraPrefsFirefox: firefoxPrefs(options),
  });
  return new FirefoxBrowser(browser) as unknown as Browser;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Playwright's URL glob: `**` any characters, `*` any characters but `/`. */
function urlMatcher(pattern: string | RegExp | ((url: URL) => boolean)): (url: string) => boolean {
  if (typeof pattern === 'function') return (url) => pattern(new URL(url));
  if (pattern instanceof RegExp) return (url) => pattern.test(url);
  if (!pattern.includes('*')) return (url) => url === pattern;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`);
  return (url) => re.test(url);
}

/** Errors thrown while a page navigates: the probe is simply retried. */
function isNavigationRace(error: unknown): boolean {
  return /context|navigat|detached|destroyed|no such (frame|handle|node)|target closed|stale/i.test(String(error));
}

/** Polls `probe` every 50 ms until it returns something other than `undefined`, or fails after `timeout` ms. */
async function poll<T>(what: string, timeout: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (!isNavigationRace(error)) throw error;
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    // The pace of a wait for a condition (checked above), not a wait of its own.
    await sleep(50);
  }
}

const DEFAULT_TIMEOUT = 30_000;

/** Playwright's `Browser`: each context is a WebDriver BiDi user context (its own cookies and storage). */
class FirefoxBrowser {
  constructor(private readonly browser: pptr.Browser) {}

  async newContext(): Promise<BrowserContext> {
    return new FirefoxContext(await this.browser.createBrowserContext(), this) as unknown as BrowserContext;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

type InitScript = { fn: (...args: never[]) => unknown; arg: unknown };

class FirefoxContext {
  private readonly openPages: FirefoxPage[] = [];
  private readonly initScripts: InitScript[] = [];
  private readonly bindings: Array<[string, (...args: never[]) => unknown]> = [];

  constructor(
    readonly native: pptr.BrowserContext,
    private readonly owner: FirefoxBrowser,
  ) {}

  browser(): Browser {
    return this.owner as unknown as Browser;
  }

  async newPage(): Promise<Page> {
    const native = await this.native.newPage({ type: 'window' });
    native.setDefaultTimeout(DEFAULT_TIMEOUT);
    const page = new FirefoxPage(native, this);
    for (const [name, fn] of this.bindings) await native.exposeFunction(name, fn as (...args: unknown[]) => unknown);
    for (const { fn, arg } of this.initScripts) await native.evaluateOnNewDocument(fn as (arg: unknown) => unknown, arg);
    this.openPages.push(page);
    native.once('close', () => this.openPages.splice(this.openPages.indexOf(page), 1));
    return page as unknown as Page;
  }

  pages(): Page[] {
    return [...this.openPages] as unknown as Page[];
  }

  async addInitScript(fn: (arg: never) => unknown, arg?: unknown): Promise<void> {
    this.initScripts.push({ fn, arg });
    for (const page of this.openPages) await page.addInitScript(fn, arg);
  }

  async exposeFunction(name: string, fn: (...args: never[]) => unknown): Promise<void> {
    this.bindings.push([name, fn]);
    for (const page of this.openPages) await page.native.exposeFunction(name, fn as (...args: unknown[]) => unknown);
  }

  /** Playwright's `cookies(urls)`: the cookies that would be sent to one of `urls` (all cookies without). */
  async cookies(urls?: string | string[]): Promise<Array<{ name: string; value: string; domain: string; path: string; secure: boolean; httpOnly: boolean; sameSite: string; expires: number }>> {
    const all = await this.native.cookies();
    const list = urls === undefined ? [] : (Array.isArray(urls) ? urls : [urls]).map((u) => new URL(u));
    return all
      .filter((c) => {
        if (list.length === 0) return true;
        return list.some((u) => {
          const domain = c.domain.startsWith('.') ? c.domain.slice(1) : c.domain;
          const hostOk = u.hostname === domain || (c.domain.startsWith('.') && u.hostname.endsWith(`.${domain}`));
          return hostOk && u.pathname.startsWith(c.path) && (!c.secure || u.protocol === 'https:');
        });
      })
      .map((c) => ({ name: c.name, value: c.value, domain: c.domain, path: c.path, secure: c.secure, httpOnly: c.httpOnly === true, sameSite: c.sameSite ?? 'None', expires: c.expires }));
  }

  async close(): Promise<void> {
    await this.native.close();
  }
}

/** What a route handler gets (Playwright's `Route`, the part the specs use). */
class FirefoxRoute {
  handled = false;
  constructor(private readonly req: pptr.HTTPRequest) {}

  request(): { url(): string; method(): string } {
    return { url: () => this.req.url(), method: () => this.req.method() };
  }

  async fulfill(options: { status?: number; contentType?: string; body?: string; headers?: Record<string, string>; json?: unknown; response?: { status(): number; headers(): Record<string, string> } }): Promise<void> {
    this.handled = true;
    const json = options.json !== undefined;
    const headers = { ...(options.response?.headers() ?? {}), ...(options.headers ?? {}) };
    // The body is replaced: drop what described the original one.
    delete headers['content-length'];
    delete headers['content-encoding'];
    await this.req.respond({
      status: options.status ?? options.response?.status() ?? 200,
      headers,
      contentType: options.contentType ?? (json ? 'application/json' : headers['content-type'] ?? 'text/plain'),
      body: json ? JSON.stringify(options.json) : (options.body ?? ''),
    });
  }

  /** Fetches the original request from Node (the suite's servers are all on loopback). */
  async fetch(): Promise<{ status(): number; headers(): Record<string, string>; json(): Promise<unknown>; text(): Promise<string> }> {
    const response = await fetch(this.req.url(), { method: this.req.method(), headers: this.req.headers(), ...(this.req.hasPostData() ? { body: this.req.postData() ?? '' } : {}) });
    const text = await response.text();
    const headers = Object.fromEntries(response.headers.entries());
    return { status: () => response.status, headers: () => headers, json: async () => JSON.parse(text), text: async () => text };
  }

  async continue(): Promise<void> {
    this.handled = true;
    await this.req.continue();
  }

  async abort(): Promise<void> {
    this.handled = true;
    await this.req.abort();
  }
}

type RouteHandler = (route: FirefoxRoute) => unknown;

class FirefoxPage {
  private routes: Array<{ pattern: unknown; matches: (url: string) => boolean; handler: RouteHandler }> = [];

  constructor(
    readonly native: pptr.Page,
    private readonly owner: FirefoxContext,
  ) {}

  context(): BrowserContext {
    return this.owner as unknown as BrowserContext;
  }

  /** Playwright's `page.request`, the part the specs use: a GET from Node (without the browser's cookies). */
  readonly request = {
    async get(url: string): Promise<{ status(): number; headers(): Record<string, string>; text(): Promise<string> }> {
      const response = await fetch(url);
      const text = await response.text();
      const headers = Object.fromEntries(response.headers.entries());
      return { status: () => response.status, headers: () => headers, text: async () => text };
    },
  };

  /** Playwright's `page.mouse`, the part the specs use: moves that the page sees as pointer events. */
  readonly mouse = {
    move: async (x: number, y: number): Promise<void> => {
      await this.native.mouse.move(x, y);
    },
  };

  async addScriptTag(options: { url: string }): Promise<void> {
    await this.native.addScriptTag({ url: new URL(options.url, this.native.url()).href });
  }

  url(): string {
    return this.native.url();
  }

  isClosed(): boolean {
    return this.native.isClosed();
  }

  async close(): Promise<void> {
    if (!this.native.isClosed()) await this.native.close();
  }

  async goto(url: string, options: { timeout?: number } = {}): Promise<{ status(): number; headers(): Record<string, string> } | null> {
    const response = await this.native.goto(url, { waitUntil: 'load', timeout: options.timeout ?? DEFAULT_TIMEOUT });
    return response && { status: () => response.status(), headers: () => response.headers() };
  }

  async reload(): Promise<void> {
    await this.native.reload({ waitUntil: 'load' });
  }

  async bringToFront(): Promise<void> {
    await this.native.bringToFront();
  }

  async waitForTimeout(ms: number): Promise<void> {
    await sleep(ms);
  }

  async evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    return (await this.native.evaluate(fn as (arg: unknown) => R, arg)) as R;
  }

  async waitForFunction<A>(fn: (arg: A) => unknown, arg?: A, options: { timeout?: number } = {}): Promise<void> {
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    // Polled in Node rather than in the page, so that a navigation in between is just another attempt.
    await poll(`a function to be truthy in ${this.url()}`, timeout, async () => ((await this.native.evaluate(fn as (arg: unknown) => unknown, arg)) ? true : undefined));
  }

  async waitForURL(pattern: string | RegExp | ((url: URL) => boolean), options: { timeout?: number } = {}): Promise<void> {
    const matches = urlMatcher(pattern);
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    await poll(`the URL ${String(pattern)} (at ${this.url()})`, timeout, async () => {
      if (!matches(this.native.url())) return undefined;
      // Like Playwright: the matching page has also fired its load event.
      return (await this.native.evaluate(() => document.readyState === 'complete')) && matches(this.native.url()) ? true : undefined;
    });
  }

  locator(selector: string): FirefoxLocator {
    return new FirefoxLocator(this, selector);
  }

  async click(selector: string): Promise<void> {
    await this.locator(selector).click();
  }

  async fill(selector: string, value: string): Promise<void> {
    await this.locator(selector).fill(value);
  }

  async addInitScript(fn: (arg: never) => unknown, arg?: unknown): Promise<void> {
    await this.native.evaluateOnNewDocument(fn as (arg: unknown) => unknown, arg);
  }

  async exposeFunction(name: string, fn: (...args: never[]) => unknown): Promise<void> {
    await this.native.exposeFunction(name, fn as (...args: unknown[]) => unknown);
  }

  on(event: 'console', listener: (message: { text(): string; type(): string }) => void): this {
    this.native.on(event, listener);
    return this;
  }

  async waitForEvent(event: 'console', predicate: (message: { text(): string }) => boolean): Promise<{ text(): string }> {
    return new Promise((resolve) => {
      const listener = (message: pptr.ConsoleMessage) => {
        if (!predicate(message)) return;
        this.native.off(event, listener);
        resolve(message);
      };
      this.native.on(event, listener);
    });
  }

  async route(pattern: string | RegExp | ((url: URL) => boolean), handler: RouteHandler): Promise<void> {
    if (this.routes.length === 0) {
      await this.native.setRequestInterception(true);
      this.native.on('request', (req) => void this.onRequest(req));
    }
    // The latest route wins, as in Playwright.
    this.routes.unshift({ pattern, matches: urlMatcher(pattern), handler });
  }

  async unroute(pattern: string | RegExp | ((url: URL) => boolean)): Promise<void> {
    // Routes are compared by their pattern, as Playwright does when no handler is given.
    this.routes = this.routes.filter((r) => r.pattern !== pattern);
  }

  private async onRequest(req: pptr.HTTPRequest): Promise<void> {
    const route = this.routes.find((r) => r.matches(req.url()));
    if (!route) {
      await req.continue().catch(() => undefined);
      return;
    }
    await route.handler(new FirefoxRoute(req));
  }
}

/** Playwright's `Locator` for a CSS selector (strict mode aside): waits, actions and reads. */
export class FirefoxLocator {
  constructor(
    private readonly page: FirefoxPage,
    readonly selector: string,
    private readonly index?: number,
  ) {}

  first(): FirefoxLocator {
    return new FirefoxLocator(this.page, this.selector, 0);
  }

  /** Runs `fn` on the matching elements in the page; a navigation in between is waited out. */
  private async eval<R, A>(fn: (elements: Element[], arg: A) => R, arg?: A): Promise<R> {
    // One script.evaluate (no element handles that a navigation could invalidate between two calls).
    const expression = `(${fn.toString()})([...document.querySelectorAll(${JSON.stringify(this.selector)})], ${JSON.stringify(arg ?? null)})`;
    const { result } = await poll(`${this.selector} to be readable`, DEFAULT_TIMEOUT, async () => ({ result: (await this.page.native.evaluate(expression)) as R }));
    return result;
  }

  async evaluateAll<R, A>(fn: (elements: Element[], arg: A) => R, arg?: A): Promise<R> {
    return this.eval(fn, arg);
  }

  async count(): Promise<number> {
    const n = await this.eval((elements) => elements.length);
    return this.index === undefined ? n : Math.min(n, 1);
  }

  async textContent(): Promise<string | null> {
    return this.eval((elements) => elements[0]?.textContent ?? null);
  }

  async getAttribute(name: string): Promise<string | null> {
    return this.eval((elements, n: string) => elements[0]?.getAttribute(n) ?? null, name);
  }

  async isVisible(): Promise<boolean> {
    return this.eval((elements) => {
      const el = elements[0];
      if (!el) return false;
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    });
  }

  async waitFor(options: { state?: 'visible' | 'attached'; timeout?: number } = {}): Promise<void> {
    const state = options.state ?? 'visible';
    await poll(`${this.selector} to be ${state}`, options.timeout ?? DEFAULT_TIMEOUT, async () => {
      if (state === 'attached') return (await this.count()) > 0 ? true : undefined;
      return (await this.isVisible()) ? true : undefined;
    });
  }

  async click(): Promise<void> {
    await this.waitFor();
    await this.page.native.locator(this.selector).click();
  }

  /** Playwright's `dispatchEvent`: that one event on the element, nothing before it (a `click` without pointer events). */
  async dispatchEvent(type: string): Promise<void> {
    await this.waitFor({ state: 'attached' });
    await this.eval((elements, t: string) => {
      const init = { bubbles: true, cancelable: true, composed: true };
      elements[0]?.dispatchEvent(t === 'click' ? new MouseEvent(t, init) : new Event(t, init));
    }, type);
  }

  async fill(value: string): Promise<void> {
    await this.waitFor();
    await this.page.native.locator(this.selector).fill(value);
  }

  async check(): Promise<void> {
    await this.waitFor();
    const checked = await this.eval((elements) => (elements[0] as HTMLInputElement | undefined)?.checked === true);
    if (!checked) await this.page.native.locator(this.selector).click();
  }
}
