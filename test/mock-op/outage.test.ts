import { afterEach, describe, expect, it, vi } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp } from '../../src/mock-op/index.js';
import { TestBrowser, authorizeUrl, pkce, redirectParams, signIn } from './helpers.js';

const A = { client_id: 'app', redirect_uri: 'http://localhost:3000/cb' };
let op: MockOp | undefined;
afterEach(async () => {
  await op?.close();
  op = undefined;
});

async function signedIn(browser: TestBrowser, o: MockOp): Promise<boolean> {
  const res = await browser.get(authorizeUrl(o, { ...A, prompt: 'none', code_challenge: pkce().challenge, code_challenge_method: 'S256' }));
  return redirectParams(res).get('code') !== null;
}

describe('outage()', () => {
  it("'down' refuses connections and keeps sessions, keys and port; null brings it back", async () => {
    op = await startMockOp({ clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }] });
    const browser = new TestBrowser();
    await signIn(browser, op, A);
    const jwks = await (await fetch(`${op.issuer}/jwks`)).text();
    await op.outage('down');
    await expect(fetch(`${op.issuer}/jwks`)).rejects.toThrow();
    await op.outage(null);
    expect(await (await fetch(`${op.issuer}/jwks`)).text()).toBe(jwks);
    expect(await signedIn(browser, op)).toBe(true);
  });

  it("'hang' accepts and never answers, and logs the request", async () => {
    op = await startMockOp({ clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }] });
    await op.outage('hang');
    op.clearRequests();
    const abort = new AbortController();
    const pending = fetch(`${op.issuer}/.well-known/openid-configuration`, { signal: abort.signal }).then(() => 'answered', () => 'no answer');
    await vi.waitFor(() => expect(op!.requests.map((r) => r.path)).toEqual(['/.well-known/openid-configuration']));
    // A fixed wait that only shows that nothing happens: the request arrived, and no answer follows.
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    expect(await pending).toBe('no answer');
    await op.outage(null);
    expect((await fetch(`${op.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  });

  it("'error' answers 503 to everything, the check_session iframe included", async () => {
    op = await startMockOp({ clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }] });
    await op.outage('error');
    for (const path of ['/.well-known/openid-configuration', '/check_session', '/authorize', '/token']) {
      expect((await fetch(`${op.issuer}${path}`)).status).toBe(503);
    }
    await op.outage(null);
    expect((await fetch(`${op.issuer}/check_session`)).status).toBe(200);
  });

  it('close() returns promptly with hung requests and open event streams', async () => {
    op = await startMockOp({ clients: [{ client_id: A.client_id, redirect_uris: [A.redirect_uri] }] });
    const stream = await fetch(`${op.issuer}/check_session/events`);
    expect(stream.status).toBe(200);
    await op.outage('hang');
    op.clearRequests();
    const hung = fetch(`${op.issuer}/jwks`).catch(() => 'failed');
    await vi.waitFor(() => expect(op!.requests.map((r) => r.path)).toContain('/jwks'));
    const t0 = Date.now();
    await op.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await hung).toBe('failed');
    op = undefined;
  });
});
