import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { exportJWK, generateKeyPair } from 'jose';
import type { BrowserContext } from './engine.js';
import { packageFile } from './clients.js';

// A real OpenID Provider that nobody here wrote: panva's oidc-provider 6.x from npm (the last major with
// check_session_iframe and front-channel logout), configured as its documentation says, with its development login
// and consent pages. Used by e2e/real-op.spec.ts.

const require = createRequire(import.meta.url);

/** The slice of oidc-provider 6's `Provider` used here. */
interface Provider {
  readonly callback: (req: IncomingMessage, res: ServerResponse) => void;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => Provider;

export interface RealOpRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface RealOp {
  issuer: string;
  /** Every request received, in order. */
  requests: RealOpRequest[];
  close(): Promise<void>;
}

/**
 * Starts oidc-provider on 127.0.0.1 (issuer `http://localhost:<port>`) with session management, RP-initiated and
 * front-channel logout, and the given clients (public, PKCE, code flow).
 */
export async function startOidcProvider(clients: Array<Record<string, unknown>>): Promise<RealOp> {
  const { Provider } = require('oidc-provider') as { Provider: ProviderClass };
  const requests: RealOpRequest[] = [];
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://op.invalid');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) });
    handler!(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({ token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'], ...client })),
    features: {
      sessionManagement: { enabled: true },
      frontchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      devInteractions: { enabled: true },
    },
    pkce: { methods: ['S256'], required: () => true },
    cookies: { keys: [Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')] },
    jwks: { keys: [{ ...(await exportJWK(privateKey)), use: 'sig', alg: 'RS256' }] },
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
  });
  handler = provider.callback;
  return {
    issuer,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The machine is offline: oidc-provider 6's check_session page loads jsSHA 2.3.1 from cdnjs (with an integrity hash)
 * and a fetch polyfill from polyfill.io. The browser gets jsSHA from the npm package of the same version, byte for
 * byte the file the integrity hash names (else the browser would refuse it); every other request off this machine
 * fails at once, as it would offline.
 */
export async function serveOidcProviderCdn(context: BrowserContext): Promise<void> {
  await context.route(
    (url) => url.hostname !== 'localhost' && url.hostname !== '127.0.0.1',
    (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === 'cdnjs.cloudflare.com' && url.pathname === '/ajax/libs/jsSHA/2.3.1/sha256.js') {
        return route.fulfill({
          path: packageFile('jssha', 'src/sha256.js'),
          contentType: 'application/javascript; charset=utf-8',
          headers: { 'Access-Control-Allow-Origin': '*' },
        });
      }
      return route.abort('internetdisconnected');
    },
  );
}
