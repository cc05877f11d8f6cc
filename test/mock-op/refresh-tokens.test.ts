import { afterEach, describe, expect, it } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp, MockOpClient, MockOpOptions, MockOpProfile } from '../../src/mock-op/index.js';
import { MAX_GRANTS, MAX_USED_PER_GRANT, RefreshGrants } from '../../src/mock-op/refresh-tokens.js';
import { TestBrowser, decodeJwtPayload, formTx, pkce } from './helpers.js';

const RP = 'http://localhost:3000';
const A = { client_id: 'app', redirect_uri: `${RP}/cb` };
const B = { client_id: 'other', redirect_uri: `${RP}/other` };
const PLAIN = { client_id: 'plain', redirect_uri: `${RP}/plain` };
const SECRET = { client_id: 'server', redirect_uri: `${RP}/server` };
const SECRET_BASIC = `Basic ${Buffer.from('server:s3cret').toString('base64')}`;

type Client = typeof A;
type Answer = { status: number; body: Record<string, unknown> };

let op: MockOp | undefined;
afterEach(async () => {
  await op?.close();
  op = undefined;
});

async function start(options: Partial<MockOpOptions> = {}): Promise<MockOp> {
  op = await startMockOp({
    clients: [
      { client_id: A.client_id, redirect_uris: [A.redirect_uri], refresh_tokens: true },
      { client_id: B.client_id, redirect_uris: [B.redirect_uri], refresh_tokens: true },
      { client_id: PLAIN.client_id, redirect_uris: [PLAIN.redirect_uri] },
      { client_id: SECRET.client_id, redirect_uris: [SECRET.redirect_uri], client_secret: 's3cret', refresh_tokens: true },
    ],
    ...options,
  });
  return op;
}

