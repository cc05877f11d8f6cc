import { startMockOp, type MockOp, type MockOpProfile } from '../src/mock-op/index.js';
import { countLog, fillLoginForm, loggingScript, logOf, packageFile, startClientRp, waitForLog } from './support/clients.js';
import { expect, test, type Page } from './support/engine.js';
import type { RpServer } from './support/rp-server.js';

/**
 * The client conformance lane: clients that nobody here wrote, with their stock settings, against the mock OP's
 * profiles of their own OPs (src/mock-op/README.md, "OP compatibility"). Each must sign in, keep polling the
 * check_session iframe with no request to the OP, hear of a logout elsewhere through its own event, and complete its
 * own logout round trip.
 */

let op: MockOp | undefined;
let rp: RpServer | undefined;
test.afterEach(async () => {
  await op?.close();
  await rp?.close();
  op = undefined;
  rp = undefined;
});

/** Signs out at the OP in another tab, as a user would: the OP's end-session page, confirmed. */
async function signOutElsewhere(page: Page, endSessionEndpoint: string): Promise<void> {
  const other = await page.context().newPage();
  await other.goto(endSessionEndpoint);
  await other.locator('button[value="logout"]').click();
  await other.locator('#signed-out').waitFor();
  await other.close();
}

/**
 * Waits until the page's client has had `polls` more answers from the OP's iframe, all `unchanged`, and checks that
 * the OP received nothing meanwhile.
 */
