import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp } from '../../src/mock-op/index.js';
import { TestBrowser, authorizeUrl, decodeJwtPayload, formTx, iframeVerdict, pkce, redirectParams, signIn, signInWithTokens } from './helpers.js';

const RP_A = 'http://localhost:3000';
const RP_B = 'http://127.0.0.1:4000';
const A = { client_id: 'app-a', redirect_uri: `${RP_A}/cb` };
const B = { client_id: 'app-b', redirect_uri: `${RP_B}/callback?x=1` };
const CONFIDENTIAL = { client_id: 'server-app', redirect_uri: `${RP_A}/server-cb` };

let op: MockOp;
beforeAll(async () => {
  op = await startMockOp({
    clients: [
      { client_id: A.client_id, redirect_uris: [A.redirect_uri] },
      { client_id: B.client_id, redirect_uris: [B.redirect_uri] },
      { client_id: CONFIDENTIAL.client_id, redirect_uris: [CONFIDENTIAL.redirect_uri], client_secret: 's3cret' },
    ],
  });
});
afterAll(() => op.close());

function withPkce(params: Record<string, string>): Record<string, string> {
  return { code_challenge: pkce().challenge, code_challenge_method: 'S256', ...params };
}

describe('authorization code flow', () => {
  it('shows a login form that cannot be framed, then redirects with code, state, session_state and iss', async () => {
    const browser = new TestBrowser();
    const form = await browser.get(authorizeUrl(op, { ...A, ...withPkce({ state: 'abc', nonce: 'n-1' }) }));
    expect(form.status).toBe(200);
    expect(form.headers.get('x-frame-options')).toBe('DENY');
    expect(form.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await form.text();
    expect(html).toContain('name="username"');
    expect(html).not.toMatch(/<script/);
    const cookies = form.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith(`mockop${op.port}_browser=`))).toMatch(/HttpOnly/);
    const stateCookie = cookies.find((c) => c.startsWith(`mockop${op.port}_bs=`))!;
    expect(stateCookie).not.toMatch(/HttpOnly/);
    expect(stateCookie).toMatch(/Path=\/;.*SameSite=Lax/);
    expect(stateCookie).not.toMatch(/alice/);

    const res = await browser.post(`${op.issuer}/login`, { tx: formTx(html), username: 'alice', password: 'alice' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(A.redirect_uri);
    expect(location.searchParams.get('state')).toBe('abc');
    expect(location.searchParams.get('iss')).toBe(op.issuer);
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
    expect(location.searchParams.get('session_state')).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(browser.browserState(op)).not.toContain('alice');
  });

  it('issues an RS256 ID token with iss, sub, aud, exp, iat, auth_time, nonce, sid and at_hash', async () => {
    const browser = new TestBrowser();
    const tokens = await signInWithTokens(browser, op, { ...A, nonce: 'n-2' });
    const header = JSON.parse(Buffer.from(tokens.id_token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    expect(header.alg).toBe('RS256');
    const claims = decodeJwtPayload(tokens.id_token);
    expect(claims).toMatchObject({ iss: op.issuer, sub: 'alice', aud: A.client_id, nonce: 'n-2', sid: expect.any(String), at_hash: expect.any(String) });
    expect(claims.exp as number).toBeGreaterThan(claims.iat as number);
    expect(claims.auth_time as number).toBeLessThanOrEqual(claims.iat as number);
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const jwks = (await (await fetch(`${op.issuer}/jwks`)).json()) as { keys: [] };
    await expect(jwtVerify(tokens.id_token, createLocalJWKSet(jwks), { issuer: op.issuer, audience: A.client_id })).resolves.toBeTruthy();
  });

  it('accepts the authorization request as a POST form too', async () => {
    const browser = new TestBrowser();
    const { challenge } = pkce();
    const res = await browser.post(`${op.issuer}/authorize`, {
      ...A,
      response_type: 'code',
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');
  });

  it('re-renders the form with an error on a wrong password, and keeps it usable', async () => {
    const browser = new TestBrowser();
    const form = await browser.get(authorizeUrl(op, { ...A, ...withPkce({}) }));
    const tx = formTx(await form.text());
    const wrong = await browser.post(`${op.issuer}/login`, { tx, username: 'alice', password: 'bob' });
    expect(wrong.status).toBe(200);
    const html = await wrong.text();
    expect(html).toContain('Wrong username or password');
    expect(html).toContain('value="alice"');
    const unknown = await browser.post(`${op.issuer}/login`, { tx: formTx(html), username: 'mallory', password: 'mallory' });
    expect(await unknown.text()).toContain('Wrong username or password');
    const ok = await browser.post(`${op.issuer}/login`, { tx, username: 'alice', password: 'alice' });
    expect(ok.status).toBe(303);
    expect(redirectParams(ok).get('code')).toBeTruthy();
  });

  it('refuses a login POST with an unknown transaction or from another browser (CSRF)', async () => {
    const victim = new TestBrowser();
    const attacker = new TestBrowser();
    const form = await attacker.get(authorizeUrl(op, { ...A, ...withPkce({}) }));
    const tx = formTx(await form.text());
    await victim.get(`${op.issuer}/check_session`);
    const forged = await victim.post(`${op.issuer}/login`, { tx, username: 'alice', password: 'alice' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();
    const bogus = await victim.post(`${op.issuer}/login`, { tx: 'nope', username: 'alice', password: 'alice' });
    expect(bogus.status).toBe(400);
  });

  it('escapes everything it echoes into HTML', async () => {
    const browser = new TestBrowser();
    const res = await browser.get(`${op.issuer}/authorize?client_id=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).not.toContain('<script>alert');
    const form = await browser.get(authorizeUrl(op, { ...A, ...withPkce({}) }));
    const again = await browser.post(`${op.issuer}/login`, { tx: formTx(await form.text()), username: '"><img src=x>', password: 'x' });
    expect(await again.text()).toContain('&quot;&gt;&lt;img src=x&gt;');
  });
});

describe('errors that must not redirect (RFC 6749 §4.1.2.1)', () => {
  it.each([
    ['missing client_id', { redirect_uri: A.redirect_uri }],
    ['unknown client_id', { client_id: 'nope', redirect_uri: A.redirect_uri }],
    ['missing redirect_uri', { client_id: A.client_id }],
    ['unregistered redirect_uri', { client_id: A.client_id, redirect_uri: 'https://evil.test/cb' }],
    ['redirect_uri of another client', { client_id: A.client_id, redirect_uri: B.redirect_uri }],
    ['redirect_uri with extra query', { client_id: A.client_id, redirect_uri: `${A.redirect_uri}?x=1` }],
    ['redirect_uri with a trailing slash', { client_id: A.client_id, redirect_uri: `${A.redirect_uri}/` }],
  ])('%s → an error page, no redirect', async (_name, params) => {
    const url = new URL(`${op.issuer}/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', scope: 'openid', ...params })) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('repeated client_id → error page', async () => {
    const res = await fetch(`${authorizeUrl(op, A)}&client_id=${B.client_id}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('errors that redirect with error, state, session_state and iss', () => {
  async function errorOf(params: Record<string, string>, browser = new TestBrowser(), extraQuery = ''): Promise<URLSearchParams> {
    const res = await browser.get(authorizeUrl(op, { ...A, state: 's-1', ...params }) + extraQuery);
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${A.redirect_uri}?`)).toBe(true);
    const p = redirectParams(res);
    expect(p.get('state')).toBe('s-1');
    expect(p.get('session_state')).toMatch(/^[\w-]+\.[\w-]+$/);
    // RFC 9207: iss on error responses too, so a mix-up cannot hide behind an error.
    expect(p.get('iss')).toBe(op.issuer);
    expect(p.get('code')).toBeNull();
    return p;
  }

  it.each([
    ['missing PKCE for a public client', {}, 'invalid_request'],
    ['PKCE plain', { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }, 'invalid_request'],
    ['PKCE without method', { code_challenge: 'a'.repeat(43) }, 'invalid_request'],
    ['malformed code_challenge', { code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request'],
    ['response_type token', withPkce({ response_type: 'token' }), 'unsupported_response_type'],
    ['response_type missing', withPkce({ response_type: '' }), 'unsupported_response_type'],
    ['scope without openid', withPkce({ scope: 'profile' }), 'invalid_scope'],
    ['unknown prompt', withPkce({ prompt: 'bogus' }), 'invalid_request'],
    ['prompt=none with login', withPkce({ prompt: 'none login' }), 'invalid_request'],
    ['bad max_age', withPkce({ max_age: '-1' }), 'invalid_request'],
    ['request object', withPkce({ request: 'x.y.z' }), 'request_not_supported'],
    ['response_mode fragment', withPkce({ response_mode: 'fragment' }), 'invalid_request'],
  ])('%s → %s', async (_name, params, error) => {
    const p = await errorOf(params as Record<string, string>);
    expect(p.get('error')).toBe(error);
    expect(p.get('error_description')).toBeTruthy();
  });

  it('refuses a repeated parameter with invalid_request naming it (RFC 6749 §3.1)', async () => {
    const p = await errorOf(withPkce({ nonce: 'n-1' }), undefined, '&nonce=n-2');
    expect(p.get('error')).toBe('invalid_request');
    expect(p.get('error_description')).toContain('nonce');
  });

  it('keeps the registered redirect_uri query and adds the response after it', async () => {
    const res = await fetch(authorizeUrl(op, { ...B, state: 'q' }), { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('x')).toBe('1');
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('does not require PKCE from a confidential client', async () => {
    const browser = new TestBrowser();
    const res = await browser.get(authorizeUrl(op, CONFIDENTIAL));
    expect(res.status).toBe(200);
  });

  it('uses a fresh salt each time, so error responses do not identify the browser (SM-31)', async () => {
    const browser = new TestBrowser();
    const one = (await errorOf(withPkce({ prompt: 'none' }), browser)).get('session_state')!;
    const two = (await errorOf(withPkce({ prompt: 'none' }), browser)).get('session_state')!;
    expect(one).not.toBe(two);
    // ...yet both verify against the current browser state: an anonymous RP can monitor with them.
    expect(iframeVerdict(browser.browserState(op), A.client_id, RP_A, one)).toBe('unchanged');
    expect(iframeVerdict(browser.browserState(op), A.client_id, RP_A, two)).toBe('unchanged');
  });
});

describe('prompt, SSO and id_token_hint', () => {
  it('prompt=none without a session → login_required, with session_state', async () => {
    const res = await new TestBrowser().get(authorizeUrl(op, { ...A, ...withPkce({ prompt: 'none', state: 'p' }) }));
    const p = redirectParams(res);
    expect(p.get('error')).toBe('login_required');
    expect(p.get('state')).toBe('p');
    expect(p.get('session_state')).toBeTruthy();
  });

  it('prompt=none with a session → a code, no form, same sub', async () => {
    const browser = new TestBrowser();
    const first = await signInWithTokens(browser, op, A);
    const again = await signInWithTokens(browser, op, { ...A, prompt: 'none', id_token_hint: first.id_token }, undefined);
    expect(decodeJwtPayload(again.id_token)).toMatchObject({ sub: 'alice', sid: decodeJwtPayload(first.id_token).sid });
    expect(decodeJwtPayload(again.id_token).auth_time).toBe(decodeJwtPayload(first.id_token).auth_time);
  });

  it('SSO: a second client signs in through the OP session without a form', async () => {
    const browser = new TestBrowser();
    const a = await signInWithTokens(browser, op, A, { username: 'bob', password: 'bob' });
    const b = await signInWithTokens(browser, op, B, undefined);
    expect(decodeJwtPayload(b.id_token)).toMatchObject({ sub: 'bob', aud: B.client_id, sid: decodeJwtPayload(a.id_token).sid });
  });

  it('prompt=login shows the form even with a session', async () => {
    const browser = new TestBrowser();
    await signIn(browser, op, A);
    const res = await browser.get(authorizeUrl(op, { ...A, ...withPkce({ prompt: 'login' }) }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="password"');
  });

  it('prompt=none with an id_token_hint for another user → login_required', async () => {
    const browser = new TestBrowser();
    const bob = await signInWithTokens(new TestBrowser(), op, A, { username: 'bob', password: 'bob' });
    await signIn(browser, op, A); // alice here
    const res = await browser.get(authorizeUrl(op, { ...A, ...withPkce({ prompt: 'none', id_token_hint: bob.id_token }) }));
    expect(redirectParams(res).get('error')).toBe('login_required');
  });

  it('prompt=none with an id_token_hint this OP did not issue → login_required', async () => {
    const browser = new TestBrowser();
    const alice = await signInWithTokens(browser, op, A);
    const [h, p] = alice.id_token.split('.');
    const forged = `${h}.${p}.${Buffer.from('not a signature').toString('base64url')}`;
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    for (const hint of [forged, none, 'garbage']) {
      const res = await browser.get(authorizeUrl(op, { ...A, ...withPkce({ prompt: 'none', id_token_hint: hint }) }));
      expect(redirectParams(res).get('error')).toBe('login_required');
    }
  });

  it('an id_token_hint for another user without prompt=none shows the login form', async () => {
    const browser = new TestBrowser();
    const bob = await signInWithTokens(new TestBrowser(), op, A, { username: 'bob', password: 'bob' });
    await signIn(browser, op, A); // alice here
    const res = await browser.get(authorizeUrl(op, { ...A, ...withPkce({ id_token_hint: bob.id_token }) }));
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('name="password"');
  });

  // The session's auth_time is real time; only the ID token's copy is shifted. Comparing either
  // clock with the other would make a fresh sign-in look too old (or never old enough).
  it.each([-120, 120])('with clockSkewSeconds %s, max_age is checked on the real clock', async (skew) => {
    const skewed = await startMockOp({ clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }], clockSkewSeconds: skew });
    try {
      const browser = new TestBrowser();
      await signIn(browser, skewed, A);
      const res = await browser.get(authorizeUrl(skewed, { ...A, ...withPkce({ prompt: 'none', max_age: '60' }) }));
      expect(redirectParams(res).get('error')).toBeNull();
      expect(redirectParams(res).get('code')).toBeTruthy();
    } finally {
      await skewed.close();
    }
  });

  it('max_age exceeded → login_required with prompt=none, the form without', async () => {
    const browser = new TestBrowser();
    const signedInAt = Date.now();
    await signIn(browser, op, A);
    // max_age counts whole seconds of the OP's clock: wait until a second has passed since the sign-in.
    await vi.waitFor(() => expect(Date.now() - signedInAt).toBeGreaterThan(1100), { timeout: 5000, interval: 50 });
    const silent = await browser.get(authorizeUrl(op, { ...A, ...withPkce({ prompt: 'none', max_age: '0' }) }));
    expect(redirectParams(silent).get('error')).toBe('login_required');
    const interactive = await browser.get(authorizeUrl(op, { ...A, ...withPkce({ max_age: '0' }) }));
    expect(interactive.status).toBe(200);
    const fine = await browser.get(authorizeUrl(op, { ...A, ...withPkce({ prompt: 'none', max_age: '3600' }) }));
    expect(redirectParams(fine).get('code')).toBeTruthy();
  });

  it('signing in as another user replaces the session (user switch)', async () => {
    const browser = new TestBrowser();
    const alice = await signInWithTokens(browser, op, A);
    const bob = await signInWithTokens(browser, op, { ...A, prompt: 'login' }, { username: 'bob', password: 'bob' });
    expect(decodeJwtPayload(bob.id_token).sub).toBe('bob');
    expect(decodeJwtPayload(bob.id_token).sid).not.toBe(decodeJwtPayload(alice.id_token).sid);
    const silent = await signInWithTokens(browser, op, { ...A, prompt: 'none' }, undefined);
    expect(decodeJwtPayload(silent.id_token).sub).toBe('bob');
  });
});
