import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp } from '../../src/mock-op/index.js';
import { TestBrowser, authorizeUrl, decodeJwtPayload, formTx, pkce, redirectParams, signInWithTokens } from './helpers.js';

const RP = 'http://localhost:3000';
const RP2 = 'http://localhost:3001';
const A = { client_id: 'app', redirect_uri: `${RP}/cb` };
const B = { client_id: 'app-b', redirect_uri: `${RP2}/cb` };
const AFTER = `${RP}/after-logout`;

let op: MockOp;
let otherOp: MockOp;
beforeAll(async () => {
  op = await startMockOp({
    idTokenTtlSeconds: 1,
    clients: [
      {
        client_id: A.client_id,
        redirect_uris: [A.redirect_uri],
        post_logout_redirect_uris: [AFTER, `${RP}/bye?keep=1`],
        frontchannel_logout_uri: `${RP}/fcl?tenant=t1`,
        frontchannel_logout_session_required: true,
      },
      { client_id: B.client_id, redirect_uris: [B.redirect_uri], post_logout_redirect_uris: [`${RP2}/after`], frontchannel_logout_uri: `${RP2}/fcl` },
      { client_id: 'quiet', redirect_uris: [`${RP}/quiet`] },
    ],
  });
  otherOp = await startMockOp({ clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri], post_logout_redirect_uris: [AFTER] }] });
});
afterAll(async () => {
  await op.close();
  await otherOp.close();
});

function endSessionUrl(params: Record<string, string>): string {
  const url = new URL(`${op.issuer}/end_session`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

async function isSignedIn(browser: TestBrowser): Promise<boolean> {
  const res = await browser.get(authorizeUrl(op, { ...A, prompt: 'none', code_challenge: pkce().challenge, code_challenge_method: 'S256' }));
  return redirectParams(res).get('code') !== null;
}

/** Front-channel iframe URLs of the logout page, read from its data attribute. */
function frames(html: string): string[] {
  const match = /data-frames="([^"]*)"/.exec(html);
  if (!match) return [];
  return JSON.parse(match[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as string[];
}

function next(html: string): string {
  return /data-next="([^"]*)"/.exec(html)![1]!.replace(/&amp;/g, '&');
}

