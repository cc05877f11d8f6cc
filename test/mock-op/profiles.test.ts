import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp, MockOpClient, MockOpProfile } from '../../src/mock-op/index.js';
import { TestBrowser, decodeJwtPayload, formTx, pkce, redeem } from './helpers.js';

const RP_A = 'http://localhost:3000';
const RP_B = 'http://localhost:4000';
const A = { client_id: 'app-a', redirect_uri: `${RP_A}/cb` };
const B = { client_id: 'app-b', redirect_uri: `${RP_B}/cb` };

let op: MockOp | undefined;
afterEach(async () => {
  await op?.close();
  op = undefined;
});

function client(c: typeof A, origin: string, extra: Partial<MockOpClient> = {}): MockOpClient {
  return {
    client_id: c.client_id,
    redirect_uris: [c.redirect_uri],
    post_logout_redirect_uris: [`${origin}/bye`],
    frontchannel_logout_uri: `${origin}/fcl`,
    ...extra,
  };
}

async function start(profile: MockOpProfile, extra: Partial<MockOpClient> = {}): Promise<MockOp> {
  op = await startMockOp({ profile, clients: [client(A, RP_A, extra), client(B, RP_B, extra)] });
  return op;
}

async function discovery(o: MockOp): Promise<Record<string, unknown>> {
  const res = await fetch(`${o.issuer}/.well-known/openid-configuration`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** Runs an authorization request at the profile's endpoint; signs in on the form when it shows. */
async function authorize(browser: TestBrowser, o: MockOp, c: typeof A, params: Record<string, string> = {}): Promise<{ params: URLSearchParams; verifier: string }> {
  const doc = await discovery(o);
  const { verifier, challenge } = pkce();
  const url = new URL(doc.authorization_endpoint as string);
  for (const [k, v] of Object.entries({ response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 'st', ...c, ...params })) {
    url.searchParams.set(k, v);
  }
  let res = await browser.get(url.href);
  if (res.status === 200) {
    const html = await res.text();
    res = await browser.post(formAction(html, o), { tx: formTx(html), username: 'alice', password: 'alice' });
  }
  const location = res.headers.get('location');
  if (location === null) throw new Error(`no redirect: ${res.status}`);
  return { params: new URL(location).searchParams, verifier };
}

async function idToken(o: MockOp, c: typeof A, code: string, verifier: string): Promise<string> {
  const doc = await discovery(o);
  const res = await fetch(doc.token_endpoint as string, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: c.redirect_uri, client_id: c.client_id, code_verifier: verifier }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status).toBe(200);
  return body.id_token as string;
}

/** Where a form of the OP's page posts to. */
function formAction(html: string, o: MockOp): string {
  return new URL(/<form method="post" action="([^"]+)"/.exec(html)![1]!, o.issuer).href;
}

/** Cookie value of this OP by its real name (the mock OP prefixes every name with `mockop<port>_`). */
function cookie(browser: TestBrowser, o: MockOp, name: string): string | undefined {
  return browser.cookies.get(`mockop${o.port}_${name}`);
}

const hex = (text: string): string => createHash('sha256').update(text).digest('hex');
const b64u = (text: string): string => createHash('sha256').update(text).digest('base64url');

/** What an iframe that hashes `client_id origin opbs salt` would answer (written apart from the OP's code). */
function saltedVerdict(encode: (t: string) => string, clientId: string, origin: string, opbs: string, sessionState: string): string {
  const salt = sessionState.split('.')[1];
  return `${encode(`${clientId} ${origin} ${opbs} ${salt}`)}.${salt}` === sessionState ? 'unchanged' : 'changed';
}

