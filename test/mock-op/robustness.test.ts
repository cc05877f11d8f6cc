import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp } from '../../src/mock-op/index.js';
import { TestBrowser, signIn } from './helpers.js';

const RP = 'http://localhost:3000';
let op: MockOp;
let stderr = '';
const write = process.stderr.write.bind(process.stderr);
beforeAll(async () => {
  op = await startMockOp({
    clients: [{ client_id: 'app', redirect_uris: [`${RP}/cb`], post_logout_redirect_uris: [`${RP}/out`], frontchannel_logout_uri: `${RP}/fcl` }],
  });
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
});
afterAll(async () => {
  process.stderr.write = write;
  await op.close();
});

const JUNK: Record<string, string>[] = [
  {},
  { client_id: '' },
  { client_id: 'app', redirect_uri: `${RP}/cb`, response_type: 'code', scope: 'openid', prompt: 'none', id_token_hint: 'a.b.c' },
  { client_id: 'app', redirect_uri: `${RP}/cb`, response_type: 'code', scope: 'openid', code_challenge: '%%%', code_challenge_method: 'S256' },
  { client_id: '__proto__', redirect_uri: 'javascript:alert(1)' },
  { client_id: 'constructor', redirect_uri: `${RP}/cb` },
  { id_token_hint: 'x'.repeat(20_000), post_logout_redirect_uri: '//evil.test' },
  { id_token_hint: '....', client_id: 'app', post_logout_redirect_uri: `${RP}/out` },
  { grant_type: 'authorization_code', code: '', client_id: 'app', redirect_uri: '' },
  { tx: '', username: '', password: '' },
  { tx: 'x', action: 'logout' },
  { max_age: '99999999999999999999', client_id: 'app', redirect_uri: `${RP}/cb`, response_type: 'code', scope: 'openid' },
];
const PATHS = [
  '/authorize',
  '/login',
  '/token',
  '/userinfo',
  '/end_session',
  '/end_session/confirm',
  '/check_session',
  '/check_session/events',
  '/jwks',
  '/.well-known/openid-configuration',
];

describe('bad input never crashes the OP, answers 5xx, or redirects off the registered URIs', () => {
  it('survives junk on every endpoint with GET and POST, with and without a session', async () => {
    const signedIn = new TestBrowser();
    await signIn(signedIn, op, { client_id: 'app', redirect_uri: `${RP}/cb` });
    for (const browser of [new TestBrowser(), signedIn]) {
      for (const path of PATHS) {
        for (const params of JUNK) {
          const query = new URLSearchParams(params).toString();
          const responses = [
            await browser.fetch(`${op.issuer}${path}?${query}`, { signal: AbortSignal.timeout(2000) }),
            await browser.fetch(`${op.issuer}${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic %%%' },
              body: query,
            }),
          ];
          for (const res of responses) {
            expect(res.status, `${path} ${query}`).toBeLessThan(500);
            const location = res.headers.get('location');
            if (location !== null) expect(location.startsWith(`${RP}/`), `${path} → ${location}`).toBe(true);
            if (path === '/check_session/events' && res.body) await res.body.cancel();
            else await res.arrayBuffer();
          }
        }
      }
    }
    const raw = await fetch(`${op.issuer}/authorize?client_id=%E0%A4%A&redirect_uri=%`, { redirect: 'manual' });
    expect(raw.status).toBe(400);
    expect(stderr).not.toContain('internal error');
  });
});
