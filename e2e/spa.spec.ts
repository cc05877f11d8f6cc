import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from './support/engine.js';
import { signInWithForm } from './support/demo.js';
import { startMockOp, type MockOp } from '../src/mock-op/index.js';
import { scriptTagClient, startScriptTagApp, type ScriptTagApp } from '../examples/script-tag/server.mjs';
import { buildSpa, spaClient, startSpaServer, type SpaServer } from '../examples/spa/server.mjs';

// The ESM package in a real app: examples/spa, built by Vite (importing `oidc-session-monitor` by name), served as
// static files, against the mock OP.

let outDir: string;
let spa: SpaServer;
let other: ScriptTagApp;
let op: MockOp;

test.beforeAll(async () => {
  // The example must type-check against the package's declarations, and build.
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'examples/spa', '--noEmit'], { stdio: 'pipe' });
  outDir = mkdtempSync(join(tmpdir(), 'oidc-sm-spa-'));
  await buildSpa({ outDir });
});

test.afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

test.beforeEach(async () => {
  spa = await startSpaServer({ dir: outDir });
  other = await startScriptTagApp();
  op = await startMockOp({ clients: [spaClient('spa', spa.origin), scriptTagClient('other', other.origin)] });
  spa.configure({ authority: op.url, client_id: 'spa', interval: 1000 });
  other.configure({ authority: op.url, client_id: 'other', interval: 60_000 });
});

test.afterEach(async () => {
  await Promise.all([spa.close(), other.close(), op.close()]);
});


const event = (page: Page, name: string) => page.locator(`#events li[data-event="${name}"]`);

test('the Vite app signs in, shows the monitor polling, and signs out with a verified state', async ({ page }) => {
  await signInWithForm(page, spa.origin);
  // The bundle really came from Vite: hashed assets, no import map, no /dist/ path of this repository.
  const scripts = await page.locator('script[src]').evaluateAll((nodes) => nodes.map((n) => (n as HTMLScriptElement).src));
  expect(scripts.some((src) => /\/assets\/index-[\w-]+\.js$/.test(src))).toBe(true);
  expect(await page.locator('script[type="importmap"]').count()).toBe(0);

  await expect(event(page, 'status').first()).toContainText('"status":"unchanged"');
  await expect(page.locator('#state')).toHaveText('monitoring');

  op.clearRequests();
  await page.click('#sign-out');
  await page.waitForURL(`${spa.origin}/signed-out.html**`);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#result')).toHaveAttribute('data-verified', 'true');
  await expect(page.locator('#result')).toContainText('"from":"spa"');
  const [endSession] = op.requests.filter((r) => r.path.endsWith('/end_session'));
  expect(endSession!.query).toMatchObject({ client_id: 'spa', post_logout_redirect_uri: `${spa.origin}/signed-out.html` });

  await page.goto(`${spa.origin}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#user')).toHaveText('signed out');
});

test('another app signs in by SSO: the Vite app re-checks and stays signed in; an OP-side end signs it out', async ({ context }) => {
  const page = await context.newPage();
  await signInWithForm(page, spa.origin);
  await expect(event(page, 'status').first()).toContainText('"status":"unchanged"');

  // Single sign-on into another app of the same OP: no login form. The OP's browser state changes, the Vite app
  // sees `changed`, its prompt=none re-check returns the same user: `refreshed`, still signed in.
  const otherPage = await context.newPage();
  await otherPage.goto(`${other.origin}/`);
  await otherPage.locator('body[data-ready="true"]').waitFor();
  await otherPage.click('#sign-in');
  await otherPage.waitForURL(`${other.origin}/`);
  await expect(otherPage.locator('#user')).toContainText('sub');
  await otherPage.close();

  await page.bringToFront();
  await expect(event(page, 'refreshed')).toHaveCount(1, { timeout: 15_000 });
  await expect(page.locator('#user')).toContainText('sub');

  // The OP ends the session: `signedOut` (login_required) in the UI, and the user is gone.
  op.endSession();
  await expect(event(page, 'signedOut')).toHaveCount(1, { timeout: 15_000 });
  await expect(event(page, 'signedOut')).toContainText('login_required');
  await expect(page.locator('#user')).toHaveText('signed out');
});