describe('end_session_endpoint with a valid id_token_hint', () => {
  it('logs out, renders front-channel iframes with iss and sid (keeping their query), then goes to the registered URI with state', async () => {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, op, A);
    await signInWithTokens(browser, op, B, undefined);
    await signInWithTokens(browser, op, { client_id: 'quiet', redirect_uri: `${RP}/quiet` }, undefined);
    const sid = decodeJwtPayload(t.id_token).sid as string;
    const state = 'x'.repeat(128);
    const res = await browser.get(endSessionUrl({ id_token_hint: t.id_token, post_logout_redirect_uri: AFTER, state }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`frame-src ${RP} ${RP2}`);
    const html = await res.text();
    expect(html).not.toMatch(/<script>/);
    const urls = frames(html).map((f) => new URL(f));
    expect(urls).toHaveLength(2);
    expect(Object.fromEntries(urls[0]!.searchParams)).toEqual({ tenant: 't1', iss: op.issuer, sid });
    expect(urls[0]!.origin + urls[0]!.pathname).toBe(`${RP}/fcl`);
    expect(Object.fromEntries(urls[1]!.searchParams)).toEqual({ iss: op.issuer, sid });
    expect(next(html)).toBe(`${AFTER}?state=${state}`);
    const script = await fetch(`${op.issuer}/end_session/frontchannel.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await isSignedIn(browser)).toBe(false);
  });

  it('redirects at once when no client registered a front-channel URI, echoing only state', async () => {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, otherOp, A);
    const url = new URL(`${otherOp.issuer}/end_session`);
    url.search = new URLSearchParams({ id_token_hint: t.id_token, post_logout_redirect_uri: AFTER, state: 'a b&c=d', ui_locales: 'xx-YY tlh', logout_hint: 'alice' }).toString();
    const res = await browser.get(url.href);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(AFTER);
    expect([...location.searchParams]).toEqual([['state', 'a b&c=d']]);
  });

  it('without state, adds nothing; keeps the registered URI query', async () => {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, otherOp, A);
    const res = await browser.get(`${otherOp.issuer}/end_session?id_token_hint=${t.id_token}&post_logout_redirect_uri=${encodeURIComponent(AFTER)}`);
    expect(res.headers.get('location')).toBe(AFTER);
    const t2 = await signInWithTokens(browser, op, { ...A, prompt: 'login' });
    const withQuery = await browser.get(endSessionUrl({ id_token_hint: t2.id_token, post_logout_redirect_uri: `${RP}/bye?keep=1`, state: 's' }));
    expect(next(await withQuery.text())).toBe(`${RP}/bye?keep=1&state=s`);
  });

  it('accepts an expired hint (RPI-17)', async () => {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, otherOp, A);
    const exp = decodeJwtPayload(t.id_token).exp as number;
    expect(exp - (decodeJwtPayload(t.id_token).iat as number)).toBe(3600);
    // op (idTokenTtlSeconds: 1) issues tokens that are expired two seconds later.
    const short = await signInWithTokens(browser, op, A);
    // Wait for the hint to expire on the clock.
    await vi.waitFor(() => expect((decodeJwtPayload(short.id_token).exp as number) * 1000).toBeLessThan(Date.now()), { timeout: 5000, interval: 50 });
    const res = await browser.get(endSessionUrl({ id_token_hint: short.id_token, post_logout_redirect_uri: AFTER, state: 'late' }));
    expect(next(await res.text())).toBe(`${AFTER}?state=late`);
    expect(await isSignedIn(browser)).toBe(false);
  });

  it('with no post_logout_redirect_uri, logs out and ends on the signed-out page', async () => {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, op, A);
    const res = await browser.get(endSessionUrl({ id_token_hint: t.id_token }));
    const html = await res.text();
    expect(next(html)).toBe('/end_session/done');
    const done = await browser.get(`${op.issuer}/end_session/done`);
    expect(await done.text()).toContain('signed-out');
    expect(await isSignedIn(browser)).toBe(false);
  });

  it('works as a POST form too', async () => {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, otherOp, A);
    const res = await browser.post(`${otherOp.issuer}/end_session`, { id_token_hint: t.id_token, post_logout_redirect_uri: AFTER, state: 'p' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${AFTER}?state=p`);
  });

  it('is idempotent: a second logout with the same hint still redirects, no error', async () => {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, otherOp, A);
    const first = await browser.get(`${otherOp.issuer}/end_session?id_token_hint=${t.id_token}&post_logout_redirect_uri=${encodeURIComponent(AFTER)}`);
    const second = await browser.get(`${otherOp.issuer}/end_session?id_token_hint=${t.id_token}&post_logout_redirect_uri=${encodeURIComponent(AFTER)}`);
    expect(first.headers.get('location')).toBe(AFTER);
    expect(second.headers.get('location')).toBe(AFTER);
    const none = await new TestBrowser().get(`${otherOp.issuer}/end_session`);
    expect(none.status).toBe(200);
    expect(await none.text()).toContain('signed-out');
  });
});