describe('profile option', () => {
  it('is validated, and sessionStateMode is refused with a profile that has its own scope', async () => {
    await expect(startMockOp({ profile: 'okta' as MockOpProfile, clients: [] })).rejects.toThrow(/options\.profile must be one of/);
    await expect(startMockOp({ profile: 'django', sessionStateMode: 'per-client', clients: [] })).rejects.toThrow(/spec' profile only/);
    await expect(startMockOp({ clients: [{ ...client(A, RP_A), consent: 'maybe' as 'once' }] })).rejects.toThrow(/consent must be/);
  });
});

describe('the issuer of a profile', () => {
  it.each([
    ['keycloak', '/realms/demo'],
    ['wso2', '/oauth2/token'],
    ['django', '/openid'],
  ] as const)('%s moves it to %s: an app whose authority is the bare origin gets a 404 without CORS ("Failed to fetch")', async (profile, path) => {
    const o = await start(profile);
    const origin = new URL(o.issuer).origin;
    expect(o.issuer).toBe(`${origin}${path}`);
    const headers = { origin: RP_A };
    const bare = await fetch(`${origin}/.well-known/openid-configuration`, { headers });
    expect(bare.status).toBe(404);
    expect(bare.headers.get('access-control-allow-origin')).toBeNull();
    const right = await fetch(`${o.issuer}/.well-known/openid-configuration`, { headers });
    expect(right.status).toBe(200);
    expect(right.headers.get('access-control-allow-origin')).not.toBeNull();
  });
});

describe('wso2 profile', () => {
  it('publishes WSO2 paths under the issuer …/oauth2/token', async () => {
    const o = await start('wso2');
    expect(o.issuer).toMatch(/\/oauth2\/token$/);
    const doc = await discovery(o);
    const origin = new URL(o.issuer).origin;
    expect(doc).toMatchObject({
      issuer: o.issuer,
      authorization_endpoint: `${origin}/oauth2/authorize`,
      check_session_iframe: `${origin}/oidc/checksession`,
      end_session_endpoint: `${origin}/oidc/logout`,
      frontchannel_logout_supported: true,
    });
    expect(o.checkSessionIframe).toBe(`${origin}/oidc/checksession`);
  });

  it('gives hex session_state with a base64url salt over the opbs cookie, which moves when a client joins', async () => {
    const o = await start('wso2');
    const browser = new TestBrowser();
    const a = (await authorize(browser, o, A)).params.get('session_state')!;
    expect(a).toMatch(/^[0-9a-f]{64}\.[A-Za-z0-9_-]{22}$/);
    const opbs = cookie(browser, o, 'opbs')!;
    expect(opbs).toMatch(/^[0-9a-f-]{36}$/);
    expect(saltedVerdict(hex, 'app-a', RP_A, opbs, a)).toBe('unchanged');
    await authorize(browser, o, B);
    expect(saltedVerdict(hex, 'app-a', RP_A, cookie(browser, o, 'opbs')!, a)).toBe('changed');
  });

  it('serves the iframe only with ?client_id=, for that client\'s callback origin', async () => {
    const o = await start('wso2');
    const without = await fetch(o.checkSessionIframe!);
    const withoutText = await without.text();
    expect(withoutText).toContain('Invalid OP IFrame Request');
    expect(withoutText).not.toContain('<script');
    const page = await (await fetch(`${o.checkSessionIframe}?client_id=app-b`)).text();
    expect(page).toContain(`data-client-origin="${RP_B}"`);
    expect(page).toContain('data-split="first"');
    expect(page).toContain('data-hash="hex"');
  });

  it('answers the token endpoint with Access-Control-Allow-Credentials for a registered origin (@asgardeo/auth-spa fetches with credentials)', async () => {
    const o = await start('wso2');
    const browser = new TestBrowser();
    const { params, verifier } = await authorize(browser, o, A);
    const res = await fetch(`${new URL(o.issuer).origin}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: RP_A },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code')!, redirect_uri: A.redirect_uri, client_id: A.client_id, code_verifier: verifier }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(RP_A);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('answers discovery and the JWKS for a registered origin with that origin and credentials allowed (@asgardeo/auth-spa fetches them with credentials), others with *', async () => {
    const o = await start('wso2');
    const origin = new URL(o.issuer).origin;
    for (const url of [`${o.issuer}/.well-known/openid-configuration`, `${origin}/oauth2/jwks`]) {
      const registered = await fetch(url, { headers: { origin: RP_A } });
      expect(registered.headers.get('access-control-allow-origin'), url).toBe(RP_A);
      expect(registered.headers.get('access-control-allow-credentials'), url).toBe('true');
      expect((await fetch(url, { headers: { origin: 'http://elsewhere.test' } })).headers.get('access-control-allow-origin'), url).toBe('*');
    }
  });

  it('answers prompt=none with consent_required for a client approved once, with session_state', async () => {
    const o = await start('wso2', { consent: 'once' });
    const browser = new TestBrowser();
    await authorize(browser, o, A);
    const { params } = await authorize(browser, o, A, { prompt: 'none' });
    expect(params.get('error')).toBe('consent_required');
    expect(params.get('session_state')).toMatch(/^[0-9a-f]{64}\./);
  });

  it('asks before logging out, checks post_logout_redirect_uri against the callback URLs, then redirects with state', async () => {
    const o = await start('wso2');
    const browser = new TestBrowser();
    const { params, verifier } = await authorize(browser, o, A);
    const hint = await idToken(o, A, params.get('code')!, verifier);
    const unregistered = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: `${RP_A}/bye`, state: 's1' })}`);
    expect(unregistered.status).toBe(400);
    const asked = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: A.redirect_uri, state: 's1' })}`);
    expect(asked.status).toBe(200);
    const askedHtml = await asked.text();
    const done = await browser.post(formAction(askedHtml, o), { tx: formTx(askedHtml), action: 'logout' });
    const html = await done.text();
    expect(html).toContain(`${RP_A}/fcl?iss=${encodeURIComponent(o.issuer)}`);
    expect(html).toContain(`data-next="${A.redirect_uri}?state=s1"`);
  });
});

describe('django profile', () => {
  it('publishes the django paths under /openid, without front-channel logout', async () => {
    const o = await start('django');
    const doc = await discovery(o);
    const origin = new URL(o.issuer).origin;
    expect(o.issuer).toBe(`${origin}/openid`);
    expect(doc.check_session_iframe).toBe(`${origin}/openid/check-session-iframe/`);
    expect(doc.end_session_endpoint).toBe(`${origin}/openid/end-session/`);
    expect(doc).not.toHaveProperty('frontchannel_logout_supported');
  });

  it('hashes the op_browser_state cookie (a SHA-224) with an md5 salt; SSO of B leaves A alone; no session_state on errors', async () => {
    const o = await start('django');
    const browser = new TestBrowser();
    const anonymousBrowser = new TestBrowser();
    const failed = (await authorize(anonymousBrowser, o, A, { prompt: 'none' })).params;
    expect(failed.get('error')).toBe('login_required');
    expect(failed.has('session_state')).toBe(false);
    const anonymousState = cookie(anonymousBrowser, o, 'op_browser_state');
    const a = (await authorize(browser, o, A)).params.get('session_state')!;
    expect(a).toMatch(/^[0-9a-f]{64}\.[0-9a-f]{32}$/);
    const opbs = cookie(browser, o, 'op_browser_state')!;
    expect(opbs).toMatch(/^[0-9a-f]{56}$/);
    expect(opbs).not.toBe(anonymousState);
    await authorize(browser, o, B);
    expect(cookie(browser, o, 'op_browser_state')).toBe(opbs);
    expect(saltedVerdict(hex, 'app-a', RP_A, opbs, a)).toBe('unchanged');
  });

  it('logs out with a valid hint and goes to the first registered post-logout URI when none is given; every anonymous browser shares one state', async () => {
    const o = await start('django');
    const browser = new TestBrowser();
    const other = new TestBrowser();
    await other.get(o.checkSessionIframe!);
    const { params, verifier } = await authorize(browser, o, A);
    const hint = await idToken(o, A, params.get('code')!, verifier);
    const res = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: hint, state: 'xyz' })}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${RP_A}/bye?state=xyz`);
    expect(cookie(browser, o, 'op_browser_state')).toBe(cookie(other, o, 'op_browser_state'));
  });
});

