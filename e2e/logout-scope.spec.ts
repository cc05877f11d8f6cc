import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from './support/engine.js';
import { startDemo } from '../examples/demo-server.mjs';
import { startMockOp, type MockOp } from '../src/mock-op/index.js';
import { waitForEvent } from './support/demo.js';
import { startRpServer, type RpServer } from './support/rp-server.js';

// logout() is about one app's session (one issuer, one client): it must not freeze the monitors of other apps
// on the page, and a logout that fails half way (after the local sign-out) must not leave its monitor paused.

const INTERVAL = 1000;
const SCRIPT_TAG_BUILD = fileURLToPath(new URL('../dist/oidc-session-monitor.iife.min.js', import.meta.url));

interface FixtureEvent {
  event: string;
  detail: Record<string, unknown> | undefined;
}

/**
 * A page that runs monitors of its own, one per client, started from the test with the custom form of
 * `startMonitoringWithRecheck` (the session_state and ID token come from a real sign-in at the mock OP). Each event is kept
 * in `window.fixture` and also reported to the page's server (`GET /log`), because Playwright cannot evaluate
 * in a page whose navigation is in flight — and that is when the test must watch it.
 */
const FIXTURE_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>two apps</title>
<script src="/osm.js"></script></head><body><h1>Two apps, one page</h1><script>
  window.fixture = { events: {}, monitors: {}, removed: {} };
  function report(name, event, detail) {
    var monitor = window.fixture.monitors[name];
    fetch('/log?' + new URLSearchParams({
      name: name,
      event: event,
      detail: JSON.stringify(detail === undefined ? null : detail),
      state: monitor ? monitor.state : '',
      frames: String(document.querySelectorAll('iframe[id^="oidc-session-monitor-op-frame"]').length),
    }));
  }
  window.startMonitor = function (name, options) {
    var log = (window.fixture.events[name] = []);
    var monitor = OidcSessionMonitor.startMonitoringWithRecheck(Object.assign({}, options, {
      recheck: function () { return Promise.reject(new Error('no prompt=none re-check expected in this test')); },
      onSignedOut: function () { window.fixture.removed[name] = true; report(name, 'removed'); },
    }));
    window.fixture.monitors[name] = monitor;
    ['status', 'refreshed', 'userChanged', 'signedOut', 'signedIn', 'unavailable', 'error', 'state'].forEach(function (event) {
      monitor.on(event, function (detail) {
        var entry = { event: event, detail: event === 'error' ? { code: detail.error.code, message: detail.error.message } : detail };
        log.push(entry);
        report(name, event, entry.detail);
      });
    });
  };
  window.logoutFrom = function (name, options) {
    return OidcSessionMonitor.logout(Object.assign({}, options, {
      onSignedOut: function () { window.fixture.removed[name] = true; report(name, 'removed'); },
    })).then(
      function (result) { return { ok: true, method: result.method }; },
      function (error) { return { ok: false, code: error.code, message: error.message }; });
  };
