import { expect, test, type Page } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import type { MockOpRequest } from '../src/mock-op/index.js';
import { CROSS_SITE_HOSTNAMES } from './support/cross-site.js';
import { events, signInBySso, signInWithForm, waitForEvent } from './support/demo.js';

/**
 * Watching by re-check, against the mock OP playing node-oidc-provider 7 and later: no check_session_iframe, no
 * session_state, no front-channel logout. The monitor asks the OP with prompt=none when the page is shown, focused or
 * back online (never two within minRecheckInterval) and every recheckInterval while the page is visible.
 */
type Demo = Awaited<ReturnType<typeof startDemo>>;

const MIN_GAP = 1500;
let demo: Demo | undefined;

test.afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

async function start(recheckInterval: number, options: Parameters<typeof startDemo>[0] = {}): Promise<Demo> {
  demo = await startDemo({
    profile: 'node-oidc-provider-7',
    frontChannel: false,
    silentRequestTimeoutInSeconds: 4,
    monitor: { recheckInterval: Math.max(recheckInterval, 5000), minRecheckInterval: MIN_GAP, recheckTimeout: 8000 },
    ...options,
  });
  return demo;
}

/** The prompt=none authorization requests for `clientId` (node-oidc-provider's endpoint is `/auth`). */
function promptNone(requests: MockOpRequest[], clientId: string): MockOpRequest[] {
  return requests.filter((r) => r.query.prompt === 'none' && r.query.client_id === clientId);
}

/** What the browser fires when the user comes back to the window. */
function focus(page: Page): Promise<void> {
  return page.evaluate(() => void window.dispatchEvent(new Event('focus')));
}

const signedOutEvents = async (page: Page) => (await events(page)).filter((e) => e.event === 'signedOut');

test('no iframe: A is watched by prompt=none; SSO into B leaves A signed in; B signs out and A learns it at its next focus', async ({ context }) => {
  const d = await start(600_000);
  const a = await context.newPage();
  await signInWithForm(a, d.a.origin);
  // The page's first check: the OP knows alice.
  await waitForEvent(a, 'refreshed', { detail: { sub: 'alice' } });
  expect(await a.locator('iframe[src*="/session/check"]').count()).toBe(0);
  expect((await events(a)).filter((e) => e.event === 'unavailable' || e.event === 'status')).toEqual([]);

  const b = await context.newPage();
  await signInBySso(b, d.b.origin);
  await waitForEvent(b, 'refreshed', { detail: { sub: 'alice' } });
  // A comes back after B's sign-in: asked again, still alice.
  await focus(a);
  await waitForEvent(a, 'refreshed', { count: 2 });
  expect(await signedOutEvents(a)).toEqual([]);
  await expect(a.locator('#user')).toContainText('sub alice');

  // B signs out at the OP (node-oidc-provider asks first); no front-channel logout reaches A.
  await b.click('#sign-out');
  await b.locator('button[value="logout"]').click();
  await b.waitForURL(`${d.b.origin}/signed-out.html**`);
  await expect(b.locator('#result')).toHaveAttribute('data-verified', 'true');
  // The period is ten minutes: only the focus can tell A now.
  await focus(a);
  const [signedOut] = await waitForEvent(a, 'signedOut', { timeout: 15_000 });
  expect(signedOut!.detail).toMatchObject({ reason: 'login_required', sub: 'alice' });
  await expect(a.locator('#user')).toHaveText('signed out');
});

test('no iframe: a visible page that nobody touches learns of a logout elsewhere at its next period', async ({ context }) => {
  const d = await start(5000);
  const a = await context.newPage();
  await signInWithForm(a, d.a.origin);
  await waitForEvent(a, 'refreshed');
  const b = await context.newPage();
  await signInBySso(b, d.b.origin);
  await b.click('#sign-out');
  await b.locator('button[value="logout"]').click();
  await b.waitForURL(`${d.b.origin}/signed-out.html**`);
  const loggedOutAt = Date.now();
  const [signedOut] = await waitForEvent(a, 'signedOut', { timeout: 5000 + 10_000 });
  expect(signedOut!.detail).toMatchObject({ reason: 'login_required' });
  expect(Date.now() - loggedOutAt).toBeLessThan(5000 + 8000);
});

