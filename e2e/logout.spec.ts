import { expect, test } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import { events, frontChannelResults, signInBySso, signInWithForm, waitForEvent } from './support/demo.js';

type Demo = Awaited<ReturnType<typeof startDemo>>;

let demo: Demo;

test.beforeEach(async () => {
  demo = await startDemo({ interval: 1000 });
});

test.afterEach(async () => {
  await demo.close();
});

test('A signs out: the OP session ends, A lands on its post-logout page with the state verified, and B signs out', async ({ context }) => {
  const a = await context.newPage();
  await signInWithForm(a, demo.a.origin);
  const b = await context.newPage();
  await signInBySso(b, demo.b.origin);
  await waitForEvent(b, 'status', { detail: { status: 'unchanged' } });

  demo.op.clearRequests();
  await a.click('#sign-out');
  await a.waitForURL(`${demo.a.origin}/signed-out.html**`);
  await a.locator('body[data-ready="true"]').waitFor();
  await expect(a.locator('#result')).toHaveAttribute('data-verified', 'true');
  await expect(a.locator('#result')).toContainText('"from":"A"');
  // The state is gone from the address bar once verified.
  expect(new URL(a.url()).searchParams.has('state')).toBe(false);

  // What reached the OP: one end_session request with everything RP-Initiated Logout asks for.
  const [endSession] = demo.op.requests.filter((r) => r.path.endsWith('/end_session'));
  expect(endSession!.method).toBe('GET');
  expect(endSession!.query).toMatchObject({ client_id: 'app-a', post_logout_redirect_uri: `${demo.a.origin}/signed-out.html` });
  expect(endSession!.query.id_token_hint).toMatch(/^ey/);
  expect(endSession!.query.state).toMatch(/^[A-Za-z0-9_-]{43}$/);

  // B was monitoring: it notices and signs out.
  const [signedOut] = await waitForEvent(b, 'signedOut', { timeout: 15_000 });
  expect(signedOut!.detail).toMatchObject({ reason: expect.stringMatching(/^(login_required|front-channel)$/) });

  // And the OP session really ended: signing in to A again needs the form.
  await a.goto(`${demo.a.origin}/`);
  await a.locator('body[data-ready="true"]').waitFor();
  await a.click('#sign-in');
  await expect(a.locator('input[name="password"]')).toBeVisible();
});

test('a post-logout callback with a tampered, missing or replayed state is rejected', async ({ page }) => {
  await signInWithForm(page, demo.a.origin);
  await page.click('#sign-out');
  await page.waitForURL(`${demo.a.origin}/signed-out.html**`);
  await expect(page.locator('#result')).toHaveAttribute('data-verified', 'true');
  const state = (await page.evaluate(() => sessionStorage.getItem('oidc-session-monitor:logout-states'))) ?? '';
  expect(state).not.toContain('"from"'); // consumed

  // A reload of the verified page (the state is gone from the address bar) is a harmless repeat, not an error.
  await page.reload();
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#result')).toHaveAttribute('data-repeated', 'true');

  for (const [query, code] of [
    ['?state=forged-value', 'logout_state_mismatch'],
    ['?state=a&state=b', 'logout_state_mismatch'],
    ['?state=%E0%A4%A', 'logout_state_mismatch'],
  ] as const) {
    await page.goto(`${demo.a.origin}/signed-out.html${query}`);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.locator('#result')).toHaveAttribute('data-verified', 'false');
    await expect(page.locator('#result')).toHaveAttribute('data-code', code);
    expect(page.url().startsWith(demo.a.origin)).toBe(true);
  }
  // Opened without state in a tab that verified nothing (a bookmark): missing.
  const fresh = await page.context().newPage();
  await fresh.goto(`${demo.a.origin}/signed-out.html`);
  await fresh.locator('body[data-ready="true"]').waitFor();
  await expect(fresh.locator('#result')).toHaveAttribute('data-code', 'logout_state_missing');
});

test('replaying a verified logout response fails', async ({ page }) => {
  await signInWithForm(page, demo.a.origin);
  await page.click('#sign-out');
  await page.waitForURL(`${demo.a.origin}/signed-out.html**`);
  await expect(page.locator('#result')).toHaveAttribute('data-verified', 'true');
  const [endSession] = demo.op.requests.filter((r) => r.path.endsWith('/end_session'));
  // In another tab (or browser) the used state is a mismatch; in this tab it is only recognised as a repeat.
  const other = await page.context().newPage();
  await other.goto(`${demo.a.origin}/signed-out.html?state=${endSession!.query.state}`);
  await other.locator('body[data-ready="true"]').waitFor();
  await expect(other.locator('#result')).toHaveAttribute('data-code', 'logout_state_mismatch');
  await page.goto(`${demo.a.origin}/signed-out.html?state=${endSession!.query.state}`);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#result')).toHaveAttribute('data-repeated', 'true');
});

test('an unregistered post_logout_redirect_uri: the OP asks for confirmation and does not redirect', async ({ page }) => {
  demo.a.configure({ logout: { post_logout_redirect_uri: `${demo.a.origin}/not-registered.html` } });
  await signInWithForm(page, demo.a.origin);
  await page.click('#sign-out');
  await page.waitForURL((url) => url.href.startsWith(`${demo.op.url}/end_session`));
  await expect(page.locator('button[value="logout"]')).toBeVisible();
  // A fixed wait that only shows that nothing happens: the page stays at the OP, no redirect follows.
  await page.waitForTimeout(1000);
  expect(page.url().startsWith(demo.op.url)).toBe(true);
});

test('OP-initiated logout: front-channel iframes sign out every open tab of a same-site app', async ({ context }) => {
  // A polls rarely here, so only the front-channel logout can sign it out within the test.
  demo.a.configure({ monitor: { interval: 600_000 } });
  const a1 = await context.newPage();
  await signInWithForm(a1, demo.a.origin);
  const a2 = await context.newPage();
  await a2.goto(`${demo.a.origin}/`);
  await a2.locator('body[data-ready="true"]').waitFor();
  await expect(a2.locator('#user')).toContainText('sub');
  const b = await context.newPage();
  await signInBySso(b, demo.b.origin);

  demo.op.clearRequests();
  const results = frontChannelResults(b);
  await b.click('#sign-out');
  await b.waitForURL(`${demo.b.origin}/signed-out.html**`);
  const frontChannel = demo.op.requests.length; // the OP rendered the iframes before redirecting
  expect(frontChannel).toBeGreaterThan(0);
  // A's receiver ran in the OP's page, on the same site: it saw the app's storage and said so.
  await expect.poll(() => results.get('A')).toMatchObject({ signedOut: true, partitioned: false });

  for (const page of [a1, a2]) {
    await waitForEvent(page, 'signedOut', { timeout: 10_000 });
    const signedOut = (await events(page)).filter((e) => e.event === 'signedOut');
    expect(signedOut[0]!.detail?.reason).toBe('front-channel');
    await expect(page.locator('#user')).toHaveText('signed out');
  }
});