</script></body></html>`;

/** What the fixture page reported to its server. */
interface Report {
  name: string;
  event: string;
  detail: Record<string, unknown> | null;
  /** The monitor's state when it reported. */
  state: string;
  /** OP iframes on the page when it reported. */
  frames: number;
}

function reports(name: string): Report[] {
  return rp!.requests
    .filter((r) => r.path === '/log' && r.query.name === name)
    .map((r) => ({ name: r.query.name!, event: r.query.event!, detail: JSON.parse(r.query.detail ?? 'null') as Report['detail'], state: r.query.state!, frames: Number(r.query.frames) }));
}

let op: MockOp | undefined;
let rp: RpServer | undefined;
let demo: Awaited<ReturnType<typeof startDemo>> | undefined;

test.afterEach(async () => {
  await Promise.all([op?.close(), rp?.close(), demo?.close()]);
  op = rp = demo = undefined;
});

/** One page origin, two clients registered at the OP with that origin (two apps embedded in one page). */
async function startTwoApps(): Promise<{ op: MockOp; rp: RpServer }> {
  rp = await startRpServer({
    routes: {
      '/osm.js': { file: SCRIPT_TAG_BUILD, contentType: 'text/javascript; charset=utf-8' },
      '/two-apps.html': FIXTURE_PAGE,
      '/cb-one': '<!doctype html><title>callback one</title>',
      '/cb-two': '<!doctype html><title>callback two</title>',
      '/after-logout': '<!doctype html><title>after logout</title>',
      '/log': { status: 204 },
    },
  });
  op = await startMockOp({
    // Per-client session_state: app two joining the OP session leaves app one's state alone.
    sessionStateMode: 'per-client',
    clients: ['one', 'two'].map((id) => ({
      client_id: id,
      redirect_uris: [`${rp!.url}/cb-${id}`],
      post_logout_redirect_uris: [`${rp!.url}/after-logout`],
    })),
  });
  return { op, rp };
}

/** Signs in to `clientId` through the OP (form or SSO) with the code flow; returns session_state and ID token. */
async function signIn(page: Page, clientId: string, user = 'alice'): Promise<{ session_state: string; id_token: string }> {
  const redirectUri = `${rp!.url}/cb-${clientId}`;
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${op!.issuer}/authorize`);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  await page.goto(url.href);
  if (new URL(page.url()).origin === op!.issuer) {
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', user);
    await page.click('button[type=submit]');
  }
  await page.waitForURL(`${redirectUri}?**`);
  const params = new URL(page.url()).searchParams;
  const res = await fetch(`${op!.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier }).toString(),
  });
  const body = (await res.json()) as { id_token: string };
  return { session_state: params.get('session_state')!, id_token: body.id_token };
}

function fixtureEvents(page: Page, name: string): Promise<FixtureEvent[]> {
  return page.evaluate((n) => (window as unknown as { fixture: { events: Record<string, FixtureEvent[]> } }).fixture.events[n] ?? [], name);
}

async function waitForFixtureEvent(page: Page, name: string, event: string, options: { count?: number; detail?: Record<string, unknown>; timeout?: number } = {}): Promise<FixtureEvent[]> {
  const { count = 1, detail, timeout = 15_000 } = options;
  await page.waitForFunction(
    ({ name, event, count, detail }) => {
      const all = (window as unknown as { fixture?: { events: Record<string, FixtureEvent[]> } }).fixture?.events[name] ?? [];
      return all.filter((e) => e.event === event && (!detail || Object.entries(detail).every(([k, v]) => e.detail?.[k] === v))).length >= count;
    },
    { name, event, count, detail },
    { timeout },
  );
  return (await fixtureEvents(page, name)).filter((e) => e.event === event);
}

function monitorState(page: Page, name: string): Promise<string> {
  return page.evaluate((n) => (window as unknown as { fixture: { monitors: Record<string, { state: string }> } }).fixture.monitors[n]!.state, name);
}

async function startMonitor(page: Page, name: string, session: { session_state: string; id_token: string }): Promise<void> {
  await page.evaluate(
    ({ name, issuer, session, interval }) =>
      (window as unknown as { startMonitor(n: string, o: unknown): void }).startMonitor(name, { issuer, client_id: name, ...session, interval }),
    { name, issuer: op!.issuer, session, interval: INTERVAL },
  );
}

function logoutFrom(page: Page, name: string, options: Record<string, unknown>): Promise<{ ok: boolean; code?: string; message?: string }> {
  return page.evaluate(({ name, options }) => (window as unknown as { logoutFrom(n: string, o: unknown): Promise<{ ok: boolean; code?: string }> }).logoutFrom(name, options), { name, options });
}

const OP_FRAMES = 'iframe[id^="oidc-session-monitor-op-frame"]';

test("logout() of one app leaves another app's monitor on the same page monitoring", async ({ page }) => {
  await startTwoApps();
  const one = await signIn(page, 'one');
  const two = await signIn(page, 'two'); // single sign-on
  await page.goto(`${rp!.url}/two-apps.html`);
  await startMonitor(page, 'one', one);
  await startMonitor(page, 'two', two);
  await waitForFixtureEvent(page, 'one', 'status', { detail: { status: 'unchanged' } });
  await waitForFixtureEvent(page, 'two', 'status', { detail: { status: 'unchanged' } });
  await expect(page.locator(OP_FRAMES)).toHaveCount(2);

  // App one logs out. The OP is slow to answer its end_session_endpoint, so this page stays on screen for a while
  // with the navigation in flight — time enough to see what becomes of app two's monitor meanwhile.
  await page.route(`${op!.issuer}/end_session**`, () => {
    // Never answered: the logout navigation stays in flight until the test ends.
  });
  await expect.poll(() => reports('two').filter((r) => r.event === 'status').length).toBeGreaterThan(0);
  const atLogout = reports('two').length;
  const result = await logoutFrom(page, 'one', { issuer: op!.issuer, client_id: 'one', id_token: one.id_token, post_logout_redirect_uri: `${rp!.url}/after-logout` });
  expect(result).toMatchObject({ ok: true, method: 'GET' });
  await expect.poll(() => reports('one').some((r) => r.event === 'removed')).toBe(true);

  // App two was not logged out: its polls go on, it stays 'monitoring', and its OP iframe stays.
  const sinceLogout = () => reports('two').slice(atLogout);
  await expect
    .poll(() => sinceLogout().some((r) => r.event === 'state') || sinceLogout().filter((r) => r.event === 'status').length >= 2, { timeout: 5 * INTERVAL })
    .toBe(true)
    .catch(() => undefined); // the assertions below say what went wrong
  const after = reports('two').slice(atLogout);
  expect(after.filter((r) => r.event === 'state').map((r) => r.detail?.state)).toEqual([]);
  expect(after.filter((r) => r.event === 'signedOut')).toEqual([]);
  expect(after.filter((r) => r.event === 'status').length).toBeGreaterThanOrEqual(2);
  for (const report of after.filter((r) => r.event === 'status')) {
    expect(report).toMatchObject({ state: 'monitoring' });
    expect(report.frames).toBeGreaterThanOrEqual(1);
  }
});

test('a logout() that fails for want of an end_session_endpoint leaves the monitor signed out, not paused', async ({ page }) => {
  demo = await startDemo({ interval: INTERVAL, frontChannel: false });
  // This OP publishes no end_session_endpoint (RP-Initiated Logout is optional for OPs).
  await page.route('**/.well-known/openid-configuration', async (route) => {
    const response = await route.fetch();
    const metadata = (await response.json()) as Record<string, unknown>;
    delete metadata.end_session_endpoint;
    await route.fulfill({ response, json: metadata });
  });
  await page.goto(`${demo.a.origin}/`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.click('#sign-in');
  await page.fill('input[name="username"]', 'alice');
  await page.fill('input[name="password"]', 'alice');
  await page.click('button[type="submit"]');
  await page.waitForURL(`${demo.a.origin}/`);
  await expect(page.locator('#user')).toContainText('sub alice');
  await waitForEvent(page, 'status', { detail: { status: 'unchanged' } });

  await page.click('#sign-out');
  const [failed] = await waitForEvent(page, 'logout-error');
  expect(failed!.detail).toMatchObject({ code: 'no_end_session_endpoint' });
  // logout() removed the local user before it failed: the monitor says so, and does not sit paused for good.
  await expect(page.locator('#user')).toHaveText('signed out');
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { demo: { monitor: { state: string } } }).demo.monitor.state), { timeout: 3 * INTERVAL })
    .toBe('signedOut');
  const [signedOut] = await waitForEvent(page, 'signedOut', { timeout: INTERVAL });
  expect(signedOut!.detail).toMatchObject({ reason: 'logout', sub: 'alice' });
});

test('a custom logout() whose OP discovery is down leaves the monitor signed out, not paused', async ({ page }) => {
  await startTwoApps();
  const one = await signIn(page, 'one');
  await page.goto(`${rp!.url}/two-apps.html`);
  await startMonitor(page, 'one', one);
  await waitForFixtureEvent(page, 'one', 'status', { detail: { status: 'unchanged' } });

  // The OP goes down; logout() cannot learn its end_session_endpoint from discovery.
  await op!.outage('down');
  const result = await logoutFrom(page, 'one', { issuer: op!.issuer, client_id: 'one', id_token: one.id_token, post_logout_redirect_uri: `${rp!.url}/after-logout` });
  expect(result).toMatchObject({ ok: false, code: 'discovery_failed' });
  expect(await page.evaluate(() => (window as unknown as { fixture: { removed: Record<string, boolean> } }).fixture.removed)).toEqual({ one: true });

  // The local session was removed by logout(): the monitor reports the sign-out instead of staying paused.
  await expect.poll(() => monitorState(page, 'one'), { timeout: 3 * INTERVAL }).toBe('signedOut');
  const [signedOut] = await waitForFixtureEvent(page, 'one', 'signedOut', { timeout: INTERVAL });
  expect(signedOut!.detail).toMatchObject({ reason: 'logout', sub: 'alice' });
});