async function pollsWithoutRequests(page: Page, theOp: MockOp, polls: number): Promise<void> {
  const before = await countLog(page, 'iframe', 'unchanged');
  theOp.clearRequests();
  await waitForLog(page, 'iframe', { detail: 'unchanged', count: before + polls });
  expect(theOp.requests.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  expect((await logOf(page)).filter((e) => e.event === 'iframe' && e.detail !== 'unchanged')).toEqual([]);
}

/** Waits for the page's `init` entry with `authenticated` as given (a page loaded after a redirect logs afresh). */
async function initialized(page: Page, authenticated: boolean): Promise<unknown> {
  await page
    .waitForFunction(
      (a) => (window as unknown as { log?: Array<{ event: string; detail?: { authenticated?: boolean } }> }).log?.some((e) => e.event === 'init' && e.detail?.authenticated === a),
      authenticated,
      { timeout: 20_000 },
    )
    .catch(async (error: Error) => {
      throw new Error(`${error.message}\nat ${page.url()}, the page logged: ${JSON.stringify(await logOf(page).catch(() => 'nothing'))}`);
    });
  return (await logOf(page)).find((e) => e.event === 'init')!.detail;
}

test.describe('keycloak-js 26 against the keycloak profile', () => {
  /** A page on keycloak-js's published ES module, with its stock init (only the poll interval shortened to 1 s). */
  function keycloakPage(opOrigin: string): string {
    return `<!doctype html><html><head><meta charset="utf-8">${loggingScript(opOrigin)}</head><body>
<p id="state">loading</p>
<script type="module">
import Keycloak from '/keycloak.js';
const keycloak = new Keycloak({ url: ${JSON.stringify(opOrigin)}, realm: 'demo', clientId: 'kc-app' });
window.keycloak = keycloak;
keycloak.onAuthSuccess = () => record('onAuthSuccess');
keycloak.onAuthLogout = () => record('onAuthLogout');
keycloak.onAuthRefreshSuccess = () => record('onAuthRefreshSuccess');
keycloak.onAuthRefreshError = () => record('onAuthRefreshError');
keycloak.onAuthError = (e) => record('onAuthError', e);
try {
  const authenticated = await keycloak.init({ checkLoginIframeInterval: 1 });
  record('init', { authenticated, sub: keycloak.subject ?? null, sid: keycloak.sessionId ?? null });
  document.getElementById('state').textContent = authenticated ? 'signed in' : 'signed out';
} catch (error) {
  record('initError', String(error && error.message || error));
}
</script></body></html>`;
  }

  test('signs in, polls with no request to the OP, refreshes, hears a logout elsewhere (onAuthLogout) and logs out itself', async ({ page }) => {
    rp = await startClientRp({});
    const app = `${rp.origin}/app`;
    op = await startMockOp({ profile: 'keycloak', clients: [{ client_id: 'kc-app', redirect_uris: [app], post_logout_redirect_uris: [app] }] });
    const opOrigin = new URL(op.issuer).origin;
    rp.route('/app', keycloakPage(opOrigin));
    rp.route('/keycloak.js', { file: packageFile('keycloak-js', 'lib/keycloak.js') });

    await page.goto(app);
    await initialized(page, false);
    await page.evaluate(() => void (window as unknown as { keycloak: { login(): Promise<void> } }).keycloak.login());
    await fillLoginForm(page);
    expect(await initialized(page, true)).toMatchObject({ authenticated: true, sub: 'alice' });
    // keycloak-js posts the access token's sid: the session the iframe knows.
    await waitForLog(page, 'iframe', { detail: 'unchanged' });
    await pollsWithoutRequests(page, op, 3);

    // updateToken() refreshes with the refresh token Keycloak issues by default.
    const refreshed = await page.evaluate(() => (window as unknown as { keycloak: { updateToken(n: number): Promise<boolean> } }).keycloak.updateToken(-1));
    expect(refreshed).toBe(true);
    await waitForLog(page, 'onAuthRefreshSuccess');
    expect(op.requests.filter((r) => r.grantType === 'refresh_token').map((r) => r.status)).toEqual([200]);
    await pollsWithoutRequests(page, op, 2);

    // A logout elsewhere: the iframe answers `changed` and keycloak-js fires onAuthLogout.
    await signOutElsewhere(page, `${op.endSessionEndpoint}`);
    await waitForLog(page, 'onAuthLogout');
    expect(await countLog(page, 'iframe', 'changed')).toBeGreaterThanOrEqual(1);
    expect(await countLog(page, 'onAuthLogout')).toBe(1);

    // Its own logout round trip: sign in again, then keycloak.logout() comes back signed out.
    await page.evaluate(() => void (window as unknown as { keycloak: { login(): Promise<void> } }).keycloak.login());
    await fillLoginForm(page);
    await initialized(page, true);
    await waitForLog(page, 'iframe', { detail: 'unchanged' });
    op.clearRequests();
    await page.evaluate(() => void (window as unknown as { keycloak: { logout(): Promise<void> } }).keycloak.logout());
    await initialized(page, false);
    expect(page.url()).toBe(app);
    const logout = op.requests.find((r) => r.path.endsWith('/protocol/openid-connect/logout'))!;
    expect(logout.status).toBe(303);
    expect(logout.query).toMatchObject({ client_id: 'kc-app', post_logout_redirect_uri: app });
    const cookies = await page.context().cookies(opOrigin);
    expect(cookies.filter((c) => c.name.endsWith('_KEYCLOAK_SESSION'))).toEqual([]);
  });
});

test.describe('@asgardeo/auth-spa 3.5.2 against the wso2 profile', () => {
  /**
   * A page on the SDK's published browser bundle, with its stock configuration and OIDC session management switched
   * on (`enableOIDCSessionManagement`, off by default; its check-session interval stays the stock 3 s).
   */
  function asgardeoPage(opOrigin: string, app: string): string {
    return `<!doctype html><html><head><meta charset="utf-8">${loggingScript(opOrigin)}
<script src="/asgardeo-spa.js"></script></head><body>
<script type="module">
const auth = AsgardeoAuth.AsgardeoSPAClient.getInstance();
window.auth = auth;
try {
  await auth.initialize({ signInRedirectURL: ${JSON.stringify(app)}, signOutRedirectURL: ${JSON.stringify(app)}, clientID: 'as-app', baseUrl: ${JSON.stringify(opOrigin)}, enableOIDCSessionManagement: true });
  await auth.on('sign-out', () => record('sign-out'));
  await auth.on('sign-in', () => record('sign-in'));
  await auth.signIn({ callOnlyOnRedirect: true });
  const authenticated = await auth.isAuthenticated();
  record('init', authenticated ? { authenticated, sub: (await auth.getDecodedIDToken()).sub } : { authenticated });
} catch (error) {
  record('initError', String(error && (error.message || error.description) || error));
}
</script></body></html>`;
  }

  test('signs in, polls with no request to the OP, signs itself out after a logout elsewhere, and logs out itself (sign-out)', async ({ page }) => {
    rp = await startClientRp({});
    const app = `${rp.origin}/app`;
    // WSO2 checks post_logout_redirect_uri against the callback URL: the app's page is both.
    op = await startMockOp({ profile: 'wso2', clients: [{ client_id: 'as-app', redirect_uris: [app], post_logout_redirect_uris: [app] }] });
    const opOrigin = new URL(op.issuer).origin;
    rp.route('/app', asgardeoPage(opOrigin, app));
    rp.route('/asgardeo-spa.js', { file: packageFile('@asgardeo/auth-spa', 'dist/asgardeo-spa.production.min.js') });
    type Auth = { auth: { signIn(): Promise<unknown>; signOut(): Promise<unknown> } };

    await page.goto(app);
    expect(await initialized(page, false)).toEqual({ authenticated: false });
    await page.evaluate(() => void (window as unknown as Auth).auth.signIn());
    await fillLoginForm(page);
    expect(await initialized(page, true)).toEqual({ authenticated: true, sub: 'alice' });
    await waitForLog(page, 'sign-in');
    await waitForLog(page, 'iframe', { detail: 'unchanged' });
    await pollsWithoutRequests(page, op, 2);

    // A logout elsewhere: `changed`, its prompt=none answers login_required, and the SDK clears its session and
    // sends the browser to the OP's logout (its reaction; it has no event for it). Stock settings send `client_id`,
    // not `id_token_hint`, and WSO2 without a session and without a hint shows its own signed-out page, so the app's
    // `sign-out` event (fired on the way back) does not come here.
    await signOutElsewhere(page, op.endSessionEndpoint);
    await page.waitForURL((url) => url.pathname === '/oidc/logout' && url.searchParams.get('state') === 'sign_out_success');
    await page.locator('#signed-out').waitFor();
    expect(new URL(page.url()).searchParams.get('client_id')).toBe('as-app');
    expect(op.requests.filter((r) => r.path === '/oauth2/authorize' && r.prompt === 'none').map((r) => r.status)).toEqual([302]);

    // Its own logout round trip, through WSO2's logout consent.
    await page.goto(app);
    await initialized(page, false);
    await page.evaluate(() => void (window as unknown as Auth).auth.signIn());
    await fillLoginForm(page);
    await initialized(page, true);
    await waitForLog(page, 'iframe', { detail: 'unchanged' });
    await page.evaluate(() => void (window as unknown as Auth).auth.signOut());
    await page.locator('button[value="logout"]').click();
    await page.waitForURL(`${app}?state=sign_out_success`);
    await waitForLog(page, 'sign-out');
    expect(await initialized(page, false)).toEqual({ authenticated: false });
  });
});

test.describe('oidc-client-ts 3.5.0 monitorSession against every profile', () => {
  /** The UserManager's settings: stock, with monitorSession on (and, for WSO2, its iframe URL with the client_id). */
  function settingsScript(opIssuer: string, checkSessionIframe: string, rp: string, profile: MockOpProfile): string {
    const settings = {
      authority: opIssuer,
      client_id: 'ts-app',
      redirect_uri: `${rp}/callback`,
      silent_redirect_uri: `${rp}/silent`,
      post_logout_redirect_uri: `${rp}/signed-out`,
      monitorSession: true,
      // WSO2 serves its iframe only for the client named in its URL (README, "OP compatibility").
      ...(profile === 'wso2' ? { metadataSeed: { check_session_iframe: `${checkSessionIframe}?client_id=ts-app` } } : {}),
    };
    return `window.settings = ${JSON.stringify(settings)};`;
  }

  function page(opOrigin: string, body: string): string {
    return `<!doctype html><html><head><meta charset="utf-8">${loggingScript(opOrigin)}
<script src="/oidc-client-ts.js"></script><script src="/settings.js"></script></head><body>
<script type="module">
try {
${body}
} catch (error) {
  record('initError', String(error && error.message || error));
}
</script></body></html>`;
  }

  const PROFILES: MockOpProfile[] = ['spec', 'wso2', 'django', 'janssen', 'keycloak', 'node-oidc-provider'];
  for (const profile of PROFILES) {
    test(`${profile}: signs in, polls with no request to the OP, hears a logout elsewhere (userSignedOut) and logs out itself`, async ({ page: tab }) => {
      rp = await startClientRp({});
      const origin = rp.origin;
      op = await startMockOp({
        profile,
        clients: [
          {
            client_id: 'ts-app',
            // WSO2 checks post_logout_redirect_uri against the callback URLs.
            redirect_uris: [`${origin}/callback`, `${origin}/silent`, ...(profile === 'wso2' ? [`${origin}/signed-out`] : [])],
            post_logout_redirect_uris: [`${origin}/signed-out`],
          },
        ],
      });
      const opOrigin = new URL(op.issuer).origin;
      rp.route('/oidc-client-ts.js', { file: packageFile('oidc-client-ts', 'dist/browser/oidc-client-ts.min.js') });
      rp.route('/settings.js', { body: settingsScript(op.issuer, op.checkSessionIframe!, origin, profile), contentType: 'text/javascript' });
      rp.route(
        '/app',
        page(
          opOrigin,
          `const manager = new oidc.UserManager(window.settings);
window.manager = manager;
// What an app does when told: forget the user.
manager.events.addUserSignedOut(async () => { record('userSignedOut'); await manager.removeUser(); });
manager.events.addUserSessionChanged(() => record('userSessionChanged'));
const user = await manager.getUser();
record('init', user ? { authenticated: true, sub: user.profile.sub } : { authenticated: false });`,
        ),
      );
      // The callback page only stores the user and moves on: a monitor started there would have its iframe torn down
      // mid-check by the navigation, and that iframe's late `error` reach the next page.
      rp.route('/callback', page(opOrigin, `await new oidc.UserManager({ ...window.settings, monitorSession: false }).signinRedirectCallback(); location.replace('/app');`));
      rp.route('/silent', page(opOrigin, `await new oidc.UserManager({ ...window.settings, monitorSession: false }).signinSilentCallback();`));
      rp.route(
        '/signed-out',
        page(opOrigin, `const response = await new oidc.UserManager({ ...window.settings, monitorSession: false }).signoutRedirectCallback(); record('signedOut', { state: response.userState ?? null });`),
      );
      type Manager = { manager: { signinRedirect(): Promise<void>; signoutRedirect(args: { state: string }): Promise<void> } };
      const signIn = async () => {
        await tab.goto(`${origin}/app`);
        await initialized(tab, false);
        await tab.evaluate(() => void (window as unknown as Manager).manager.signinRedirect());
        await fillLoginForm(tab);
        expect(await initialized(tab, true)).toEqual({ authenticated: true, sub: 'alice' });
        await waitForLog(tab, 'iframe', { detail: 'unchanged' });
      };

      await signIn();
      await pollsWithoutRequests(tab, op, 2);

      // A logout elsewhere: `changed`, the prompt=none re-check answers login_required, and userSignedOut.
      await signOutElsewhere(tab, op.endSessionEndpoint);
      await waitForLog(tab, 'userSignedOut');
      expect(await countLog(tab, 'userSessionChanged')).toBe(0);

      // Its own logout round trip, its state coming back.
      await signIn();
      await tab.evaluate(() => void (window as unknown as Manager).manager.signoutRedirect({ state: 'round-trip' }));
      if (profile === 'wso2' || profile === 'node-oidc-provider') await tab.locator('button[value="logout"]').click();
      await tab.waitForURL(`${origin}/signed-out**`);
      await waitForLog(tab, 'signedOut', { detail: { state: 'round-trip' } });
    });
  }
});
