import { expect, test, type Page } from './support/engine.js';
import { signInBySso, signInWithForm } from './support/demo.js';
import { useViteExample } from './support/vite-example.js';
import { buildReactApp, reactClient, startReactServer } from '../examples/react/server.mjs';

// examples/react: react-oidc-context signs in, `useSessionMonitor` (oidc-session-monitor/react) watches the
// session, under StrictMode; built by Vite, served as static files, against the mock OP.

const world = useViteExample({ dir: 'examples/react', clientId: 'react', build: buildReactApp, start: startReactServer, client: reactClient });


const opFrames = (page: Page) => page.locator('iframe[id^="oidc-session-monitor-op-frame"]');

test('signs in, monitors with one OP iframe under StrictMode, and logs out with a verified state', async ({ page }) => {
  await signInWithForm(page, world.app.origin);
  await expect(page.locator('#state')).toHaveText('monitoring');
  await expect(opFrames(page)).toHaveCount(1);

  world.op.clearRequests();
  await page.click('#sign-out');
  await page.waitForURL(`${world.app.origin}/signed-out.html**`);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#result')).toHaveAttribute('data-verified', 'true');
  await expect(page.locator('#result')).toContainText('"from":"react"');
  const [endSession] = world.op.requests.filter((r) => r.path.endsWith('/end_session'));
  expect(endSession!.query).toMatchObject({ client_id: 'react', post_logout_redirect_uri: `${world.app.origin}/signed-out.html` });
});

test("another app's SSO: refreshed and still signed in; a sign-out at the OP re-renders the app signed out", async ({ context }) => {
  const page = await context.newPage();
  await signInWithForm(page, world.app.origin);
  await expect(page.locator('#state')).toHaveText('monitoring');

  const otherPage = await context.newPage();
  await signInBySso(otherPage, world.other.origin);
  await otherPage.close();

  await page.bringToFront();
  await expect(page.locator('#refreshed')).not.toHaveText('—', { timeout: 15_000 });
  await expect(page.locator('#user')).toContainText('sub');

  // The OP ends the session: the monitor removes the user, react-oidc-context re-renders signed out, and the hook
  // says why; the monitor is gone (no iframe).
  world.op.endSession();
  await expect(page.locator('#user')).toHaveText('signed out', { timeout: 15_000 });
  await expect(page.locator('#signed-out-reason')).toHaveText('login_required');
  await expect(page.locator('#state')).toHaveText('inactive');
  await expect(opFrames(page)).toHaveCount(0);
});

test('the idle warning counts down; "stay signed in" ends it; idle again, the app signs out (reason idle)', async ({ page }) => {
  world.app.configure({ idle: { timeout: 6000, warning: 3000 } });
  await signInWithForm(page, world.app.origin);
  await expect(page.locator('#idle-warning')).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('#idle-countdown')).toHaveText(/^\d+$/);
  // A click event alone: a real click's pointer events are activity, which would end the warning first.
  await page.locator('#stay-signed-in').dispatchEvent('click');
  await expect(page.locator('#idle-warning')).toBeHidden();
  await expect(page.locator('#idle-state')).toHaveText('active');
  await expect(page.locator('#user')).toContainText('sub');

  await expect(page.locator('#user')).toHaveText('signed out', { timeout: 20_000 });
  await expect(page.locator('#signed-out-reason')).toHaveText('idle');
  await expect(opFrames(page)).toHaveCount(0);
});
