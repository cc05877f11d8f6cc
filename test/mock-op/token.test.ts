import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp } from '../../src/mock-op/index.js';
import { TestBrowser, decodeJwtPayload, redeem, signIn, signInWithTokens } from './helpers.js';

const RP = 'http://localhost:3000';
const A = { client_id: 'app', redirect_uri: `${RP}/cb` };
const OTHER = { client_id: 'other', redirect_uri: `${RP}/other` };
const SECRET = { client_id: 'server', redirect_uri: `${RP}/server` };

let op: MockOp;
beforeAll(async () => {
  op = await startMockOp({
    clients: [
      { client_id: A.client_id, redirect_uris: [A.redirect_uri, `${RP}/cb2`] },
      { client_id: OTHER.client_id, redirect_uris: [OTHER.redirect_uri] },
      { client_id: SECRET.client_id, redirect_uris: [SECRET.redirect_uri], client_secret: 'top secret' },
    ],
  });
});
afterAll(() => op.close());

async function freshCode(): Promise<{ code: string; verifier: string }> {
  return signIn(new TestBrowser(), op, A);
}

function exchange(code: string, verifier: string, extra: Record<string, string> = {}) {
  return redeem(op, { grant_type: 'authorization_code', code, redirect_uri: A.redirect_uri, client_id: A.client_id, code_verifier: verifier, ...extra });
}

describe('token endpoint', () => {
  it('returns tokens with no-store and no refresh token', async () => {
    const { code, verifier } = await freshCode();
    const res = await exchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, id_token: expect.any(String), scope: 'openid' });
    expect(res.body).not.toHaveProperty('refresh_token');
  });

  it('a code works once; a replay fails and revokes the tokens it gave', async () => {
    const { code, verifier } = await freshCode();
    const first = await exchange(code, verifier);
    const second = await exchange(code, verifier);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    const userinfo = await fetch(`${op.issuer}/userinfo`, { headers: { authorization: `Bearer ${first.body.access_token as string}` } });
    expect(userinfo.status).toBe(401);
  });

  it.each([
    ['wrong PKCE verifier', { code_verifier: 'x'.repeat(43) }, 400, 'invalid_grant'],
    ['missing PKCE verifier', { code_verifier: '' }, 400, 'invalid_grant'],
    ['wrong redirect_uri', { redirect_uri: `${RP}/cb2` }, 400, 'invalid_grant'],
    ['missing redirect_uri', { redirect_uri: '' }, 400, 'invalid_request'],
    ['another client', { client_id: OTHER.client_id }, 400, 'invalid_grant'],
    ['unknown client', { client_id: 'nobody' }, 401, 'invalid_client'],
    ['unknown code', { code: 'nope' }, 400, 'invalid_grant'],
    ['missing code', { code: '' }, 400, 'invalid_request'],
    ['refresh_token grant', { grant_type: 'refresh_token' }, 400, 'unsupported_grant_type'],
    ['client_credentials grant', { grant_type: 'client_credentials' }, 400, 'unsupported_grant_type'],
    ['missing grant_type', { grant_type: '' }, 400, 'invalid_request'],
  ])('%s → %s %s', async (_name, change, status, error) => {
    const { code, verifier } = await freshCode();
    const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: A.redirect_uri, client_id: A.client_id, code_verifier: verifier };
    for (const [k, v] of Object.entries(change)) {
      if (v === '') delete form[k];
      else form[k] = v;
    }
    const res = await redeem(op, form);
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    expect(res.body.error_description).toEqual(expect.any(String));
    expect(res.headers.get('cache-control')).toBe('no-store');
    // A redemption attempt that got as far as the code used it up: a stolen code cannot be tried twice.
    // Requests refused before the code was looked at leave it alone.
    const retry = await exchange(code, verifier);
    expect(retry.status).toBe(error === 'invalid_grant' && !('code' in change) ? 400 : 200);
  });

  it('authenticates confidential clients (Basic or post) and refuses a wrong secret with 401', async () => {
    const browser = new TestBrowser();
    const one = await signIn(browser, op, SECRET);
    const basic = `Basic ${Buffer.from(`server:${encodeURIComponent('top secret')}`).toString('base64')}`;
    const ok = await redeem(op, { grant_type: 'authorization_code', code: one.code, redirect_uri: SECRET.redirect_uri, code_verifier: one.verifier }, { authorization: basic });
    expect(ok.status).toBe(200);
    const two = await signIn(browser, op, SECRET);
    const wrong = await redeem(
      op,
      { grant_type: 'authorization_code', code: two.code, redirect_uri: SECRET.redirect_uri, code_verifier: two.verifier },
      { authorization: `Basic ${Buffer.from('server:nope').toString('base64')}` },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const noSecret = await redeem(op, { grant_type: 'authorization_code', code: two.code, redirect_uri: SECRET.redirect_uri, client_id: 'server' });
    expect(noSecret.status).toBe(401);
    const three = await signIn(browser, op, SECRET);
    const post = await redeem(op, {
      grant_type: 'authorization_code',
      code: three.code,
      redirect_uri: SECRET.redirect_uri,
      client_id: 'server',
      client_secret: 'top secret',
      code_verifier: three.verifier,
    });
    expect(post.status).toBe(200);
  });

  it('binds the nonce and sid of the authorization to the ID token', async () => {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, op, { ...A, nonce: 'nonce-xyz' });
    expect(decodeJwtPayload(t.id_token)).toMatchObject({ nonce: 'nonce-xyz', aud: 'app', sub: 'alice' });
  });
});