describe('end_session_endpoint never redirects to an unverified URI', () => {
  async function expectConfirmation(params: (t: { id_token: string }) => Record<string, string>): Promise<void> {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, op, A);
    const res = await browser.get(endSessionUrl(params(t)));
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('Sign out of the OP?');
    expect(html).not.toContain('evil.test');
    // Still signed in until the user confirms.
    expect(await isSignedIn(browser)).toBe(true);
    const confirmed = await browser.post(`${op.issuer}/end_session/confirm`, { tx: formTx(html), action: 'logout' });
    expect(confirmed.headers.get('location')).toBeNull();
    const after = await confirmed.text();
    // The front-channel page goes to the OP's own signed-out page, never to the RP's URI.
    expect(next(after)).toBe('/end_session/done');
    expect(await isSignedIn(browser)).toBe(false);
  }

  it.each([
    ['unregistered post_logout_redirect_uri', (t: { id_token: string }) => ({ id_token_hint: t.id_token, post_logout_redirect_uri: 'https://evil.test/' })],
    ['registered URI plus a query', (t: { id_token: string }) => ({ id_token_hint: t.id_token, post_logout_redirect_uri: `${AFTER}?foo=bar` })],
    ["another client's URI", (t: { id_token: string }) => ({ id_token_hint: t.id_token, post_logout_redirect_uri: `${RP2}/after` })],
    ['no id_token_hint', () => ({ post_logout_redirect_uri: AFTER, state: 's' })],
    ['no hint, client_id only', () => ({ client_id: A.client_id, post_logout_redirect_uri: AFTER })],
    ['a hint with a bad signature', (t: { id_token: string }) => ({ id_token_hint: `${t.id_token.slice(0, -4)}AAAA`, post_logout_redirect_uri: AFTER })],
    [
      'a hint with alg none',
      (t: { id_token: string }) => ({
        id_token_hint: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${t.id_token.split('.')[1]}.`,
        post_logout_redirect_uri: AFTER,
      }),
    ],
    ['a garbage hint', () => ({ id_token_hint: 'not-a-jwt', post_logout_redirect_uri: AFTER })],
    ['client_id different from the hint aud', (t: { id_token: string }) => ({ id_token_hint: t.id_token, client_id: B.client_id, post_logout_redirect_uri: `${RP2}/after` })],
    ['an unknown client_id', (t: { id_token: string }) => ({ id_token_hint: t.id_token, client_id: 'ghost', post_logout_redirect_uri: AFTER })],
  ])('%s → confirmation page, no redirect', async (_name, params) => {
    await expectConfirmation(params);
  });

  it('a hint from another OP is not trusted', async () => {
    const foreign = await signInWithTokens(new TestBrowser(), otherOp, A);
    await expectConfirmation(() => ({ id_token_hint: foreign.id_token, post_logout_redirect_uri: AFTER }));
  });

  it('a hint from an earlier session of the same user asks first and does not redirect (RPI-18, RPI-20)', async () => {
    const browser = new TestBrowser();
    const old = await signInWithTokens(browser, op, A);
    await browser.get(endSessionUrl({ id_token_hint: old.id_token }));
    const current = await signInWithTokens(browser, op, A);
    expect(decodeJwtPayload(current.id_token).sid).not.toBe(decodeJwtPayload(old.id_token).sid);
    const res = await browser.get(endSessionUrl({ id_token_hint: old.id_token, post_logout_redirect_uri: AFTER, state: 's' }));
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('from another session');
    expect(await isSignedIn(browser)).toBe(true);
  });

  it('a hint of a client that is not part of the current session asks first (RPI-20)', async () => {
    const elsewhere = new TestBrowser();
    const b = await signInWithTokens(elsewhere, op, B);
    const browser = new TestBrowser();
    await signInWithTokens(browser, op, A);
    // The same user (the default one), but app-b never joined this browser's session.
    expect(decodeJwtPayload(b.id_token).sub).toBe(decodeJwtPayload((await signInWithTokens(new TestBrowser(), op, A)).id_token).sub);
    const res = await browser.get(endSessionUrl({ id_token_hint: b.id_token }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Sign out of the OP?');
    expect(await isSignedIn(browser)).toBe(true);
  });

  it('front-channel iframes go only to the clients of the ended session (FCL §3)', async () => {
    const browser = new TestBrowser();
    const t = await signInWithTokens(browser, op, A);
    // app-b registered a front-channel URI but never signed in in this browser.
    const html = await (await browser.get(endSessionUrl({ id_token_hint: t.id_token }))).text();
    expect(frames(html).map((f) => new URL(f).origin)).toEqual([RP]);
  });

  it('a hint for another user asks first', async () => {
    const bob = await signInWithTokens(new TestBrowser(), op, A, { username: 'bob', password: 'bob' });
    await expectConfirmation(() => ({ id_token_hint: bob.id_token }));
  });

  it('cancelling keeps the session; a confirmation token works once and only in its browser', async () => {
    const browser = new TestBrowser();
    await signInWithTokens(browser, op, A);
    const page = await browser.get(endSessionUrl({}));
    const tx = formTx(await page.text());
    const thief = new TestBrowser();
    await thief.get(`${op.issuer}/check_session`);
    expect((await thief.post(`${op.issuer}/end_session/confirm`, { tx, action: 'logout' })).status).toBe(400);
    const page2 = await browser.get(endSessionUrl({}));
    const tx2 = formTx(await page2.text());
    const cancel = await browser.post(`${op.issuer}/end_session/confirm`, { tx: tx2, action: 'cancel' });
    expect(await cancel.text()).toContain('still signed in');
    expect(await isSignedIn(browser)).toBe(true);
    expect((await browser.post(`${op.issuer}/end_session/confirm`, { tx: tx2, action: 'logout' })).status).toBe(400);
  });

  it('with no session and no valid hint shows the signed-out page, never a redirect', async () => {
    const res = await new TestBrowser().get(endSessionUrl({ post_logout_redirect_uri: AFTER, state: 's' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('signed-out');
  });
});

describe('end_session_endpoint, a valid hint of the current session with an unregistered post_logout_redirect_uri', () => {
  it('asks about the unregistered URI only, not about another session', async () => {
    const browser = new TestBrowser();
    const { id_token } = await signInWithTokens(browser, op, A);
    const res = await browser.get(endSessionUrl({ id_token_hint: id_token, post_logout_redirect_uri: `${RP}/elsewhere` }));
    expect(res.status).toBe(200);
    const reason = /<p id="reason">([^<]*)<\/p>/.exec(await res.text())![1]!;
    expect(reason).toMatch(/not registered/);
    expect(reason).not.toMatch(/another session|another user/);
  });
});
