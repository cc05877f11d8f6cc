import { expect, test, type Page } from './support/engine.js';
import { signInBySso, signInWithForm } from './support/demo.js';
import { useViteExample } from './support/vite-example.js';
import { buildSpa, spaClient, startSpaServer } from '../examples/spa/server.mjs';

// The ESM package in a real app: examples/spa, built by Vite (importing `oidc-session-monitor` by name), served as
// static files, against the mock OP.

const world = useViteExample({ dir: 'examples/spa', clientId: 'spa', build: buildSpa, start: startSpaServer, client: spaClient });


const event = (page: Page, name: string) => page.locator(`#events li[data-event="${name}"]`);

test('the Vite app signs in, shows the monitor polling, and signs out with a verified state', async ({ page }) => {
  await signInWithForm(page, world.app.origin);
  // The bundle really came from Vite: hashed assets, no import map, no /dist/ path of this repository.
  const scripts = await page.locator('script[src]').evaluateAll((nodes) => nodes.map((n) => (n as HTMLScriptElement).src));
  expect(scripts.some((src) => /\/assets\/index-[\w-]+\.js$/.test(src))).toBe(true);
  expect(await page.locator('script[type="importmap"]').count()).toBe(0);

  await expect(event(page, 'status').first()).toContainText('"status":"unchanged"');
  await expect(page.locator('#state')).toHaveText('monitoring');

  world.op.clearRequests();
  await page.click('#sign-out');
  await page.waitForURL(`${world.app.origin}/signed-out.html**`);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#result')).toHaveAttribute('data-verified', 'true');
  await expect(page.locator('#result')).toContainText('"from":"spa"');
  const [endSession] = world.op.requests.filter((r) => r.path.endsWith('/end_session'));
  expect(endSession!.query).toMatchObject({ client_id: 'spa', post_logout_redirect_uri: `${world.app.origin}/signed-out.html` });

  await page.goto(`${world.app.origin}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#user')).toHaveText('signed out');
});

test('another app signs in by SSO: the Vite app re-checks and stays signed in; an OP-side end signs it out', async ({ context }) => {
  const page = await context.newPage();
  await signInWithForm(page, world.app.origin);
  await expect(event(page, 'status').first()).toContainText('"status":"unchanged"');

  // Single sign-on into another app of the same OP: no login form. The OP's browser state changes, the Vite app
  // sees `changed`, its prompt=none re-check returns the same user: `refreshed`, still signed in.
  const otherPage = await context.newPage();
  await signInBySso(otherPage, world.other.origin);
  await otherPage.close();

  await page.bringToFront();
  await expect(event(page, 'refreshed')).toHaveCount(1, { timeout: 15_000 });
  await expect(page.locator('#user')).toContainText('sub');

  // The OP ends the session: `signedOut` (login_required) in the UI, and the user is gone.
  world.op.endSession();
  await expect(event(page, 'signedOut')).toHaveCount(1, { timeout: 15_000 });
  await expect(event(page, 'signedOut')).toContainText('login_required');
  await expect(page.locator('#user')).toHaveText('signed out');
});