describe('janssen profile', () => {
  it('publishes jans-auth paths; hex session_state with a UUID salt; opbs per session', async () => {
    const o = await start('janssen');
    const doc = await discovery(o);
    const origin = new URL(o.issuer).origin;
    expect(doc).toMatchObject({ check_session_iframe: `${origin}/jans-auth/opiframe.htm`, end_session_endpoint: `${origin}/jans-auth/restv1/end_session` });
    const browser = new TestBrowser();
    const a = (await authorize(browser, o, A)).params.get('session_state')!;
    expect(a).toMatch(/^[0-9a-f]{64}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await authorize(browser, o, B);
    expect(saltedVerdict(hex, 'app-a', RP_A, cookie(browser, o, 'opbs')!, a)).toBe('unchanged');
  });

  it('refuses an unregistered post_logout_redirect_uri with a 400; a registered one gets front-channel iframes with iss and sid first', async () => {
    const o = await start('janssen');
    const browser = new TestBrowser();
    const { params, verifier } = await authorize(browser, o, A);
    const hint = await idToken(o, A, params.get('code')!, verifier);
    const bad = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: 'http://localhost:3000/elsewhere' })}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'post_logout_uri_not_associated_with_client' });
    const good = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: `${RP_A}/bye`, state: 'q' })}`);
    const html = await good.text();
    const sid = decodeJwtPayload(hint).sid as string;
    expect(html).toContain(`${RP_A}/fcl?iss=${encodeURIComponent(o.issuer)}&amp;sid=${sid}`);
    expect(html).toContain(`data-next="${RP_A}/bye?state=q"`);
  });
});

describe('keycloak profile', () => {
  it('publishes realm paths; session_state is the unsalted session id, the same for every client, hashed in KEYCLOAK_SESSION', async () => {
    const o = await start('keycloak');
    const doc = await discovery(o);
    const base = `${new URL(o.issuer).origin}/realms/demo/protocol/openid-connect`;
    expect(o.issuer).toMatch(/\/realms\/demo$/);
    expect(doc).toMatchObject({ check_session_iframe: `${base}/login-status-iframe.html`, end_session_endpoint: `${base}/logout` });
    const browser = new TestBrowser();
    const a = (await authorize(browser, o, A)).params.get('session_state')!;
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    const b = (await authorize(browser, o, B)).params.get('session_state')!;
    expect(b).toBe(a);
    expect(cookie(browser, o, 'KEYCLOAK_SESSION')).toBe(b64u(a));
    const none = (await authorize(new TestBrowser(), o, A, { prompt: 'none' })).params;
    expect(none.get('error')).toBe('login_required');
    expect(none.has('session_state')).toBe(false);
  });

  it('answers the iframe init with 204 for a registered (client_id, origin), 403 otherwise, and serves the 3p-cookies probe', async () => {
    const o = await start('keycloak');
    const init = (q: Record<string, string>) => fetch(`${o.checkSessionIframe}/init?${new URLSearchParams(q)}`);
    expect((await init({ client_id: 'app-a', origin: RP_A })).status).toBe(204);
    expect((await init({ client_id: 'app-a', origin: RP_B })).status).toBe(403);
    expect((await init({ client_id: 'nobody', origin: RP_A })).status).toBe(403);
    const step1 = await fetch(`${o.issuer}/protocol/openid-connect/3p-cookies/step1.html`);
    expect(step1.status).toBe(200);
    expect(await step1.text()).toContain('requestStorageAccess');
    const step2 = await (await fetch(`${o.issuer}/protocol/openid-connect/3p-cookies/step2.html`)).text();
    expect(step2).toContain('KEYCLOAK_3P_COOKIE');
  });

  it('drops KEYCLOAK_SESSION on logout', async () => {
    const o = await start('keycloak');
    const browser = new TestBrowser();
    const { params, verifier } = await authorize(browser, o, A);
    const hint = await idToken(o, A, params.get('code')!, verifier);
    await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: `${RP_A}/bye` })}`);
    expect(cookie(browser, o, 'KEYCLOAK_SESSION')).toBeUndefined();
  });
});