describe('clockSkewSeconds', () => {
  it.each([0, -60, 90])('issues ID tokens whose iat, exp and auth_time are %s s off the real clock', async (skew) => {
    const skewed = await startMockOp({ clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }], clockSkewSeconds: skew });
    try {
      const before = Math.floor(Date.now() / 1000);
      const t = await signInWithTokens(new TestBrowser(), skewed, A);
      const after = Math.floor(Date.now() / 1000);
      const claims = decodeJwtPayload(t.id_token) as { iat: number; exp: number; auth_time: number };
      expect(claims.iat).toBeGreaterThanOrEqual(before + skew);
      expect(claims.iat).toBeLessThanOrEqual(after + skew);
      expect(claims.exp).toBe(claims.iat + 3600);
      expect(claims.auth_time).toBeGreaterThanOrEqual(before + skew);
      expect(claims.auth_time).toBeLessThanOrEqual(claims.iat);
    } finally {
      await skewed.close();
    }
  });
});

describe('CORS for SPAs', () => {
  it('answers preflights and responses for registered origins only', async () => {
    const pre = await fetch(`${op.issuer}/token`, {
      method: 'OPTIONS',
      headers: { origin: RP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(RP);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const foreign = await fetch(`${op.issuer}/userinfo`, { method: 'OPTIONS', headers: { origin: 'https://evil.test' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const { code, verifier } = await freshCode();
    const res = await redeem(
      op,
      { grant_type: 'authorization_code', code, redirect_uri: A.redirect_uri, client_id: A.client_id, code_verifier: verifier },
      { origin: RP },
    );
    expect(res.headers.get('access-control-allow-origin')).toBe(RP);
  });
});

describe('userinfo', () => {
  it('returns claims for a Bearer token, 401 with WWW-Authenticate otherwise', async () => {
    const t = await signInWithTokens(new TestBrowser(), op, { ...A, scope: 'openid profile email' });
    const ok = await fetch(`${op.issuer}/userinfo`, { headers: { authorization: `Bearer ${t.access_token}`, origin: RP } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(RP);
    expect(await ok.json()).toEqual({ sub: 'alice', preferred_username: 'alice', name: 'Alice Example', email: 'alice@example.test' });
    const missing = await fetch(`${op.issuer}/userinfo`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const bad = await fetch(`${op.issuer}/userinfo`, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('invalid_token');
  });
  it('refuses an access token once idTokenTtlSeconds have passed: it sets the access-token lifetime too', async () => {
    const short = await startMockOp({ clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }], idTokenTtlSeconds: 1 });
    try {
      const t = await signInWithTokens(new TestBrowser(), short, A);
      const issuedBy = Date.now();
      const fresh = await fetch(`${short.issuer}/userinfo`, { headers: { authorization: `Bearer ${t.access_token}` } });
      expect(fresh.status).toBe(200);
      // Wait until the token's one-second lifetime has run out on the clock (it was issued before issuedBy).
      await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(issuedBy + 1000), { timeout: 5000, interval: 50 });
      const expired = await fetch(`${short.issuer}/userinfo`, { headers: { authorization: `Bearer ${t.access_token}` } });
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
    } finally {
      await short.close();
    }
  });
});
