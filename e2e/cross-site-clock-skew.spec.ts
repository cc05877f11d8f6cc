import { expect, test, type BrowserContext, type Page } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import { CROSS_SITE_HOSTNAMES as HOSTNAMES } from './support/cross-site.js';
import { events, promptNoneRequests, signInBySso, signInWithForm, waitForEvent, type DemoEvent } from './support/demo.js';

// Cross-site (op.test, a.test, b.test over HTTPS) with an OP whose clock runs two minutes behind the browser.
// Nothing may depend on comparing the OP's clock (iat) with the browser's (DESIGN trap 9): with third-party
// cookies blocked the user must not be signed out however old the ID token looks; with them allowed, a real
// sign-out must still be detected.

const INTERVAL = 1000;
const OP_CLOCK_SKEW_SECONDS = -120;

type Demo = Awaited<ReturnType<typeof startDemo>>;
let demo: Demo;
let context: BrowserContext | undefined;

test.beforeEach(async () => {
  demo = await startDemo({
    interval: INTERVAL,
    hostnames: HOSTNAMES,
    frontChannel: false,
    silentRequestTimeoutInSeconds: 4,
    opClockSkewSeconds: OP_CLOCK_SKEW_SECONDS,
  });
});

test.afterEach(async () => {
  context = undefined;
  await demo.close();
});

/** Waits for the first verdict of a monitor that cannot see the OP's cookies: `unavailable`, or (wrongly) `signedOut`. */
async function waitForVerdict(page: Page): Promise<void> {
  await page.waitForFunction(
    () => ((window as unknown as { demo?: { events: DemoEvent[] } }).demo?.events ?? []).some((e) => e.event === 'unavailable' || e.event === 'signedOut'),
    undefined,
    { timeout: 15_000 },
  );
}

async function idTokenIat(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const user = await (window as unknown as { demo: { userManager: { getUser(): Promise<{ profile: { iat: number } } | null> } } }).demo.userManager.getUser();
    return user!.profile.iat;
  });
}

test('third-party cookies blocked, OP clock 2 minutes behind: unavailable, no false sign-out, at most one prompt=none — also after a reload', async ({ crossSite }) => {
  context = await crossSite('blocked');
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  // The set-up works as intended: to the browser, this brand-new ID token looks two minutes old.
  expect(Date.now() / 1000 - (await idTokenIat(a))).toBeGreaterThan(100);

  await waitForVerdict(a);
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
  const [unavailable] = await waitForEvent(a, 'unavailable');
  expect(unavailable!.detail).toMatchObject({ reason: 'third-party-cookies-blocked' });
  // A fixed wait that only shows that nothing happens: no further prompt=none, no sign-out in three intervals.
  await a.waitForTimeout(3 * INTERVAL);
  expect(promptNoneRequests(demo.op.requests, 'app-a').length).toBeLessThanOrEqual(1);
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
  await expect(a.locator('#user')).toContainText('sub alice');

  // Later page loads remember it: no re-check that could sign the user out wrongly.
  demo.op.clearRequests();
  await a.reload();
  await a.locator('body[data-ready="true"]').waitFor();
  await waitForVerdict(a);
  const [again] = await waitForEvent(a, 'unavailable');
  expect(again!.detail).toMatchObject({ reason: 'third-party-cookies-blocked' });
  // A fixed wait that only shows that nothing happens: no prompt=none, no sign-out in three intervals.
  await a.waitForTimeout(3 * INTERVAL);
  expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(0);
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
  await expect(a.locator('#user')).toContainText('sub alice');
});

test('third-party cookies allowed, OP clock 2 minutes behind: monitoring works and a real sign-out is still detected', async ({ crossSite }) => {
  context = await crossSite('allowed');
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  expect(Date.now() / 1000 - (await idTokenIat(a))).toBeGreaterThan(100);
  await waitForEvent(a, 'status', { detail: { status: 'unchanged' }, timeout: 10_000 });
  await expect(a.locator('#state')).toHaveText('monitoring');

  // The user signs out in B: A notices through its OP iframe and its prompt=none re-check.
  const b = await context.newPage();
  await signInBySso(b, demo.b.origin);
  // B's monitor has started (B signed in by SSO, without typing at the OP: Firefox grants B's OP iframe no storage
  // access, so its answer depends on the engine; this scenario is about A).
  await waitForEvent(b, 'status', { timeout: 10_000 });
  await b.click('#sign-out');
  await b.waitForURL(`${demo.b.origin}/signed-out.html**`);
  const [signedOut] = await waitForEvent(a, 'signedOut', { timeout: 15_000 });
  expect(signedOut!.detail).toMatchObject({ reason: 'login_required' });
  expect((await events(a)).filter((e) => e.event === 'unavailable')).toEqual([]);
  await expect(a.locator('#user')).toHaveText('signed out');
});
