// Browser-side helpers shared by the scenarios: contexts with the instrumentation, sign-in, waiting.
import { fileURLToPath } from 'node:url';

const INSTRUMENT = fileURLToPath(new URL('./instrument.js', import.meta.url));

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh browser context (its own cookies and storage, so its own OP session) with the instrumentation. */
export async function newContext(browser) {
  const context = await browser.newContext();
  await context.addInitScript({ path: INSTRUMENT });
  return context;
}

export function appUrl(server, query = {}) {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  return `${server.origin}/index.html${search ? `?${search}` : ''}`;
}

/** Opens the bench app and waits until its script has run. */
export async function openApp(page, server, query = {}) {
  await page.goto(appUrl(server, query));
  await page.waitForFunction(() => window.bench?.ready === true, undefined, { timeout: 20_000 });
}

/**
 * Signs in to the bench app at `server`: through the OP's login form, or (`sso: true`) through the OP's
 * existing session, where no form may appear. Leaves the page on the app, ready, with a user.
 */
export async function signIn(page, server, query = {}, { sso = false, user = 'alice' } = {}) {
  await openApp(page, server, query);
  const back = (url) => url.origin === server.origin && url.pathname === '/index.html';
  await page.evaluate(() => window.bench.signIn());
  if (!sso) {
    await page.waitForSelector('input[name="username"]', { timeout: 20_000 });
    await page.fill('input[name="username"]', user);
    await page.fill('input[name="password"]', user);
    await page.click('button[type="submit"]');
  }
  await page.waitForURL((url) => back(new URL(url)), { timeout: 20_000 });
  await page.waitForFunction(() => window.bench?.ready === true && window.bench.user !== null, undefined, { timeout: 20_000 });
}

/** Waits until the page has recorded `event` (`count` times) after index `from`; returns those records. */
export async function waitForEvent(page, event, { from = 0, count = 1, timeout = 20_000 } = {}) {
  await page.waitForFunction(
    ({ event, from, count }) => window.bench.events.slice(from).filter((e) => e.event === event).length >= count,
    { event, from, count },
    { timeout, polling: 10 },
  );
  return page.evaluate(({ event, from }) => window.bench.events.slice(from).filter((e) => e.event === event), { event, from });
}

/** Waits until the page's top window has received `count` check_session replies. */
export async function waitForReplies(page, count = 1, timeout = 20_000) {
  await page.waitForFunction((count) => window.__bench.replies.length >= count, count, { timeout, polling: 10 });
}

export async function replies(page) {
  return page.evaluate(() => window.__bench.replies);
}

/**
 * The first check_session reply `data` (`changed`, …) that reached the page's top window at or after `since`
 * (`Date.now()`), from `origin` if given; undefined if there is none.
 */
export async function firstReply(page, data, { since = 0, origin } = {}) {
  return (await replies(page)).find((r) => r.data === data && r.t >= since && (origin === undefined || r.origin === origin));
}

/**
 * The OP iframes (check_session) open right now across `pages`: not other iframes, such as the blank one ours keeps
 * ready for a re-check.
 */
export async function framesOpen(pages) {
  let total = 0;
  for (const page of pages) {
    if (page.isClosed()) continue;
    total += await page.evaluate(() => document.querySelectorAll('iframe[src*="check_session"]').length);
  }
  return total;
}

/** Runs `fn` with a fresh context and closes it afterwards, whatever happens. */
export async function withContext(browser, fn) {
  const context = await newContext(browser);
  try {
    return await fn(context);
  } finally {
    await context.close().catch(() => {});
  }
}