describe('node-oidc-provider profile', () => {
  it('keeps a _state.<client_id> cookie per client: B\'s sign-in leaves A\'s alone; base64url session_state, unsalted on success and with an 8-byte salt on errors', async () => {
    const o = await start('node-oidc-provider');
    const doc = await discovery(o);
    const origin = new URL(o.issuer).origin;
    expect(doc).toMatchObject({ check_session_iframe: `${origin}/session/check`, end_session_endpoint: `${origin}/session/end` });
    const browser = new TestBrowser();
    const a = (await authorize(browser, o, A)).params.get('session_state')!;
    // oidc-provider 6.31.1 salts only its error responses (authorization_error_handler.js; respond.js does not).
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stateA = cookie(browser, o, '_state.app-a')!;
    expect(a).toBe(b64u(`app-a ${RP_A} ${stateA}`));
    const failed = (await authorize(browser, o, A, { prompt: 'none', id_token_hint: 'not-a-token' })).params;
    expect(failed.get('error')).toBe('login_required');
    expect(failed.get('session_state')).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{11}$/);
    expect(saltedVerdict(b64u, 'app-a', RP_A, stateA, failed.get('session_state')!)).toBe('unchanged');
    await authorize(browser, o, B);
    expect(cookie(browser, o, '_state.app-b')).toBeDefined();
    expect(cookie(browser, o, '_state.app-a')).toBe(stateA);
  });

  it('checks (client_id, origin) posted as JSON to the iframe URL: 204, 403 for a foreign origin, 400 for an unknown client', async () => {
    const o = await start('node-oidc-provider');
    const post = (body: unknown) => fetch(o.checkSessionIframe!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ client_id: 'app-a', origin: RP_A })).status).toBe(204);
    expect((await post({ client_id: 'app-a', origin: RP_B })).status).toBe(403);
    expect((await post({ client_id: 'nobody', origin: RP_A })).status).toBe(400);
    expect((await post({ client_id: 1, origin: RP_A })).status).toBe(400);
  });

  it('gives each client its own sid, asks before logging out, and can lose the iframe\'s hashing script', async () => {
    const o = await start('node-oidc-provider');
    const browser = new TestBrowser();
    const a = await authorize(browser, o, A);
    const b = await authorize(browser, o, B);
    const sidA = decodeJwtPayload(await idToken(o, A, a.params.get('code')!, a.verifier)).sid;
    const tokenB = await idToken(o, B, b.params.get('code')!, b.verifier);
    expect(decodeJwtPayload(tokenB).sid).not.toBe(sidA);
    const asked = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: tokenB, post_logout_redirect_uri: `${RP_B}/bye`, state: 'z' })}`);
    expect(asked.status).toBe(200);
    const askedHtml = await asked.text();
    const done = await browser.post(formAction(askedHtml, o), { tx: formTx(askedHtml), action: 'logout' });
    const html = await done.text();
    expect(html).toContain(`sid=${String(sidA)}`);
    expect(html).toContain(`data-next="${RP_B}/bye?state=z"`);
    expect(cookie(browser, o, '_state.app-a')).toBeUndefined();

    // Beside the iframe, in the OP's own path space.
    const hashUrl = `${new URL(o.issuer).origin}/session/check_session_hash.js`;
    expect((await fetch(hashUrl)).status).toBe(200);
    o.loseHashScript(true);
    expect((await fetch(hashUrl)).status).toBe(404);
  });
});

describe('node-oidc-provider-7 profile (no session management)', () => {
  it('publishes no check_session_iframe and no front-channel metadata, serves no iframe, and keeps the 6.x paths', async () => {
    const o = await start('node-oidc-provider-7');
    const doc = await discovery(o);
    const origin = new URL(o.issuer).origin;
    expect(doc).toMatchObject({ authorization_endpoint: `${origin}/auth`, token_endpoint: `${origin}/token`, userinfo_endpoint: `${origin}/me`, end_session_endpoint: `${origin}/session/end` });
    expect(doc).not.toHaveProperty('check_session_iframe');
    expect(doc).not.toHaveProperty('frontchannel_logout_supported');
    expect(o.checkSessionIframe).toBeUndefined();
    for (const path of ['/session/check', '/check_session', '/check_session_hash.js']) expect((await fetch(origin + path)).status, path).toBe(404);
  });

  it('sends no session_state and writes no state cookie; prompt=none answers for the session: a code while it lives, login_required once it ended', async () => {
    const o = await start('node-oidc-provider-7');
    const browser = new TestBrowser();
    const a = await authorize(browser, o, A);
    expect(a.params.get('code')).not.toBeNull();
    expect(a.params.has('session_state')).toBe(false);
    // Only the OP's HttpOnly session handle: nothing a page could read.
    expect([...browser.cookies.keys()].filter((name) => !name.endsWith('_browser'))).toEqual([]);
    const sso = await authorize(browser, o, B, { prompt: 'none' });
    expect(sso.params.get('code')).not.toBeNull();
    expect(sso.params.has('session_state')).toBe(false);
    const sidA = decodeJwtPayload(await idToken(o, A, a.params.get('code')!, a.verifier)).sid;
    const tokenB = await idToken(o, B, sso.params.get('code')!, sso.verifier);
    expect(decodeJwtPayload(tokenB).sid).not.toBe(sidA);
    // B's logout: the confirmation form first, then straight to B's post-logout page: no front-channel iframes.
    const asked = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: tokenB, post_logout_redirect_uri: `${RP_B}/bye`, state: 'z' })}`);
    expect(asked.status).toBe(200);
    const done = await browser.post(`${o.endSessionEndpoint}/confirm`, { tx: formTx(await asked.text()), action: 'logout' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`${RP_B}/bye?state=z`);
    const after = await authorize(browser, o, A, { prompt: 'none' });
    expect(after.params.get('error')).toBe('login_required');
    expect(after.params.has('session_state')).toBe(false);
  });
});

