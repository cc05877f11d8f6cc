import { createHash, randomBytes } from 'node:crypto';
import { expect, test } from '../support/engine.js';
import type { Page } from '../support/engine.js';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp, MockOpOptions } from '../../src/mock-op/index.js';
import { startRpServer } from '../support/rp-server.js';
import type { RpServer } from '../support/rp-server.js';
import { RP_SCRIPT, rpPage, strictCsp } from './rp-pages.js';

let op: MockOp;
let rp: RpServer;
let stranger: RpServer;

async function startAll(extra: Partial<MockOpOptions> = {}): Promise<void> {
  // The RP pages need the OP's URL and the OP needs the RP's origin: route functions close over `op`.
  const routes = {
    '/cb': '<!doctype html><title>callback</title><p>callback</p>',
    '/after-logout': '<!doctype html><title>after logout</title><p>after logout</p>',
    '/fcl': { body: '<!doctype html><title>fcl</title>', headers: { 'Cache-Control': 'no-store' } },
    '/rp.js': { body: RP_SCRIPT, contentType: 'text/javascript' },
    '/rp.html': () => ({ body: rpPage(`${op.issuer}/check_session`), headers: { 'Content-Security-Policy': strictCsp(op.issuer) } }),
  };
  rp = await startRpServer({ routes });
  stranger = await startRpServer({ routes });
  op = await startMockOp({
    clients: [
      {
        client_id: 'rp',
        redirect_uris: [`${rp.url}/cb`],
        post_logout_redirect_uris: [`${rp.url}/after-logout`],
        frontchannel_logout_uri: `${rp.url}/fcl?app=rp`,
      },
      { client_id: 'rp2', redirect_uris: [`${rp.url}/cb2`] },
      // Registers the stranger's origin, for another client only: it may frame the iframe, not speak for 'rp'.
      { client_id: 'stranger', redirect_uris: [`${stranger.url}/cb`] },
    ],
    ...extra,
  });
}

test.afterEach(async () => {
  await op?.close();
  await rp?.close();
  await stranger?.close();
});

/** Signs in through the OP's real login form; returns the authorization response and the ID token. */
async function signIn(page: Page, clientId = 'rp', redirect = '/cb', user = 'alice'): Promise<{ sessionState: string; idToken: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${op.issuer}/authorize`);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: `${rp.url}${redirect}`,
    response_type: 'code',
    scope: 'openid',
    state: 'xyz',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  await page.goto(url.href);
  if (new URL(page.url()).origin === op.issuer) {
    await page.fill('input[name=username]', user);
    await page.fill('input[name=password]', user);
    await page.click('button[type=submit]');
  }
  await page.waitForURL(`${rp.url}${redirect}?**`);
  const params = new URL(page.url()).searchParams;
  const res = await fetch(`${op.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code')!,
      redirect_uri: `${rp.url}${redirect}`,
      client_id: clientId,
      code_verifier: verifier,
    }).toString(),
  });
  const body = (await res.json()) as { id_token: string };
  return { sessionState: params.get('session_state')!, idToken: body.id_token };
}

function check(page: Page, data: unknown): Promise<unknown> {
  return page.evaluate((d) => (window as unknown as { check(d: unknown): Promise<unknown> }).check(d), data);
}

async function stateCookie(page: Page): Promise<string | undefined> {
  const cookies = await page.context().cookies(op.issuer);
  return cookies.find((c) => c.name === `mockop${op.port}_bs`)?.value;
}

test('answers unchanged for the current session_state, with no request to the OP per poll', async ({ page }) => {
  await startAll();
  const { sessionState } = await signIn(page);
  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, `rp ${sessionState}`)).toBe('unchanged');
  // One event stream per browser, opened by the shared worker at load.
  await expect.poll(() => op.requests.map((r) => r.path)).toContain('/check_session/events');
  expect(op.requests.map((r) => r.path)).toContain('/check_session_worker.js');
  op.clearRequests();
  for (let i = 0; i < 10; i++) expect(await check(page, `rp ${sessionState}`)).toBe('unchanged');
  expect(op.requests).toEqual([]);
});

test('works on an RP page with a strict Content-Security-Policy and loads only external scripts', async ({ page }) => {
  await startAll();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused/i.test(m.text())) violations.push(m.text());
  });
  const { sessionState } = await signIn(page);
  const response = await page.goto(`${rp.url}/rp.html`);
  expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
  expect(await check(page, `rp ${sessionState}`)).toBe('unchanged');
  const frameResponse = await page.request.get(`${op.issuer}/check_session`);
  const csp = frameResponse.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain(`frame-ancestors 'self' ${rp.origin}`);
  expect(frameResponse.headers()['x-frame-options']).toBeUndefined();
  expect(await frameResponse.text()).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*src=)[^>]*>/);
  expect(violations).toEqual([]);
});

