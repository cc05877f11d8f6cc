import { afterEach, describe, expect, it } from 'vitest';
import { computeSessionState, startMockOp } from '../../src/mock-op/index.js';
import type { MockOp, SessionStateMode } from '../../src/mock-op/index.js';
import { TestBrowser, authorizeUrl, decodeJwtPayload, pkce, redirectParams, signIn, signInWithTokens } from './helpers.js';

const RP_A = 'http://localhost:3000';
const RP_B = 'http://localhost:4000';
const A = { client_id: 'app-a', redirect_uri: `${RP_A}/cb` };
const B = { client_id: 'app-b', redirect_uri: `${RP_B}/cb` };

let op: MockOp | undefined;
afterEach(async () => {
  await op?.close();
  op = undefined;
});

async function start(mode?: SessionStateMode): Promise<MockOp> {
  op = await startMockOp({
    clients: [
      { client_id: A.client_id, redirect_uris: [A.redirect_uri] },
      { client_id: B.client_id, redirect_uris: [B.redirect_uri] },
    ],
    ...(mode ? { sessionStateMode: mode } : {}),
  });
  return op;
}

/** What the iframe would answer for `client` now, after the browser touched the OP (cookie in sync). */
async function verdict(browser: TestBrowser, o: MockOp, client: typeof A, sessionState: string): Promise<string> {
  const { iframeVerdict } = await import('./helpers.js');
  await browser.get(`${o.issuer}/check_session`);
  return iframeVerdict(browser.browserState(o), client.client_id, new URL(client.redirect_uri).origin, sessionState);
}

async function silent(browser: TestBrowser, o: MockOp, client: typeof A): Promise<URLSearchParams> {
  const res = await browser.get(authorizeUrl(o, { ...client, prompt: 'none', code_challenge: pkce().challenge, code_challenge_method: 'S256' }));
  return redirectParams(res);
}

describe('session_state format', () => {
  it('is base64url(SHA-256(client_id origin opbs salt)).salt with one dot and no space', () => {
    const ss = computeSessionState('c', 'https://rp.test', 'opbs', 'salt');
    expect(ss).toMatch(/^[A-Za-z0-9_-]{43}\.salt$/);
    expect(computeSessionState('c', 'https://rp.test', 'opbs')).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]+$/);
  });

  it('is bound to client, origin (serialized without default port) and browser state', async () => {
    const o = await startMockOp({ clients: [{ client_id: 'tls', redirect_uris: ['https://rp.test/cb'] }] });
    op = o;
    const browser = new TestBrowser();
    const p = await silent(browser, o, { client_id: 'tls', redirect_uri: 'https://rp.test/cb' });
    const ss = p.get('session_state')!;
    const { iframeVerdict } = await import('./helpers.js');
    const cookie = browser.browserState(o);
    expect(iframeVerdict(cookie, 'tls', 'https://rp.test', ss)).toBe('unchanged');
    expect(iframeVerdict(cookie, 'tls', 'https://rp.test:443', ss)).toBe('changed');
    expect(iframeVerdict(cookie, 'other', 'https://rp.test', ss)).toBe('changed');
    expect(iframeVerdict(`${cookie}x`, 'tls', 'https://rp.test', ss)).toBe('changed');
  });
});