describe('logout rules of the profiles, for a post_logout_redirect_uri the client did not register', () => {
  it.each([
    ['django', 200, /Sign out of the OP\?/],
    ['node-oidc-provider', 400, /not registered/],
    ['node-oidc-provider-7', 400, /not registered/],
    ['wso2', 400, /not registered/],
    ['janssen', 400, /post_logout_uri_not_associated_with_client/],
  ] as const)('%s answers %i, never a redirect, and the user stays signed in', async (profile, status, body) => {
    const o = await start(profile);
    const browser = new TestBrowser();
    const a = await authorize(browser, o, A);
    const token = await idToken(o, A, a.params.get('code')!, a.verifier);
    const res = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: token, post_logout_redirect_uri: 'http://localhost:3000/elsewhere', state: 's' })}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toMatch(body);
    const again = await authorize(browser, o, A, { prompt: 'none' });
    expect(again.params.get('code')).not.toBeNull();
  });

  it('janssen puts session_state on error answers too; django does not', async () => {
    for (const [profile, expected] of [['janssen', true], ['django', false]] as const) {
      const o = await start(profile);
      const answer = await authorize(new TestBrowser(), o, A, { prompt: 'none' });
      expect(answer.params.get('error')).toBe('login_required');
      expect(answer.params.has('session_state'), profile).toBe(expected);
      if (expected) expect(answer.params.get('session_state')).toMatch(/^[0-9a-f]{64}\./);
      await o.close();
      op = undefined;
    }
  });
});

