import { afterAll, beforeAll, expect, it } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp } from '../../src/mock-op/index.js';
import { TestBrowser, authorizeUrl, formTx, pkce } from './helpers.js';

const A = { client_id: 'app', redirect_uri: 'http://localhost:3000/cb' };

let op: MockOp;
beforeAll(async () => {
  // A password unlike the username: the default users cannot tell the two apart.
  op = await startMockOp({
    users: [{ sub: 'carol', username: 'carol', password: 'pw-carol' }],
    clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }],
  });
});
afterAll(() => op.close());

it('signs a configured user in with exactly its password, not its username', async () => {
  const browser = new TestBrowser();
  const form = await browser.get(authorizeUrl(op, { ...A, code_challenge: pkce().challenge, code_challenge_method: 'S256' }));
  const tx = formTx(await form.text());

  const wrong = await browser.post(`${op.issuer}/login`, { tx, username: 'carol', password: 'carol' });
  expect(wrong.status).toBe(200);
  expect(wrong.headers.get('location')).toBeNull();
  expect(await wrong.text()).toContain('Wrong username or password.');

  const right = await browser.post(`${op.issuer}/login`, { tx, username: 'carol', password: 'pw-carol' });
  expect(right.status).toBe(303);
  expect(new URL(right.headers.get('location')!).searchParams.get('code')).toBeTruthy();
});