describe("sessionStateMode 'browser' (default)", () => {
  it('changes on login; an anonymous RP sees it', async () => {
    const o = await start();
    const browser = new TestBrowser();
    const anonymous = (await silent(browser, o, A)).get('session_state')!;
    expect(await verdict(browser, o, A, anonymous)).toBe('unchanged');
    await signIn(browser, o, A);
    expect(await verdict(browser, o, A, anonymous)).toBe('changed');
  });

  it('does not change on prompt=none of a client already in the session (no ping-pong)', async () => {
    const o = await start();
    const browser = new TestBrowser();
    const a = await signIn(browser, o, A);
    const b = await signIn(browser, o, B, undefined);
    const bAfter = (await silent(browser, o, B)).get('session_state')!;
    const aAfter = (await silent(browser, o, A)).get('session_state')!;
    expect(await verdict(browser, o, A, aAfter)).toBe('unchanged');
    expect(await verdict(browser, o, B, bAfter)).toBe('unchanged');
    expect(await verdict(browser, o, B, b.session_state)).toBe('unchanged');
    expect(a.session_state).not.toBe(aAfter);
  });

  it("changes for every client when another client joins the session (SSO)", async () => {
    const o = await start();
    const browser = new TestBrowser();
    const a = await signIn(browser, o, A);
    expect(await verdict(browser, o, A, a.session_state)).toBe('unchanged');
    await signIn(browser, o, B, undefined);
    expect(await verdict(browser, o, A, a.session_state)).toBe('changed');
  });

  it('changes on logout, user switch, re-login, op.endSession() and expireAllSessions()', async () => {
    const o = await start();
    const browser = new TestBrowser();
    let t = await signInWithTokens(browser, o, A);
    await browser.get(`${o.issuer}/end_session?id_token_hint=${t.id_token}`);
    expect(await verdict(browser, o, A, t.session_state)).toBe('changed');

    t = await signInWithTokens(browser, o, A);
    const bob = await signIn(browser, o, { ...A, prompt: 'login' }, { username: 'bob', password: 'bob' });
    expect(await verdict(browser, o, A, t.session_state)).toBe('changed');

    const again = await signIn(browser, o, { ...A, prompt: 'login' }, { username: 'bob', password: 'bob' });
    expect(await verdict(browser, o, A, bob.session_state)).toBe('changed');

    o.endSession({ sub: 'alice' }); // not this browser's user
    expect(await verdict(browser, o, A, again.session_state)).toBe('unchanged');
    o.endSession({ sub: 'bob' });
    expect(await verdict(browser, o, A, again.session_state)).toBe('changed');
    expect(redirectParams(await browser.get(authorizeUrl(o, { ...A, prompt: 'none', code_challenge: pkce().challenge, code_challenge_method: 'S256' }))).get('error')).toBe(
      'login_required',
    );

    const last = await signIn(browser, o, A);
    o.expireAllSessions();
    expect(await verdict(browser, o, A, last.session_state)).toBe('changed');
  });

  it('does not change on a logout without a session (idempotent)', async () => {
    const o = await start();
    const browser = new TestBrowser();
    const anonymous = (await silent(browser, o, A)).get('session_state')!;
    await browser.get(`${o.issuer}/end_session`);
    expect(await verdict(browser, o, A, anonymous)).toBe('unchanged');
  });

  it('pushes a server-side session end to the check_session event stream at once', async () => {
    const o = await start();
    const browser = new TestBrowser();
    await signIn(browser, o, A);
    const res = await browser.get(`${o.issuer}/check_session/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const events: string[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    const nextState = async (): Promise<string | null> => {
      for (;;) {
        const match = /data: (.*)\n\n/.exec(buffer);
        if (match) {
          buffer = buffer.slice(match.index + match[0].length);
          events.push(match[1]!);
          return (JSON.parse(match[1]!) as { state: string | null }).state;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value);
      }
    };
    const before = await nextState();
    expect(before).toBe(browser.browserState(o));
    o.endSession();
    const after = await nextState();
    expect(after).not.toBe(before);
    await browser.get(`${o.issuer}/check_session`);
    expect(browser.browserState(o)).toBe(after);
    await reader.cancel();
  });
});

describe("sessionStateMode 'per-client'", () => {
  it("another client's SSO sign-in and re-login leave this client's state alone", async () => {
    const o = await start('per-client');
    const browser = new TestBrowser();
    const a = await signIn(browser, o, A);
    const b = await signIn(browser, o, B, undefined);
    expect(await verdict(browser, o, A, a.session_state)).toBe('unchanged');
    expect(await verdict(browser, o, B, b.session_state)).toBe('unchanged');
    const b2 = await signIn(browser, o, { ...B, prompt: 'login' });
    expect(await verdict(browser, o, A, a.session_state)).toBe('unchanged');
    expect(await verdict(browser, o, B, b.session_state)).toBe('changed');
    expect(await verdict(browser, o, B, b2.session_state)).toBe('unchanged');
    // No personal data or client ids in the cookie: only random values and short hashes.
    expect(browser.browserState(o)).not.toMatch(/alice|app-/);
  });

  it('changes every client on user switch, logout and server-side end', async () => {
    const o = await start('per-client');
    const browser = new TestBrowser();
    const a = await signIn(browser, o, A);
    let b = await signIn(browser, o, B, undefined);
    await signIn(browser, o, { ...B, prompt: 'login' }, { username: 'bob', password: 'bob' });
    expect(await verdict(browser, o, A, a.session_state)).toBe('changed');

    const t = await signInWithTokens(browser, o, A, undefined);
    b = await signIn(browser, o, B, undefined);
    await browser.get(`${o.issuer}/end_session?id_token_hint=${t.id_token}`);
    expect(await verdict(browser, o, A, t.session_state)).toBe('changed');
    expect(await verdict(browser, o, B, b.session_state)).toBe('changed');

    const fresh = await signInWithTokens(browser, o, A);
    o.endSession({ sid: 'not-a-session' });
    expect(await verdict(browser, o, A, fresh.session_state)).toBe('unchanged');
    o.endSession({ sid: decodeJwtPayload(fresh.id_token).sid as string });
    expect(await verdict(browser, o, A, fresh.session_state)).toBe('changed');
  });
});