describe('spec profile (default)', () => {
  it('keeps the spec paths and reports its profile', async () => {
    const o = await start('spec');
    expect(o.profile).toBe('spec');
    expect(o.checkSessionIframe).toBe(`${o.issuer}/check_session`);
    const r = await redeem(o, { grant_type: 'authorization_code', code: 'nope', redirect_uri: A.redirect_uri, client_id: 'app-a' });
    expect(r.status).toBe(400);
  });
});

describe('client_id instead of id_token_hint, at OPs that accept it (WSO2, node-oidc-provider 6)', () => {
  it.each(['wso2', 'node-oidc-provider'] as const)('%s: with a session, asks, then goes to the registered URI with state', async (profile) => {
    const o = await start(profile);
    const browser = new TestBrowser();
    await authorize(browser, o, A);
    // WSO2 checks the URI against the callback URLs, node-oidc-provider against the post-logout ones.
    const uri = profile === 'wso2' ? A.redirect_uri : `${RP_A}/bye`;
    const asked = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ client_id: A.client_id, post_logout_redirect_uri: uri, state: 's2' })}`);
    expect(asked.status).toBe(200);
    const done = await browser.post(new URL(/<form method="post" action="([^"]+)"/.exec(await asked.clone().text())![1]!, o.issuer).href, { tx: formTx(await asked.text()), action: 'logout' });
    expect(await done.text()).toContain(`data-next="${uri}?state=s2"`);
  });

  it('wso2: without a session and without a hint, its own signed-out page, no redirect (handleMissingSessionStateGracefully)', async () => {
    const o = await start('wso2');
    const res = await new TestBrowser().get(`${o.endSessionEndpoint}?${new URLSearchParams({ client_id: A.client_id, post_logout_redirect_uri: A.redirect_uri, state: 's3' })}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('signed-out');
  });
});

