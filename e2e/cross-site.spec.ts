import { expect, test, type BrowserContext } from '@playwright/test';
import { startDemo } from '../examples/demo-server.mjs';
import { CROSS_SITE_HOSTNAMES as HOSTNAMES, launchCrossSite } from './support/cross-site.js';
import { events, promptNoneRequests, signInBySso, signInWithForm, waitForEvent } from './support/demo.js';

// RP and OP on different sites: op.test, a.test and b.test, all mapped to 127.0.0.1, over HTTPS.
const INTERVAL = 1000;

type Demo = Awaited<ReturnType<typeof startDemo>>;
let demo: Demo;
let context: BrowserContext;

let browser: Awaited<ReturnType<typeof launchCrossSite>> | undefined;

async function launch(thirdPartyCookies: 'blocked' | 'allowed'): Promise<BrowserContext> {
  browser = await launchCrossSite(thirdPartyCookies);
  return browser.context;
}

test.beforeEach(async () => {
  demo = await startDemo({ interval: INTERVAL, hostnames: HOSTNAMES, frontChannel: false, silentRequestTimeoutInSeconds: 4 });
});

test.afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await demo.close();
});

test('third-party cookies blocked: unavailable, no prompt=none loop, no false sign-out — also after a reload', async () => {
  context = await launch('blocked');
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  const [unavailable] = await waitForEvent(a, 'unavailable', { timeout: 10_000 });
  expect(unavailable!.detail).toMatchObject({ reason: 'third-party-cookies-blocked' });
  await a.waitForTimeout(3 * INTERVAL);
  expect(promptNoneRequests(demo.op.requests, 'app-a').length).toBeLessThanOrEqual(1);
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
  await expect(a.locator('#user')).not.toHaveText('signed out');

  // Later page loads remember it: still no re-check that could sign the user out wrongly.
  demo.op.clearRequests();
  await a.reload();
  await a.locator('body[data-ready="true"]').waitFor();
  const [again] = await waitForEvent(a, 'unavailable');
  expect(again!.detail).toMatchObject({ reason: 'third-party-cookies-blocked' });
  await a.waitForTimeout(3 * INTERVAL);
  expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(0);
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
});

test('third-party cookies allowed: cross-site monitoring works — SSO refresh, then sign-out detected', async () => {
  context = await launch('allowed');
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  await waitForEvent(a, 'status', { detail: { status: 'unchanged' }, timeout: 10_000 });
  const b = await context.newPage();
  await signInBySso(b, demo.b.origin);
  await waitForEvent(a, 'refreshed', { timeout: 15_000 });
  expect((await events(a)).filter((e) => e.event === 'unavailable')).toEqual([]);
  await b.click('#sign-out');
  await b.waitForURL(`${demo.b.origin}/signed-out.html**`);
  const [signedOut] = await waitForEvent(a, 'signedOut', { timeout: 15_000 });
  expect(signedOut!.detail).toMatchObject({ reason: 'login_required' });
});
