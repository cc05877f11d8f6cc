import { afterEach, describe, expect, it } from 'vitest';
import { startMockOp } from '../../src/mock-op/index.js';
import type { MockOp, MockOpOptions } from '../../src/mock-op/index.js';

const RP = 'http://localhost:3000';
const clients: MockOpOptions['clients'] = [{ client_id: 'app', redirect_uris: [`${RP}/cb`] }];
let op: MockOp | undefined;
afterEach(async () => {
  await op?.close();
  op = undefined;
});

describe('discovery and JWKS', () => {
  it('publishes the session-management, logout and front-channel metadata under the issuer', async () => {
    op = await startMockOp({ clients });
    expect(op.url).toBe(op.issuer);
    expect(op.issuer).toBe(`http://localhost:${op.port}`);
    const res = await fetch(`${op.issuer}/.well-known/openid-configuration`, { headers: { origin: 'http://elsewhere.test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: op.issuer,
      authorization_endpoint: `${op.issuer}/authorize`,
      token_endpoint: `${op.issuer}/token`,
      userinfo_endpoint: `${op.issuer}/userinfo`,
      jwks_uri: `${op.issuer}/jwks`,
      check_session_iframe: `${op.issuer}/check_session`,
      end_session_endpoint: `${op.issuer}/end_session`,
      frontchannel_logout_supported: true,
      frontchannel_logout_session_supported: true,
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code'],
    });
    expect(doc.subject_types_supported).toContain('public');
    expect(doc.scopes_supported).toContain('openid');
    expect(doc.token_endpoint_auth_methods_supported).toContain('none');
    // check_session_iframe must be served from the issuer's origin (conformance suite).
    expect(new URL(doc.check_session_iframe as string).origin).toBe(op.issuer);
  });

  it('serves a public RS256 JWKS with a kid and no private parts', async () => {
    op = await startMockOp({ clients });
    const res = await fetch(`${op.issuer}/jwks`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), n: expect.any(String), e: 'AQAB' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('uses the configured hostname in the issuer and https when asked', async () => {
    op = await startMockOp({ clients, hostname: '127.0.0.1' });
    expect(op.issuer).toBe(`http://127.0.0.1:${op.port}`);
    expect(op.tls).toBeUndefined();
  });
});

describe('unknown paths and methods', () => {
  it('answers 404 and 405 with pages or JSON, never a crash', async () => {
    op = await startMockOp({ clients });
    const missing = await fetch(`${op.issuer}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('text/html');
    const wrong = await fetch(`${op.issuer}/token`, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('POST');
    expect(await wrong.json()).toMatchObject({ error: 'invalid_request' });
    const put = await fetch(`${op.issuer}/authorize`, { method: 'PUT' });
    expect(put.status).toBe(405);
  });

  it('refuses oversized and non-form bodies with 4xx', async () => {
    op = await startMockOp({ clients });
    const big = await fetch(`${op.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a='.padEnd(100_000, 'x'),
    });
    expect(big.status).toBe(413);
    const json = await fetch(`${op.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('request log', () => {
  it('records every request in order with method, path, parsed query, time, prompt and client_id', async () => {
    op = await startMockOp({ clients });
    const t0 = Date.now();
    await fetch(`${op.issuer}/.well-known/openid-configuration`);
    await fetch(`${op.issuer}/authorize?client_id=app&prompt=none&redirect_uri=${encodeURIComponent(`${RP}/cb`)}`, { redirect: 'manual' });
    await fetch(`${op.issuer}/check_session`);
    await fetch(`${op.issuer}/check_session.js`);
    await fetch(`${op.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=x&client_id=app',
    });
    expect(op.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /.well-known/openid-configuration',
      'GET /authorize',
      'GET /check_session',
      'GET /check_session.js',
      'POST /token',
    ]);
    const authorize = op.requests[1]!;
    expect(authorize.query).toMatchObject({ client_id: 'app', prompt: 'none' });
    expect(authorize.prompt).toBe('none');
    expect(authorize.client_id).toBe('app');
    expect(authorize.at).toBeGreaterThanOrEqual(t0);
    expect(op.requests[4]!.form).toEqual({ grant_type: 'x', client_id: 'app' });
    expect(op.requests.filter((r) => r.path === '/authorize' && r.prompt === 'none')).toHaveLength(1);
    op.clearRequests();
    expect(op.requests).toEqual([]);
  });

  it('records the Origin header of a request that sends one, and no origin otherwise', async () => {
    op = await startMockOp({ clients });
    await (await fetch(`${op.issuer}/jwks`, { headers: { origin: RP } })).arrayBuffer();
    await (await fetch(`${op.issuer}/jwks`)).arrayBuffer();
    expect(op.requests[0]!.origin).toBe(RP);
    expect(op.requests[1]).not.toHaveProperty('origin');
  });

  it('keeps only the newest requestLogLimit entries, in order, in the same array', async () => {
    op = await startMockOp({ clients, requestLogLimit: 5 });
    const log = op.requests;
    for (let i = 0; i < 12; i++) await (await fetch(`${op.issuer}/jwks?n=${i}`)).arrayBuffer();
    expect(op.requests).toBe(log);
    expect(op.requests.map((r) => r.query.n)).toEqual(['7', '8', '9', '10', '11']);
  });

  it('keeps the latest 1000 requests by default', async () => {
    op = await startMockOp({ clients });
    for (let i = 0; i < 1010; i++) await (await fetch(`${op.issuer}/jwks?n=${i}`)).arrayBuffer();
    expect(op.requests).toHaveLength(1000);
    expect(op.requests[0]!.query.n).toBe('10');
    expect(op.requests.at(-1)!.query.n).toBe('1009');
  });

  it('keeps nothing with requestLogLimit: 0', async () => {
    op = await startMockOp({ clients, requestLogLimit: 0 });
    await (await fetch(`${op.issuer}/jwks`)).arrayBuffer();
    expect(op.requests).toEqual([]);
  });
});

/** The promise of `start()`, which must not throw synchronously (a `.catch()` would miss it). */
function refusal<T>(start: () => Promise<T>): Promise<T> {
  let promise: Promise<T> | undefined;
  expect(() => {
    promise = start();
  }).not.toThrow();
  return promise!;
}

describe('options', () => {
  it('rejects with TypeErrors naming the bad option, and never throws', async () => {
    await expect(refusal(() => startMockOp({ clients: 'x' } as unknown as MockOpOptions))).rejects.toThrow(/options\.clients/);
    await expect(refusal(() => startMockOp({ clients: [{ client_id: 'a', redirect_uris: [] }] }))).rejects.toThrow(/redirect_uris/);
    await expect(refusal(() => startMockOp({ clients: [{ client_id: 'a', redirect_uris: ['http://rp.test/cb'] }] }))).rejects.toThrow(/https/);
    await expect(refusal(() => startMockOp({ clients: [{ client_id: 'a', redirect_uris: ['https://rp.test/cb#x'] }] }))).rejects.toThrow(/fragment/);
    await expect(
      refusal(() => startMockOp({ clients: [{ client_id: 'a', redirect_uris: ['https://rp.test/cb'], frontchannel_logout_uri: 'https://other.test/fcl' }] })),
    ).rejects.toThrow(/frontchannel_logout_uri/);
    await expect(refusal(() => startMockOp({ clients, allowedLoopbackHttp: false }))).rejects.toThrow(TypeError);
    await expect(refusal(() => startMockOp({ clients, port: -1 }))).rejects.toThrow(/port/);
    await expect(refusal(() => startMockOp({ clients, sessionStateMode: 'x' as 'browser' }))).rejects.toThrow(/sessionStateMode/);
    await expect(refusal(() => startMockOp({ clients: [...clients, ...clients] }))).rejects.toThrow(/twice/);
    for (const requestLogLimit of [-1, 1.5, Infinity, NaN, '10' as unknown as number]) {
      await expect(refusal(() => startMockOp({ clients, requestLogLimit })), String(requestLogLimit)).rejects.toThrow(/options\.requestLogLimit/);
    }
    for (const clockSkewSeconds of [86_401, -86_401, Infinity, -Infinity, NaN, '60' as unknown as number]) {
      const start = () => refusal(() => startMockOp({ clients, clockSkewSeconds }));
      await expect(start(), String(clockSkewSeconds)).rejects.toThrow(TypeError);
      await expect(start(), String(clockSkewSeconds)).rejects.toThrow(/options\.clockSkewSeconds/);
    }
  });
});
