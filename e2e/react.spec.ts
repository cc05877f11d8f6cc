import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from './support/engine.js';
import { signInWithForm } from './support/demo.js';
import { startMockOp, type MockOp } from '../src/mock-op/index.js';
import { scriptTagClient, startScriptTagApp, type ScriptTagApp } from '../examples/script-tag/server.mjs';
import { buildReactApp, reactClient, startReactServer, type ReactServer } from '../examples/react/server.mjs';

// examples/react: react-oidc-context signs in, `useSessionMonitor` (oidc-session-monitor/react) watches the
// session, under StrictMode; built by Vite, served as static files, against the mock OP.

let outDir: string;
let app: ReactServer;
let other: ScriptTagApp;
let op: MockOp;

test.beforeAll(async () => {
  // The example must type-check against the package's declarations, and build.
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/react', '--noEmit'], { stdio: 'pipe' });
  outDir = mkdtempSync(join(tmpdir(), 'oidc-sm-react-'));
  await buildReactApp({ outDir });
});

test.afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

test.beforeEach(async () => {
  app = await startReactServer({ dir: outDir });
  other = await startScriptTagApp();
  op = await startMockOp({ clients: [reactClient('react', app.origin), scriptTagClient('other', other.origin)] });
  app.configure({ authority: op.url, client_id: 'react', interval: 1000 });
  other.configure({ authority: op.url, client_id: 'other', interval: 60_000 });
});

test.afterEach(async () => {
  await Promise.all([app.close(), other.close(), op.close()]);
});


const opFrames = (page: Page) => page.locator('iframe[id^="oidc-session-monitor-op-frame"]');

test('signs in, monitors with one OP iframe under StrictMode, and logs out with a verified state', async ({ page }) => {
  await signInWithForm(page, app.origin);
  await expect(page.locator('#state')).toHaveText('monitoring');
  await expect(opFrames(page)).toHaveCount(1);

  op.clearRequests();
  await page.click('#sign-out');
  await page.waitForURL(`${app.origin}/signed-out.html**`);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#result')).toHaveAttribute('data-verified', 'true');
  await expect(page.locator('#result')).toContainText('"from":"react"');
  const [endSession] = op.requests.filter((r) => r.path.endsWith('/end_session'));
  expect(endSession!.query).toMatchObject({ client_id: 'react', post_logout_redirect_uri: `${app.origin}/signed-out.html` });
});

test("another app's SSO: refreshed and still signed in; a sign-out at the OP re-renders the app signed out", async ({ context }) => {
  const page = await context.newPage();
  await signInWithForm(page, app.origin);
  await expect(page.locator('#state')).toHaveText('monitoring');

  const otherPage = await context.newPage();
  await otherPage.goto(`${other.origin}/`);
  await otherPage.locator('body[data-ready="true"]').waitFor();
  await otherPage.click('#sign-in');
  await otherPage.waitForURL(`${other.origin}/`);
  await expect(otherPage.locator('#user')).toContainText('sub');
  await otherPage.close();

  await page.bringToFront();
  await expect(page.locator('#refreshed')).not.toHaveText('—', { timeout: 15_000 });
  await expect(page.locator('#user')).toContainText('sub');

  // The OP ends the session: the monitor removes the user, react-oidc-context re-renders signed out, and the hook
  // says why; the monitor is gone (no iframe).
  op.endSession();
  await expect(page.locator('#user')).toHaveText('signed out', { timeout: 15_000 });
  await expect(page.locator('#signed-out-reason')).toHaveText('login_required');
  await expect(page.locator('#state')).toHaveText('inactive');
  await expect(opFrames(page)).toHaveCount(0);
});

test('the idle warning counts down; "stay signed in" ends it; idle again, the app signs out (reason idle)', async ({ page }) => {
  app.configure({ idle: { timeout: 6000, warning: 3000 } });
  await signInWithForm(page, app.origin);
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
