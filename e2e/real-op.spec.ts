import { demoClient, startRp } from '../examples/demo-server.mjs';
import { events, waitForEvent } from './support/demo.js';
import { expect, test, type Page } from './support/engine.js';
import { serveOidcProviderCdn, startOidcProvider, type RealOp } from './support/oidc-provider.js';

/**
 * The SDK's classic scenario against a real OP that nobody here wrote: oidc-provider 6.31.1 from npm (panva), the
 * OP the mock OP's `node-oidc-provider` profile imitates. The demo apps A and B (examples/app) are the same as in
 * e2e/op-profiles.spec.ts; only the OP differs, and its own login, consent and logout pages are used.
 */

type Rp = Awaited<ReturnType<typeof startRp>>;

let op: RealOp | undefined;
const rps: Rp[] = [];
test.afterEach(async () => {
  await Promise.all(rps.splice(0).map((rp) => rp.close()));
  await op?.close();
  op = undefined;
});

/** Goes through oidc-provider's development login (any login and password) and consent pages, as they come. */
async function passInteractions(page: Page, origin: string, login: string | undefined): Promise<void> {
  for (;;) {
    await page.waitForURL((url) => url.origin === origin || url.pathname.startsWith('/interaction/'));
    if (new URL(page.url()).origin === origin) return;
    if ((await page.locator('input[name="login"]').count()) > 0) {
      if (login === undefined) throw new Error('the OP asked for a login where single sign-on was expected');
      await page.fill('input[name="login"]', login);
      await page.fill('input[name="password"]', 'any');
    }
    // The consent page comes at the login page's URL: wait for the next page load, not for another URL.
    const loaded = page.waitForEvent('load');
    await page.click('button[type="submit"]');
    await loaded;
  }
}

async function signIn(page: Page, origin: string, login?: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.click('#sign-in');
  await page.waitForURL((url) => url.origin !== origin);
  await passInteractions(page, origin, login);
  await page.waitForURL(`${origin}/`);
  await expect(page.locator('#user')).toContainText('sub');
}

test('oidc-provider 6.x: SSO into B keeps A signed in; B signs out with a verified state, and A is signed out', async ({ context }) => {
  const a = await startRp({ name: 'A' });
  const b = await startRp({ name: 'B' });
  rps.push(a, b);
  op = await startOidcProvider([demoClient('app-a', a.origin), demoClient('app-b', b.origin)]);
  const shared = { authority: op.issuer, monitor: { interval: 1000 }, silentRequestTimeoutInSeconds: 10 };
  a.configure({ ...shared, client_id: 'app-a' });
  b.configure({ ...shared, client_id: 'app-b' });
  await serveOidcProviderCdn(context);

  const pageA = await context.newPage();
  await signIn(pageA, a.origin, 'alice');
  await waitForEvent(pageA, 'status', { detail: { status: 'unchanged' } });

  const pageB = await context.newPage();
  // Single sign-on: no login form (B's first sign-in still gets oidc-provider's consent page).
  await signIn(pageB, b.origin);
  await waitForEvent(pageB, 'status', { detail: { status: 'unchanged' } });

  // oidc-provider keeps session_state per client: B's sign-in leaves A's alone, A goes on hearing `unchanged`.
  const unchanged = (await events(pageA)).filter((e) => e.event === 'status' && e.detail?.status === 'unchanged').length;
  await waitForEvent(pageA, 'status', { detail: { status: 'unchanged' }, count: unchanged + 2 });
  expect((await events(pageA)).filter((e) => e.event === 'signedOut' || e.event === 'refreshed')).toEqual([]);
  // Polling costs the OP nothing: its iframe checks the client and origin once, then answers from the cookie.
  const before = op.requests.length;
  await waitForEvent(pageA, 'status', { detail: { status: 'unchanged' }, count: unchanged + 4 });
  expect(op.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([]);

  await pageB.click('#sign-out');
  // oidc-provider always asks before it signs out.
  await pageB.locator('button[name="logout"][value="yes"]').click();
  await pageB.waitForURL(`${b.origin}/signed-out.html**`);
  await pageB.locator('body[data-ready="true"]').waitFor();
  await expect(pageB.locator('#result')).toHaveAttribute('data-verified', 'true');
  await expect(pageB.locator('#result')).toContainText('"from":"B"');

  const [signedOut] = await waitForEvent(pageA, 'signedOut', { timeout: 15_000 });
  expect(signedOut!.detail).toMatchObject({ reason: expect.stringMatching(/^(login_required|front-channel)$/) });
  await expect(pageA.locator('#user')).toHaveText('signed out');
});