test('answers error for malformed messages and unregistered clients', async ({ page }) => {
  await startAll();
  const { sessionState } = await signIn(page);
  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, { client_id: 'rp', session_state: sessionState })).toBe('error');
  expect(await check(page, 42)).toBe('error');
  expect(await check(page, 'no-space-at-all')).toBe('error');
  expect(await check(page, `rp ${sessionState.replace('.', '')}`)).toBe('error');
  expect(await check(page, `rp ${sessionState}.extra`)).toBe('error');
  expect(await check(page, `rp ${sessionState.split('.')[0]}.`)).toBe('error');
  expect(await check(page, `unknown-client ${sessionState}`)).toBe('error');
  // rp2 is registered, but not for this origin? It is (same RP server): the state is simply not its own.
  expect(await check(page, `rp2 ${sessionState}`)).toBe('changed');
  // Still answering, in order, after all that.
  const replies = await page.evaluate(
    (ss) => {
      const w = window as unknown as { check(d: unknown): Promise<unknown> };
      return Promise.all([w.check(`rp ${ss}`), w.check('bad'), w.check(`rp ${ss}`)]);
    },
    sessionState,
  );
  expect(replies).toEqual(['unchanged', 'error', 'unchanged']);
});

test('answers error to an origin that is not registered for the client', async ({ page }) => {
  await startAll();
  const { sessionState } = await signIn(page);
  await page.goto(`${stranger.url}/rp.html`);
  expect(await check(page, `rp ${sessionState}`)).toBe('error');
  expect(await check(page, `stranger ${sessionState}`)).toBe('changed');
});

test('cannot be framed by an origin no client registered', async ({ page, engine }) => {
  await startAll();
  const unknown = await startRpServer({
    routes: {
      '/rp.js': { body: RP_SCRIPT, contentType: 'text/javascript' },
      '/rp.html': () => rpPage(`${op.issuer}/check_session`),
    },
  });
  try {
    const { sessionState } = await signIn(page);
    // Chromium logs the refusal to the page's console; Firefox reports it to the browser console only (not over BiDi).
    const blocked = engine === 'chromium' ? page.waitForEvent('console', (m) => /frame-ancestors|Refused to frame/i.test(m.text())) : undefined;
    await page.goto(`${unknown.url}/rp.html`);
    await blocked;
    expect(await check(page, `rp ${sessionState}`)).not.toMatch(/^(unchanged|changed)$/);
  } finally {
    await unknown.close();
  }
});

test('answers changed after op.endSession(), without reloading the iframe, and after a reload', async ({ page }) => {
  await startAll();
  const { sessionState } = await signIn(page);
  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, `rp ${sessionState}`)).toBe('unchanged');
  op.endSession({ sub: 'alice' });
  await expect.poll(() => check(page, `rp ${sessionState}`), { timeout: 5000 }).toBe('changed');
  await page.reload();
  expect(await check(page, `rp ${sessionState}`)).toBe('changed');
  // The browser-state cookie itself was rotated when the iframe page loaded.
  const { sessionState: next } = await signIn(page);
  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, `rp ${next}`)).toBe('unchanged');
  op.expireAllSessions();
  await expect.poll(() => check(page, `rp ${next}`), { timeout: 5000 }).toBe('changed');
});

test('logout through end_session_endpoint changes the browser-state cookie, notifies front-channel, redirects with state', async ({
  page,
}) => {
  await startAll();
  const { sessionState, idToken } = await signIn(page);
  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, `rp ${sessionState}`)).toBe('unchanged');
  const before = await stateCookie(page);
  expect(before).toBeTruthy();

  const logout = new URL(`${op.issuer}/end_session`);
  logout.search = new URLSearchParams({
    id_token_hint: idToken,
    post_logout_redirect_uri: `${rp.url}/after-logout`,
    state: 'logout-state',
  }).toString();
  await page.goto(logout.href);
  await page.waitForURL(`${rp.url}/after-logout?state=logout-state`);

  const after = await stateCookie(page);
  expect(after).toBeTruthy();
  expect(after).not.toBe(before);
  const fcl = rp.requests.find((r) => r.path === '/fcl');
  expect(fcl?.query).toEqual({ app: 'rp', iss: op.issuer, sid: expect.any(String) });
  const fclAt = fcl!.at;
  const landedAt = rp.requests.find((r) => r.path === '/after-logout')!.at;
  expect(fclAt).toBeLessThanOrEqual(landedAt);

  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, `rp ${sessionState}`)).toBe('changed');
  // prompt=none now fails: the OP session is really gone.
  await page.goto(
    `${op.issuer}/authorize?client_id=rp&response_type=code&scope=openid&prompt=none&redirect_uri=${encodeURIComponent(`${rp.url}/cb`)}` +
      `&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
  );
  await page.waitForURL(`${rp.url}/cb?**`);
  expect(new URL(page.url()).searchParams.get('error')).toBe('login_required');
});

test('an open iframe sees a logout done in another tab', async ({ page, context }) => {
  await startAll();
  const { sessionState, idToken } = await signIn(page);
  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, `rp ${sessionState}`)).toBe('unchanged');
  const other = await context.newPage();
  await other.goto(`${op.issuer}/end_session?id_token_hint=${idToken}`);
  await expect(other.locator('#signed-out')).toBeVisible();
  expect(await check(page, `rp ${sessionState}`)).toBe('changed');
});

test('per-client mode: another client signing in leaves this client unchanged; browser mode changes it', async ({ page }) => {
  await startAll({ sessionStateMode: 'per-client' });
  const { sessionState } = await signIn(page);
  await signIn(page, 'rp2', '/cb2');
  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, `rp ${sessionState}`)).toBe('unchanged');
  await op.close();

  await startAll({ sessionStateMode: 'browser' });
  const first = await signIn(page);
  await signIn(page, 'rp2', '/cb2');
  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, `rp ${first.sessionState}`)).toBe('changed');
});
