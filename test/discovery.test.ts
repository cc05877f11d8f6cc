import { describe, expect, it } from 'vitest';
import { fetchDiscovery } from '../src/discovery.js';
import { ErrorCode, OidcSessionMonitorError } from '../src/errors.js';

// The discovery document names the endpoints that receive the ID token (end_session_endpoint) and the page the SDK
// frames (check_session_iframe): a document for another issuer must never supply them (Discovery §4.3).

const ISSUER = 'https://op.example/realms/main';

/** A fetch that answers every request with `body` (JSON) and `status`, and records what it was asked. */
function answering(body: unknown, status = 200) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetchFn = (async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fetchFn, calls };
}

async function failure(promise: Promise<unknown>): Promise<OidcSessionMonitorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OidcSessionMonitorError);
  expect((error as OidcSessionMonitorError).code).toBe(ErrorCode.DiscoveryFailed);
  return error as OidcSessionMonitorError;
}

describe('fetchDiscovery', () => {
  it("reads the issuer's document without cookies and keeps only the endpoints it needs", async () => {
    const { fetchFn, calls } = answering({
      issuer: ISSUER,
      check_session_iframe: `${ISSUER}/check`,
      end_session_endpoint: `${ISSUER}/logout`,
      authorization_endpoint: `${ISSUER}/auth`,
    });
    expect(await fetchDiscovery(`${ISSUER}/`, fetchFn)).toEqual({ issuer: ISSUER, check_session_iframe: `${ISSUER}/check`, end_session_endpoint: `${ISSUER}/logout` });
    expect(calls).toEqual([{ url: `${ISSUER}/.well-known/openid-configuration`, init: expect.objectContaining({ credentials: 'omit' }) }]);
  });

  it('a document that names another issuer is refused: its endpoints are never used', async () => {
    const { fetchFn } = answering({ issuer: 'https://evil.example', end_session_endpoint: 'https://evil.example/logout' });
    const error = await failure(fetchDiscovery(ISSUER, fetchFn));
    expect(error.message).toContain('names the issuer https://evil.example');
    // A prefix is another issuer too.
    await failure(fetchDiscovery(ISSUER, answering({ issuer: 'https://op.example/realms/main-other' }).fetchFn));
    await failure(fetchDiscovery(ISSUER, answering({ issuer: 'https://op.example/realms' }).fetchFn));
  });

  it('a trailing slash on either side is the same issuer', async () => {
    expect((await fetchDiscovery(ISSUER, answering({ issuer: `${ISSUER}/` }).fetchFn)).issuer).toBe(`${ISSUER}/`);
    expect((await fetchDiscovery(`${ISSUER}/`, answering({ issuer: ISSUER }).fetchFn)).issuer).toBe(ISSUER);
  });

  it('an HTTP error, a body that is not JSON, no issuer, or endpoints of the wrong type: discovery_failed or ignored, never a crash', async () => {
    await failure(fetchDiscovery(ISSUER, answering({ issuer: ISSUER }, 503).fetchFn));
    await failure(fetchDiscovery(ISSUER, answering('<html>').fetchFn));
    await failure(fetchDiscovery(ISSUER, answering({}).fetchFn));
    await failure(fetchDiscovery(ISSUER, answering(null).fetchFn));
    await failure(fetchDiscovery(ISSUER, answering({ issuer: 42 }).fetchFn));
    await failure(
      fetchDiscovery(ISSUER, (async () => {
        throw new TypeError('Failed to fetch');
      }) as unknown as typeof fetch),
    );
    expect(await fetchDiscovery(ISSUER, answering({ issuer: ISSUER, end_session_endpoint: 5, check_session_iframe: ['x'] }).fetchFn)).toEqual({ issuer: ISSUER });
  });
});
