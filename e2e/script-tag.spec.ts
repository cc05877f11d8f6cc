import { expect, test, type Page } from './support/engine.js';
import { startMockOp, type MockOp } from '../src/mock-op/index.js';
import { scriptTagClient, startScriptTagApp, type ScriptTagApp } from '../examples/script-tag/server.mjs';
import { promptNoneRequests, signInWithForm } from './support/demo.js';

// The drop-in build: plain HTML pages with classic <script> tags and the global OidcSessionMonitor, under a strict
// Content-Security-Policy, against the mock OP.

interface ExampleEvent {
  event: string;
  detail: Record<string, unknown> | undefined;
}

let app: ScriptTagApp;
let op: MockOp;

async function serve(build: 'full' | 'sdk'): Promise<void> {
  app = await startScriptTagApp({ build });
  op = await startMockOp({ clients: [scriptTagClient('script-tag', app.origin)] });
  app.configure({ authority: op.url, client_id: 'script-tag', interval: 1000 });
}

test.afterEach(async () => {
  await Promise.all([app?.close(), op?.close()]);
});

async function open(page: Page): Promise<void> {
  await page.goto(`${app.origin}/`);
  await page.locator('body[data-ready="true"]').waitFor();
}


function events(page: Page): Promise<ExampleEvent[]> {
  return page.evaluate(() => (window as unknown as { example: { events: ExampleEvent[] } }).example.events);
}

async function waitForEvent(page: Page, event: string, detail?: Record<string, unknown>): Promise<ExampleEvent> {
  await page.waitForFunction(
    ({ event, detail }) =>
      (window as unknown as { example?: { events: ExampleEvent[] } }).example?.events.some(
        (e) => e.event === event && (!detail || Object.entries(detail).every(([k, v]) => e.detail?.[k] === v)),
      ),
    { event, detail },
    { timeout: 15_000 },
  );
  return (await events(page)).find((e) => e.event === event)!;
}

// The full build (oidc-client-ts inside) and the SDK-only build next to oidc-client-ts's own script.
for (const build of ['full', 'sdk'] as const) {
test(`classic scripts only (${build} build): the global OidcSessionMonitor signs in, watches the session and signs out under a strict CSP`, async ({ page }) => {
  await serve(build);
  // Chromium reports CSP violations on the console, also those of the page's iframes (OP iframe, silent.html).
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });

  // No modules, no import map on any page of the example.
  await open(page);
  expect(await page.locator('script[type="module"], script[type="importmap"]').count()).toBe(0);
  expect(await page.evaluate(() => typeof (window as unknown as { OidcSessionMonitor?: unknown }).OidcSessionMonitor)).toBe('object');
  // Which oidc-client-ts the page uses: the one inside the full build, or the global `oidc` of its own script.
  const where = await page.evaluate(() => {
    const w = window as unknown as { OidcSessionMonitor: { UserManager?: unknown }; oidc?: { UserManager?: unknown } };
    return { inside: typeof w.OidcSessionMonitor.UserManager, global: typeof w.oidc?.UserManager };
  });
  expect(where).toEqual(build === 'full' ? { inside: 'function', global: 'undefined' } : { inside: 'undefined', global: 'function' });

  // Sign in with OidcSessionMonitor.UserManager; OidcSessionMonitor.startMonitoring polls the OP iframe.
  await signInWithForm(page, app.origin);
  await waitForEvent(page, 'status', { status: 'unchanged' });
  await expect(page.locator('#state')).toHaveText('monitoring');

  // The OP ends the session (an administrator, a timeout): the monitor sees `changed`, its prompt=none re-check
  // gets login_required, and the page signs out.
  op.clearRequests();
  op.endSession();
  const signedOut = await waitForEvent(page, 'signedOut');
  expect(signedOut.detail).toMatchObject({ reason: 'login_required' });
  await expect(page.locator('#user')).toHaveText('signed out');
  expect((await events(page)).filter((e) => e.event === 'csp-violation')).toEqual([]);
  expect(promptNoneRequests(op.requests, 'script-tag')).toHaveLength(1);

  // Sign in again (the OP asks for the password: its session really ended), then sign out with
  // OidcSessionMonitor.logout: the OP's end_session_endpoint, then signed-out.html, which verifies the state.
  await signInWithForm(page, app.origin);
  await waitForEvent(page, 'status', { status: 'unchanged' });
  op.clearRequests();
  await page.click('#sign-out');
  await page.waitForURL(`${app.origin}/signed-out.html**`);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.locator('#result')).toHaveAttribute('data-verified', 'true');
  await expect(page.locator('#result')).toContainText('"from":"script-tag"');
  expect(new URL(page.url()).searchParams.has('state')).toBe(false);

  const [endSession] = op.requests.filter((r) => r.path.endsWith('/end_session'));
  expect(endSession!.query).toMatchObject({ client_id: 'script-tag', post_logout_redirect_uri: `${app.origin}/signed-out.html` });
  expect(endSession!.query.id_token_hint).toMatch(/^ey/);

  // Back in the app: signed out, and the OP session is gone too.
  await open(page);
  await expect(page.locator('#user')).toHaveText('signed out');
  await page.click('#sign-in');
  await expect(page.locator('input[name="password"]')).toBeVisible();
  expect(violations).toEqual([]);
});
}