describe("the profiles' path space", () => {
  // What a path-based proxy or allow-list in front of the real OP passes: every request of a sign-in, the iframe and its
  // scripts, and a logout with its confirmation and front-channel page stays inside it.
  it.each([
    ['wso2', ['/oauth2/', '/oidc/']],
    ['django', ['/openid/']],
    // Janssen's issuer is the origin: its discovery document is at the root.
    ['janssen', ['/jans-auth/', '/.well-known/openid-configuration']],
    ['keycloak', ['/realms/demo/']],
  ] as const)('%s: a sign-in, the iframe and a logout use only the OP\'s own paths', async (profile, prefixes) => {
    const o = await start(profile);
    const browser = new TestBrowser();
    const { params, verifier } = await authorize(browser, o, A);
    const hint = await idToken(o, A, params.get('code')!, verifier);
    const iframe = await browser.get(profile === 'wso2' ? `${o.checkSessionIframe}?client_id=app-a` : o.checkSessionIframe!);
    for (const [, src] of (await iframe.text()).matchAll(/<script src="([^"]+)"/g)) expect((await browser.get(new URL(src!, o.issuer).href)).status).toBe(200);
    const uri = profile === 'wso2' ? A.redirect_uri : `${RP_A}/bye`;
    let res = await browser.get(`${o.endSessionEndpoint}?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: uri })}`);
    let html = await res.text();
    if (html.includes('name="tx"')) {
      res = await browser.post(formAction(html, o), { tx: formTx(html), action: 'logout' });
      html = await res.text();
    }
    const script = /<script src="([^"]+)"/.exec(html)?.[1];
    if (script !== undefined) expect((await browser.get(new URL(script, o.issuer).href)).status).toBe(200);
    const outside = o.requests.map((r) => r.path).filter((path) => !prefixes.some((prefix) => path.startsWith(prefix)));
    expect(outside).toEqual([]);
  });
});
