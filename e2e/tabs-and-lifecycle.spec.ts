import { expect, test, type BrowserContext, type Page } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import { emulateVisibility, setVisibility } from './support/visibility.js';
import { events, promptNoneRequests, signInBySso, signInWithForm, waitForEvent } from './support/demo.js';

type Demo = Awaited<ReturnType<typeof startDemo>>;

const INTERVAL = 1000;
let demo: Demo;

test.beforeEach(async () => {
  demo = await startDemo({ interval: INTERVAL, frontChannel: false, monitor: { maxRetryDelay: 3000 } });
});

test.afterEach(async () => {
  await demo.close();
});

/** Opens `count` more tabs of app A (already signed in through `first`). */
async function openTabs(context: BrowserContext, count: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    await page.goto(`${demo.a.origin}/`);
    await page.locator('body[data-ready="true"]').waitFor();
    pages.push(page);
  }
  return pages;
}

/** The tabs that currently hold an OP iframe: the leaders. */
async function leaders(pages: Page[]): Promise<Page[]> {
  const result: Page[] = [];
  for (const page of pages) {
    if (page.isClosed()) continue;
    if ((await page.locator('iframe[id^="oidc-session-monitor-op-frame"]').count()) > 0) result.push(page);
  }
  return result;
}

test('five tabs of one app: one poller, one prompt=none per OP session change, everyone refreshed', async ({ context }) => {
  const first = await context.newPage();
  await signInWithForm(first, demo.a.origin);
  const tabs = [first, ...(await openTabs(context, 4))];
  await expect.poll(async () => (await leaders(tabs)).length, { timeout: 10_000 }).toBe(1);
  const [leader] = await leaders(tabs);
  await waitForEvent(leader!, 'status', { detail: { status: 'unchanged' } });

  demo.op.clearRequests();
  const b = await context.newPage();
  await signInBySso(b, demo.b.origin);
  for (const tab of tabs) await waitForEvent(tab, 'refreshed', { timeout: 15_000 });
  // Three more polls of the leader, each a chance for any tab to send another prompt=none: none does.
  const polls = (await events(leader!)).filter((e) => e.event === 'status').length;
  await waitForEvent(leader!, 'status', { count: polls + 3, timeout: 6 * INTERVAL });
  expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(1);
  // Followers made no request to the OP of their own: no extra iframes, no extra re-checks.
  expect((await leaders(tabs)).length).toBe(1);
});

test('a logout in one tab signs the other tabs out without any OP traffic from them', async ({ context }) => {
  const first = await context.newPage();
  await signInWithForm(first, demo.a.origin);
  const others = await openTabs(context, 3);
  await expect.poll(async () => (await leaders([first, ...others])).length, { timeout: 10_000 }).toBe(1);

  demo.op.clearRequests();
  await first.click('#sign-out');
  for (const tab of others) {
    const [signedOut] = await waitForEvent(tab, 'signedOut', { timeout: 5000 });
    expect(signedOut!.detail).toMatchObject({ reason: 'other-tab' });
    await expect(tab.locator('#user')).toHaveText('signed out');
  }
  // Only the logging-out tab talked to the OP (its end_session navigation and what follows it).
  expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(0);
  expect(demo.op.requests.filter((r) => r.path.endsWith('/check_session'))).toHaveLength(0);
});

test('when the leading tab closes, another takes over within one interval', async ({ context }) => {
  const first = await context.newPage();
  await signInWithForm(first, demo.a.origin);
  const tabs = [first, ...(await openTabs(context, 2))];
  await expect.poll(async () => (await leaders(tabs)).length, { timeout: 10_000 }).toBe(1);
  const [leader] = await leaders(tabs);
  const rest = tabs.filter((t) => t !== leader);
  await leader!.close();
  await expect.poll(async () => (await leaders(rest)).length, { timeout: 3 * INTERVAL }).toBe(1);
  const [next] = await leaders(rest);
  const before = (await events(next!)).filter((e) => e.event === 'status').length;
  await waitForEvent(next!, 'status', { count: before + 1, timeout: 3 * INTERVAL });
});

test('a hidden page does not poll; shown again, it checks at once', async ({ page }) => {
  await emulateVisibility(page);
  await signInWithForm(page, demo.a.origin);
  await waitForEvent(page, 'status', { count: 2 });
  const statusCount = async () => (await events(page)).filter((e) => e.event === 'status').length;
  await setVisibility(page, 'hidden');
  const hiddenAt = await statusCount();
  // A fixed wait that only shows that nothing happens: no poll in four intervals while hidden.
  await page.waitForTimeout(4 * INTERVAL);
  expect(await statusCount()).toBeLessThanOrEqual(hiddenAt + 1); // at most the poll already in flight
  const beforeShown = await statusCount();
  await setVisibility(page, 'visible');
  // The check runs on the visibilitychange itself, not at the next interval.
  await waitForEvent(page, 'status', { count: beforeShown + 1, timeout: INTERVAL / 2 });
});

test('an OP iframe that always answers changed: prompt=none is capped by the loop guard, nobody is signed out', async ({ page }) => {
  await page.route('**/check_session.js', (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      body: "window.addEventListener('message', function (e) { e.source.postMessage('changed', e.origin); });",
    }),
  );
  await signInWithForm(page, demo.a.origin);
  const [guard] = await waitForEvent(page, 'unavailable', { detail: { reason: 'loop-guard' }, timeout: 20_000 });
  expect(guard!.detail).toMatchObject({ retrying: true });
  // A fixed wait that only shows that nothing happens: the guard pauses polling (nothing to wait for until its
  // retry, a minute away), and in three intervals no fourth prompt=none and no sign-out come.
  await page.waitForTimeout(3 * INTERVAL);
  expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(3);
  expect((await events(page)).filter((e) => e.event === 'signedOut')).toEqual([]);
  await expect(page.locator('#user')).not.toHaveText('signed out');
});

test('anonymous monitoring: a signed-out app hears of a sign-in elsewhere; the post-logout page polls once more', async ({ context }) => {
  demo.a.configure({ monitor: { interval: INTERVAL, anonymous: true } });
  const a = await context.newPage();
  await a.goto(`${demo.a.origin}/`);
  await a.locator('body[data-ready="true"]').waitFor();
  await waitForEvent(a, 'status', { detail: { status: 'unchanged' } });
  expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(1); // learning the anonymous session_state

  const b = await context.newPage();
  await signInWithForm(b, demo.b.origin);
  const [signedIn] = await waitForEvent(a, 'signedIn', { timeout: 10_000 });
  expect(signedIn!.detail).toMatchObject({ sub: 'alice' });
  await expect(a.locator('#user')).toContainText('sub alice');

  // A logs out; its post-logout page keeps watching, starting with the session_state A had.
  await a.click('#sign-out');
  await a.waitForURL(`${demo.a.origin}/signed-out.html**`);
  const [first] = await waitForEvent(a, 'status', { timeout: 10_000 });
  expect(first!.detail).toMatchObject({ status: 'changed' });
});
