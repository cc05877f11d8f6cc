import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp, MockOpClient } from '../../src/mock-op/index.js';
import { TestBrowser, decodeJwtPayload, formTx, pkce } from './helpers.js';

// What keycloak-js 26 needs of the `keycloak` profile, as Keycloak itself does it (src/mock-op/README.md, "OP profiles"):
// the callback in the fragment, a token endpoint that allows credentials, JWT access and refresh tokens whose `sid` is
// the user session behind `session_state` and KEYCLOAK_SESSION, refresh tokens by default, a 400 for an unregistered
// post-logout URI, and the login-status iframe's own rules.

const RP = 'http://localhost:3000';
const APP = { client_id: 'kc-app', redirect_uri: `${RP}/app` };
const b64uSha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

let op: MockOp | undefined;
afterEach(async () => {
  await op?.close();
  op = undefined;
});

async function start(extra: Partial<MockOpClient> = {}): Promise<MockOp> {
  op = await startMockOp({
    profile: 'keycloak',
    clients: [{ client_id: APP.client_id, redirect_uris: [APP.redirect_uri], post_logout_redirect_uris: [APP.redirect_uri], ...extra }],
  });
  return op;
}

const oidc = (o: MockOp): string => `${o.issuer}/protocol/openid-connect`;

/** Signs in the way keycloak-js does: `response_mode=fragment`, PKCE, nonce. Returns the callback's parameters. */
async function signIn(browser: TestBrowser, o: MockOp, params: Record<string, string> = {}): Promise<{ callback: URL; verifier: string }> {
  const { verifier, challenge } = pkce();
  const url = new URL(`${oidc(o)}/auth`);
  const query = { client_id: APP.client_id, redirect_uri: APP.redirect_uri, state: 'st', response_mode: 'fragment', response_type: 'code', scope: 'openid', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256', ...params };
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  let res = await browser.get(url.href);
  if (res.status === 200) {
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    res = await browser.post(new URL(action, o.issuer).href, { tx: formTx(html), username: 'alice', password: 'alice' });
  }
  const location = res.headers.get('location');
  if (location === null) throw new Error(`no redirect: ${res.status}`);
  return { callback: new URL(location), verifier };
}

const fragment = (url: URL): URLSearchParams => new URLSearchParams(url.hash.slice(1));

async function tokens(o: MockOp, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${oidc(o)}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: RP },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function signInWithTokens(browser: TestBrowser, o: MockOp) {
  const { callback, verifier } = await signIn(browser, o);
  const params = fragment(callback);
  const answer = await tokens(o, { grant_type: 'authorization_code', code: params.get('code')!, client_id: APP.client_id, redirect_uri: APP.redirect_uri, code_verifier: verifier });
  expect(answer.status).toBe(200);
  return { params, ...answer };
}

describe('keycloak profile, for keycloak-js', () => {
  it('answers response_mode=fragment in the fragment, errors included, and lists it in discovery', async () => {
    const o = await start();
    const { callback } = await signIn(new TestBrowser(), o);
    expect(callback.search).toBe('');
    expect(fragment(callback).get('code')).toBeTruthy();
    expect(fragment(callback).get('state')).toBe('st');
    const failed = (await signIn(new TestBrowser(), o, { prompt: 'none' })).callback;
    expect(callback.search).toBe('');
    expect(fragment(failed).get('error')).toBe('login_required');
    const doc = (await (await fetch(`${o.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.response_modes_supported).toEqual(expect.arrayContaining(['query', 'fragment']));
  });

  it('allows credentials on the token endpoint for the registered origin (keycloak-js fetches with credentials: include)', async () => {
    const o = await start();
    const { headers } = await signInWithTokens(new TestBrowser(), o);
    expect(headers.get('access-control-allow-origin')).toBe(RP);
    expect(headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('issues a JWT access token with sid, exp and realm_access; the sid is the session behind session_state and KEYCLOAK_SESSION', async () => {
    const o = await start();
    const browser = new TestBrowser();
    const { params, body } = await signInWithTokens(browser, o);
    const access = decodeJwtPayload(body.access_token as string);
    const id = decodeJwtPayload(body.id_token as string);
    expect(access).toMatchObject({ iss: o.issuer, sub: 'alice', typ: 'Bearer', azp: APP.client_id, sid: params.get('session_state') });
    expect(typeof access.exp).toBe('number');
    expect((access.realm_access as { roles: string[] }).roles).toEqual(expect.arrayContaining(['offline_access']));
    expect(id.sid).toBe(params.get('session_state'));
    expect(browser.cookies.get(`mockop${o.port}_KEYCLOAK_SESSION`)).toBe(b64uSha256(params.get('session_state')!));
    // The JWT is still an access token of this OP.
    const info = await fetch(`${oidc(o)}/userinfo`, { headers: { authorization: `Bearer ${body.access_token as string}` } });
    expect(info.status).toBe(200);
  });

  it('issues a refresh token by default (a JWT, as keycloak-js decodes it) that refreshes with the same sid', async () => {
    const o = await start();
    const { body, params } = await signInWithTokens(new TestBrowser(), o);
    expect(decodeJwtPayload(body.refresh_token as string)).toMatchObject({ typ: 'Refresh', sid: params.get('session_state'), azp: APP.client_id });
    const refreshed = await tokens(o, { grant_type: 'refresh_token', refresh_token: body.refresh_token as string, client_id: APP.client_id });
    expect(refreshed.status).toBe(200);
    expect(decodeJwtPayload(refreshed.body.access_token as string).sid).toBe(params.get('session_state'));
    expect(refreshed.body.refresh_token).not.toBe(body.refresh_token);
    expect(refreshed.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('keeps refresh tokens off for a client registered with refresh_tokens: false', async () => {
    const o = await start({ refresh_tokens: false });
    const { body } = await signInWithTokens(new TestBrowser(), o);
    expect(body.refresh_token).toBeUndefined();
  });

  it('answers an unregistered post_logout_redirect_uri with a 400 error page, even with a valid hint of the current session', async () => {
    const o = await start();
    const browser = new TestBrowser();
    const { body } = await signInWithTokens(browser, o);
    const res = await browser.get(`${oidc(o)}/logout?${new URLSearchParams({ client_id: APP.client_id, id_token_hint: body.id_token as string, post_logout_redirect_uri: `${RP}/elsewhere` })}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/post_logout_redirect_uri/);
    expect(browser.cookies.get(`mockop${o.port}_KEYCLOAK_SESSION`)).toBeDefined();
  });

  it('inlines the scripts of the login-status iframe and the 3p-cookies probe, under a nonce, loading nothing else', async () => {
    const o = await start();
    for (const url of [o.checkSessionIframe!, `${oidc(o)}/3p-cookies/step1.html`, `${oidc(o)}/3p-cookies/step2.html`]) {
      const res = await fetch(url);
      const html = await res.text();
      expect(html, url).not.toMatch(/<script[^>]* src=/);
      const nonce = /<script nonce="([^"]+)"/.exec(html)?.[1];
      expect(nonce, url).toBeTruthy();
      expect(res.headers.get('content-security-policy'), url).toContain(`'nonce-${nonce!}'`);
    }
  });
});