async function discovery(o: MockOp): Promise<Record<string, unknown>> {
  return (await (await fetch(`${o.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
}

async function token(o: MockOp, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch((await discovery(o)).token_endpoint as string, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Signs in (the form when it shows, as `user`) at the profile's endpoints and redeems the code. */
async function signIn(o: MockOp, browser: TestBrowser, c: Client, params: Record<string, string> = {}, user = 'alice'): Promise<Answer> {
  const { verifier, challenge } = pkce();
  const url = new URL((await discovery(o)).authorization_endpoint as string);
  for (const [k, v] of Object.entries({ response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', ...c, ...params })) {
    url.searchParams.set(k, v);
  }
  let res = await browser.get(url.href);
  if (res.status === 200) {
    // The login form posts inside the profile's path space.
    const html = await res.text();
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(html)![1]!, o.issuer).href;
    res = await browser.post(action, { tx: formTx(html), username: user, password: user });
  }
  const code = new URL(res.headers.get('location')!).searchParams.get('code');
  if (code === null) throw new Error(`no code: ${res.headers.get('location')}`);
  const headers: Record<string, string> = c === SECRET ? { authorization: SECRET_BASIC } : {};
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: c.redirect_uri, code_verifier: verifier };
  if (c !== SECRET) form.client_id = c.client_id;
  return token(o, form, headers);
}

function refresh(o: MockOp, c: Client, refreshToken: unknown, extra: Record<string, string> = {}): Promise<Answer> {
  const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: String(refreshToken), ...extra };
  if (c === SECRET) return token(o, form, { authorization: SECRET_BASIC });
  return token(o, { client_id: c.client_id, ...form });
}

async function promptNoneWorks(o: MockOp, browser: TestBrowser, c: Client): Promise<boolean> {
  const url = new URL((await discovery(o)).authorization_endpoint as string);
  for (const [k, v] of Object.entries({ response_type: 'code', scope: 'openid', prompt: 'none', code_challenge: pkce().challenge, code_challenge_method: 'S256', ...c })) {
    url.searchParams.set(k, v);
  }
  const res = await browser.get(url.href);
  return new URL(res.headers.get('location')!).searchParams.get('code') !== null;
}

describe('refresh tokens (spec profile)', () => {
  it('are issued only to clients registered with refresh_tokens, and discovery lists the grant', async () => {
    const o = await start();
    const browser = new TestBrowser();
    const a = await signIn(o, browser, A);
    expect(a.body.refresh_token).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{43}$/));
    const plain = await signIn(o, browser, PLAIN);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('refresh_token');
    const refused = await refresh(o, PLAIN, a.body.refresh_token);
    expect(refused).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    expect((await discovery(o)).grant_types_supported).toEqual(['authorization_code', 'refresh_token']);
    await o.close();
    const none = await start({ clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }] });
    expect((await discovery(none)).grant_types_supported).toEqual(['authorization_code']);
    expect((await signIn(none, new TestBrowser(), A)).body).not.toHaveProperty('refresh_token');
  });

  it('rotates: each refresh answers new tokens for the same authentication, without nonce', async () => {
    const o = await start();
    const first = await signIn(o, new TestBrowser(), A, { scope: 'openid email', nonce: 'n-1' });
    const original = decodeJwtPayload(first.body.id_token as string);
    expect(original.nonce).toBe('n-1');
    const seen = new Set([first.body.refresh_token]);
    let current = first.body.refresh_token;
    for (let i = 0; i < 3; i++) {
      const next = await refresh(o, A, current);
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid email' });
      expect(seen.has(next.body.refresh_token)).toBe(false);
      expect(next.body.access_token).not.toBe(first.body.access_token);
      const claims = decodeJwtPayload(next.body.id_token as string);
      expect(claims).toMatchObject({ sub: 'alice', aud: A.client_id, sid: original.sid, auth_time: original.auth_time, email: 'alice@example.test' });
      expect(claims).not.toHaveProperty('nonce');
      const userinfo = await fetch(`${o.issuer}/userinfo`, { headers: { authorization: `Bearer ${next.body.access_token as string}` } });
      expect(userinfo.status).toBe(200);
      seen.add(next.body.refresh_token);
      current = next.body.refresh_token;
    }
  });

  it('detects reuse: a rotated-away token gets invalid_grant and revokes the grant, newest token included', async () => {
    const o = await start();
    const browser = new TestBrowser();
    const first = await signIn(o, browser, A);
    const other = await signIn(o, browser, A);
    const second = await refresh(o, A, first.body.refresh_token);
    expect(second.status).toBe(200);
    const reused = await refresh(o, A, first.body.refresh_token);
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await refresh(o, A, second.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // Only that grant: another code's grant in the same session, and the session itself, stay.
    expect((await refresh(o, A, other.body.refresh_token)).status).toBe(200);
    expect(await promptNoneWorks(o, browser, A)).toBe(true);
  });

  it('a code replay revokes the refresh token issued for the code', async () => {
    const o = await start();
    const { verifier, challenge } = pkce();
    const browser = new TestBrowser();
    const url = new URL(`${o.issuer}/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', ...A })) url.searchParams.set(k, v);
    let res = await browser.get(url.href);
    res = await browser.post(`${o.issuer}/login`, { tx: formTx(await res.text()), username: 'alice', password: 'alice' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', code, redirect_uri: A.redirect_uri, client_id: A.client_id, code_verifier: verifier };
    const first = await token(o, form);
    expect((await token(o, form)).body.error).toBe('invalid_grant');
    expect(await refresh(o, A, first.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('binds the grant to its OP session: ended, logged out or replaced by another user, it gets invalid_grant', async () => {
    const o = await start();
    const ended = await signIn(o, new TestBrowser(), A);
    o.endSession({ sub: 'alice' });
    expect(await refresh(o, A, ended.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const browser = new TestBrowser();
    const alice = await signIn(o, browser, A);
    await signIn(o, browser, A, { prompt: 'login' }, 'bob');
    expect(await refresh(o, A, alice.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const loggedOut = new TestBrowser();
    const t = await signIn(o, loggedOut, A);
    const logout = new URL(`${o.issuer}/end_session`);
    logout.searchParams.set('id_token_hint', t.body.id_token as string);
    expect((await loggedOut.get(logout.href)).status).toBeLessThan(400);
    expect(await promptNoneWorks(o, loggedOut, A)).toBe(false);
    expect(await refresh(o, A, t.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    // Grants of ended sessions are forgotten, not kept: only bob's is left to revoke.
    expect(o.revokeRefreshTokens()).toBe(1);
  });

  it('narrows the scope for one answer on request and refuses to widen it with invalid_scope', async () => {
    const o = await start();
    const first = await signIn(o, new TestBrowser(), A, { scope: 'openid profile email' });
    const wider = await refresh(o, A, first.body.refresh_token, { scope: 'openid profile address' });
    expect(wider).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const narrow = await refresh(o, A, first.body.refresh_token, { scope: 'openid profile' });
    expect(narrow).toMatchObject({ status: 200, body: { scope: 'openid profile' } });
    const claims = decodeJwtPayload(narrow.body.id_token as string);
    expect(claims.name).toBe('Alice Example');
    expect(claims).not.toHaveProperty('email');
    const full = await refresh(o, A, narrow.body.refresh_token);
    expect(full.body.scope).toBe('openid profile email');
  });

  it('refuses a token presented by another client with invalid_grant, and it keeps working for its own', async () => {
    const o = await start();
    const first = await signIn(o, new TestBrowser(), A);
    expect(await refresh(o, B, first.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await refresh(o, A, 'not-a-token')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await refresh(o, A, '')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await refresh(o, A, first.body.refresh_token)).status).toBe(200);
  });

  it('authenticates confidential clients as for the code grant, and rotates their tokens too', async () => {
    const o = await start();
    const first = await signIn(o, new TestBrowser(), SECRET);
    const unauthenticated = await token(o, { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), client_id: SECRET.client_id });
    expect(unauthenticated).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const next = await refresh(o, SECRET, first.body.refresh_token);
    expect(next.status).toBe(200);
    expect(next.body.refresh_token).not.toBe(first.body.refresh_token);
  });
});

describe('revokeRefreshTokens', () => {
  it('revokes the matching grants, counts them, and leaves the OP sessions signed in', async () => {
    const o = await start();
    const browser = new TestBrowser();
    const a = await signIn(o, browser, A);
    const b = await signIn(o, browser, B);
    const bob = await signIn(o, new TestBrowser(), A, {}, 'bob');
    expect(o.revokeRefreshTokens({ sub: 'alice', client_id: A.client_id })).toBe(1);
    expect(await refresh(o, A, a.body.refresh_token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await promptNoneWorks(o, browser, A)).toBe(true);
    expect((await refresh(o, B, b.body.refresh_token)).status).toBe(200);
    expect((await refresh(o, A, bob.body.refresh_token)).status).toBe(200);
    expect(o.revokeRefreshTokens({ client_id: A.client_id })).toBe(1);
    expect(o.revokeRefreshTokens()).toBe(1);
    expect(o.revokeRefreshTokens()).toBe(0);
  });

  it('rejects a selector it cannot read instead of revoking every grant', async () => {
    const o = await start();
    const a = await signIn(o, new TestBrowser(), A);
    for (const selector of ['alice', { user: 'alice' }, {}, { sub: 1 }, null, { sub: 'alice', sid: 'x' }]) {
      expect(() => o.revokeRefreshTokens(selector as never), JSON.stringify(selector)).toThrow(/^revokeRefreshTokens\(selector\)/);
    }
    expect((await refresh(o, A, a.body.refresh_token)).status).toBe(200);
  });
});

describe('the request log', () => {
  it('records grant type, status and error of token requests, never a refresh token', async () => {
    const o = await start();
    const first = await signIn(o, new TestBrowser(), A);
    o.clearRequests();
    const second = await refresh(o, A, first.body.refresh_token);
    await refresh(o, A, first.body.refresh_token);
    const tokenRequests = o.requests.filter((r) => r.path === '/token');
    expect(tokenRequests.map((r) => [r.grantType, r.status, r.error])).toEqual([
      ['refresh_token', 200, undefined],
      ['refresh_token', 400, 'invalid_grant'],
    ]);
    expect(tokenRequests[0]!.form?.refresh_token).toBe('[redacted]');
    const log = JSON.stringify(o.requests);
    expect(log).not.toContain(String(first.body.refresh_token));
    expect(log).not.toContain(String(second.body.refresh_token));
    expect(o.requests.find((r) => r.path === '/.well-known/openid-configuration')?.status).toBe(200);
  });
});

interface ProfileCase {
  profile: MockOpProfile;
  /** A scope the grant lacks: refused, dropped, or the parameter ignored. */
  widen: 'invalid_scope' | 'drop' | 'ignore';
  /** A reused token kills the newest one too. */
  reuseRevokes: boolean;
  /** Reuse of one grant kills the client's other grants in the same OP session. */
  clientSessionWide: boolean;
  nonce: boolean;
  sessionBound: boolean;
  /** A confidential client gets a new refresh token on each refresh. */
  rotatesConfidential: boolean;
}

const PROFILE_CASES: ProfileCase[] = [
  { profile: 'spec', widen: 'invalid_scope', reuseRevokes: true, clientSessionWide: false, nonce: false, sessionBound: true, rotatesConfidential: true },
  { profile: 'wso2', widen: 'invalid_scope', reuseRevokes: false, clientSessionWide: false, nonce: false, sessionBound: true, rotatesConfidential: true },
  { profile: 'django', widen: 'ignore', reuseRevokes: false, clientSessionWide: false, nonce: false, sessionBound: false, rotatesConfidential: true },
  { profile: 'janssen', widen: 'invalid_scope', reuseRevokes: false, clientSessionWide: false, nonce: false, sessionBound: true, rotatesConfidential: true },
  { profile: 'keycloak', widen: 'drop', reuseRevokes: true, clientSessionWide: true, nonce: true, sessionBound: true, rotatesConfidential: true },
  { profile: 'node-oidc-provider', widen: 'invalid_scope', reuseRevokes: true, clientSessionWide: false, nonce: true, sessionBound: true, rotatesConfidential: false },
];

describe.each(PROFILE_CASES)('the $profile profile', (c) => {
  it(`rotates for public clients; reuse ${c.reuseRevokes ? 'revokes' : 'only fails'}; a wider scope: ${c.widen}; nonce ${c.nonce ? 'repeated' : 'absent'}`, async () => {
    const o = await start({ profile: c.profile });
    const browser = new TestBrowser();
    const first = await signIn(o, browser, A, { scope: 'openid profile', nonce: 'n-1' });
    const sibling = await signIn(o, browser, A, { scope: 'openid profile' });
    const original = decodeJwtPayload(first.body.id_token as string);

    const wider = await refresh(o, A, first.body.refresh_token, { scope: 'openid email' });
    if (c.widen === 'invalid_scope') expect(wider).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    else expect(wider).toMatchObject({ status: 200, body: { scope: c.widen === 'drop' ? 'openid' : 'openid profile' } });
    const r1 = wider.status === 200 ? wider.body.refresh_token : first.body.refresh_token;

    const second = await refresh(o, A, r1);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(r1);
    const claims = decodeJwtPayload(second.body.id_token as string);
    expect(claims).toMatchObject({ sub: 'alice', sid: original.sid, auth_time: original.auth_time });
    expect(claims.nonce).toBe(c.nonce ? 'n-1' : undefined);

    expect(await refresh(o, A, r1)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await refresh(o, A, second.body.refresh_token)).status).toBe(c.reuseRevokes ? 400 : 200);
    expect((await refresh(o, A, sibling.body.refresh_token)).status).toBe(c.clientSessionWide ? 400 : 200);
  });

  it(`${c.sessionBound ? 'ends' : 'keeps'} the grant when the OP session ends; a confidential client's token ${c.rotatesConfidential ? 'rotates' : 'stays'}`, async () => {
    const o = await start({ profile: c.profile });
    const browser = new TestBrowser();
    const a = await signIn(o, browser, A);
    const secret = await signIn(o, browser, SECRET);
    const next = await refresh(o, SECRET, secret.body.refresh_token);
    expect(next.status).toBe(200);
    expect(next.body.refresh_token === secret.body.refresh_token).toBe(!c.rotatesConfidential);
    o.endSession();
    expect((await refresh(o, A, a.body.refresh_token)).status).toBe(c.sessionBound ? 400 : 200);
  });
});

describe('configuration', () => {
  it('validates refresh_tokens as a boolean, naming the option', async () => {
    const clients = [{ client_id: 'a', redirect_uris: [A.redirect_uri], refresh_tokens: 'yes' }] as unknown as MockOpClient[];
    await expect(startMockOp({ clients })).rejects.toThrow(/options\.clients\[0\]\.refresh_tokens must be a boolean/);
  });
});

describe('RefreshGrants memory', () => {
  it('stays bounded: past MAX_GRANTS the oldest grants are forgotten, and a grant keeps its last MAX_USED_PER_GRANT used tokens', () => {
    const grants = new RefreshGrants();
    const fields = { clientId: 'app', sub: 'alice', sessionSid: 's', sid: 's', authTime: 0, scope: 'openid' };
    const oldest = grants.issue(fields);
    const firstToken = oldest.current;
    for (let i = 0; i < MAX_USED_PER_GRANT + 1; i++) grants.rotate(oldest);
    expect(grants.lookup(firstToken)).toEqual({ kind: 'unknown' });
    expect(grants.lookup(oldest.used[0]!).kind).toBe('used');
    for (let i = 0; i < MAX_GRANTS; i++) grants.issue(fields);
    expect(grants.size).toBe(MAX_GRANTS);
    expect(grants.lookup(oldest.current)).toEqual({ kind: 'unknown' });
  });
});
