import { expect, test, type BrowserContext } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import { CROSS_SITE_HOSTNAMES as HOSTNAMES } from './support/cross-site.js';
import { events, promptNoneRequests, signInBySso, signInWithForm, waitForEvent } from './support/demo.js';

// RP and OP on different sites: op.test, a.test and b.test, all mapped to 127.0.0.1, over HTTPS.
const INTERVAL = 1000;

type Demo = Awaited<ReturnType<typeof startDemo>>;
let demo: Demo;
let context: BrowserContext;

test.beforeEach(async () => {
  demo = await startDemo({ interval: INTERVAL, hostnames: HOSTNAMES, frontChannel: false, silentRequestTimeoutInSeconds: 4 });
});

test.afterEach(async () => {
  await demo.close();
});

test('third-party cookies blocked: unavailable, no prompt=none loop, no false sign-out — also after a reload', async ({ crossSite }) => {
  context = await crossSite('blocked');
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  const [unavailable] = await waitForEvent(a, 'unavailable', { timeout: 10_000 });
  expect(unavailable!.detail).toMatchObject({ reason: 'third-party-cookies-blocked' });
  // A fixed wait that only shows that nothing happens: no prompt=none loop, no sign-out in three intervals.
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
  // A fixed wait that only shows that nothing happens: no prompt=none, no sign-out in three intervals.
  await a.waitForTimeout(3 * INTERVAL);
  expect(promptNoneRequests(demo.op.requests, 'app-a')).toHaveLength(0);
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
});

test('third-party cookies allowed: cross-site monitoring works — SSO refresh, then sign-out detected', async ({ crossSite }) => {
  context = await crossSite('allowed');
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

test('third-party cookies allowed: an app signed in by SSO alone (no typing at the OP) — Chromium monitors it, Firefox partitions its OP iframe: unavailable, no false sign-out', async ({ crossSite, engine }) => {
  context = await crossSite('allowed');
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  await waitForEvent(a, 'status', { detail: { status: 'unchanged' }, timeout: 10_000 });
  const b = await context.newPage();
  await signInBySso(b, demo.b.origin);
  if (engine === 'chromium') {
    await waitForEvent(b, 'status', { detail: { status: 'unchanged' }, timeout: 10_000 });
    return;
  }
  // Firefox grants the OP storage access on a site only after the user interacted with the OP on the way back to it.
  const [unavailable] = await waitForEvent(b, 'unavailable', { timeout: 10_000 });
  expect(unavailable!.detail).toMatchObject({ reason: 'third-party-cookies-blocked' });
  // A fixed wait that only shows that nothing happens: no prompt=none loop, no sign-out in three intervals.
  await b.waitForTimeout(3 * INTERVAL);
  expect(promptNoneRequests(demo.op.requests, 'app-b').length).toBeLessThanOrEqual(1);
  expect((await events(b)).filter((e) => e.event === 'signedOut')).toEqual([]);
  await expect(b.locator('#user')).toContainText('sub alice');
});

test("Firefox's storage-access grant lapses: the OP iframe is partitioned again after a reload — unavailable, no false sign-out, although it once answered unchanged", async ({ crossSite, engine }) => {
  test.skip(engine !== 'firefox', "the temporary storage-access grant is Firefox's; Chromium's third-party cookie setting does not lapse");
  const GRANT_SECONDS = 5;
  context = await crossSite('allowed', { storageAccessGrantSeconds: GRANT_SECONDS });
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  // With the grant, the OP iframe reads its cookies: unchanged, remembered as evidence for this session_state.
  await waitForEvent(a, 'status', { detail: { status: 'unchanged' }, timeout: 10_000 });
  // Wait on the clock until the grant has run out (with room to spare), then look.
  const grantedBy = Date.now();
  await expect.poll(() => Date.now() - grantedBy, { timeout: (GRANT_SECONDS + 10) * 1000 }).toBeGreaterThan((GRANT_SECONDS + 3) * 1000);

  demo.op.clearRequests();
  await a.reload();
  await a.locator('body[data-ready="true"]').waitFor();
  // The new OP iframe has an empty, partitioned jar: `changed`, and its prompt=none finds no OP session.
  await waitForEvent(a, 'status', { detail: { status: 'changed' }, timeout: 10_000 });
  const [unavailable] = await waitForEvent(a, 'unavailable', { timeout: 15_000 });
  expect(unavailable!.detail).toMatchObject({ reason: 'third-party-cookies-blocked' });
  // A fixed wait that only shows that nothing happens: no prompt=none loop, no sign-out in three intervals.
  await a.waitForTimeout(3 * INTERVAL);
  expect(promptNoneRequests(demo.op.requests, 'app-a').length).toBeLessThanOrEqual(1);
  expect((await events(a)).filter((e) => e.event === 'signedOut')).toEqual([]);
  await expect(a.locator('#user')).toContainText('sub alice');
});