test('OP down: re-checks fail, nobody is signed out, and watching recovers when the OP is back', async ({ page }) => {
  const d = await start(5000);
  await signInWithForm(page, d.a.origin);
  await waitForEvent(page, 'refreshed');
  await d.op.outage('down');
  await focus(page);
  // Two failed re-checks (one on focus or at the period, one at the backed-off retry): each an `error`, never a sign-out.
  const failures = await waitForEvent(page, 'error', { count: 2, timeout: 40_000 });
  for (const failure of failures) expect(failure.detail).toMatchObject({ code: expect.stringMatching(/^recheck_(failed|timeout)$/) });
  expect(await signedOutEvents(page)).toEqual([]);
  await expect(page.locator('#user')).toContainText('sub alice');
  await d.op.outage(null);
  const before = (await events(page)).filter((e) => e.event === 'refreshed').length;
  await waitForEvent(page, 'refreshed', { count: before + 1, timeout: 40_000 });
  expect(await signedOutEvents(page)).toEqual([]);
  await expect(page.locator('#state')).toHaveText('monitoring');
});

test('six tabs of A: one prompt=none per period for all of them, and every tab hears the result', async ({ context }) => {
  const PERIOD = 5000;
  const d = await start(PERIOD);
  const tabs: Page[] = [];
  for (let i = 0; i < 6; i++) {
    const tab = await context.newPage();
    if (i === 0) await signInWithForm(tab, d.a.origin);
    else await tab.goto(`${d.a.origin}/`);
    await waitForEvent(tab, 'refreshed');
    tabs.push(tab);
  }
  const counts = await Promise.all(tabs.map(async (tab) => (await events(tab)).filter((e) => e.event === 'refreshed').length));
  d.op.clearRequests();
  const since = Date.now();
  await expect.poll(() => promptNone(d.op.requests, 'app-a').length, { timeout: 4 * PERIOD }).toBeGreaterThanOrEqual(3);
  // Three re-checks took at least two periods: one per period for the whole browser, not one per tab.
  expect(Date.now() - since).toBeGreaterThanOrEqual(2 * PERIOD - 500);
  // Every tab, leading or not, heard at least the first of them.
  await Promise.all(tabs.map((tab, i) => waitForEvent(tab, 'refreshed', { count: counts[i]! + 1 })));
  for (const tab of tabs) expect(await signedOutEvents(tab)).toEqual([]);
});

test('cross-site, third-party cookies blocked: unavailable after one prompt=none, then no more, and no sign-out', async ({ crossSite }) => {
  const d = await start(5000, { hostnames: CROSS_SITE_HOSTNAMES });
  const context = await crossSite('blocked');
  const a = await context.newPage();
  await signInWithForm(a, d.a.origin);
  const [unavailable] = await waitForEvent(a, 'unavailable', { timeout: 15_000 });
  expect(unavailable!.detail).toMatchObject({ reason: 'third-party-cookies-blocked', retrying: false });
  // Focus, and more than a period: nothing happens (a fixed wait, to show that no re-check follows).
  for (let i = 0; i < 3; i++) await focus(a);
  await a.waitForTimeout(5000 + 2 * MIN_GAP);
  expect(promptNone(d.op.requests, 'app-a')).toHaveLength(1);
  expect(await signedOutEvents(a)).toEqual([]);
  await expect(a.locator('#user')).toContainText('sub alice');
});

test('cross-site, third-party cookies allowed: a re-check that authenticated A is the evidence, so B\'s logout signs A out at its next focus', async ({ crossSite }) => {
  const d = await start(600_000, { hostnames: CROSS_SITE_HOSTNAMES });
  const context = await crossSite('allowed');
  const a = await context.newPage();
  await signInWithForm(a, d.a.origin);
  await waitForEvent(a, 'refreshed', { detail: { sub: 'alice' }, timeout: 15_000 });
  const b = await context.newPage();
  await signInBySso(b, d.b.origin);
  await b.click('#sign-out');
  await b.locator('button[value="logout"]').click();
  await b.waitForURL(`${d.b.origin}/signed-out.html**`);
  await focus(a);
  const [signedOut] = await waitForEvent(a, 'signedOut', { timeout: 15_000 });
  expect(signedOut!.detail).toMatchObject({ reason: 'login_required', sub: 'alice' });
  expect((await events(a)).filter((e) => e.event === 'unavailable')).toEqual([]);
});
