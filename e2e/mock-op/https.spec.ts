import { createHash, randomBytes } from 'node:crypto';
import { expect, test } from '../support/engine.js';
import type { Page } from '../support/engine.js';
import { createSelfSignedCertificate, startMockOp } from '../../src/mock-op/index.js';
import type { MockOp } from '../../src/mock-op/index.js';
import { CHROMIUM_ARGS } from '../support/browser.mjs';
import { startRpServer } from '../support/rp-server.js';
import type { RpServer } from '../support/rp-server.js';
import { RP_SCRIPT, rpPage, strictCsp } from './rp-pages.js';

// Host names of the generated certificate, all mapped to loopback. op/rp.example.test are the same
// site (registrable domain example.test); elsewhere.test is another site. (Chromium's launch options; Firefox maps
// these names and accepts the certificate in every project, see support/firefox.ts.)
test.use({
  ignoreHTTPSErrors: true,
  launchOptions: { args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.test 127.0.0.1'] },
});

let op: MockOp;
let rp: RpServer;
let crossSite: RpServer;

test.beforeEach(async () => {
  const routes = () => ({
    '/cb': '<!doctype html><title>cb</title>',
    '/rp.js': { body: RP_SCRIPT, contentType: 'text/javascript' },
    '/rp.html': () => ({ body: rpPage(`${op.issuer}/check_session`), headers: { 'Content-Security-Policy': strictCsp(op.issuer) } }),
  });
  // The RPs' own certificate; the OP generates its own at start.
  const tls = await createSelfSignedCertificate(['rp.example.test', 'elsewhere.test']);
  rp = await startRpServer({ routes: routes(), tls, hostname: 'rp.example.test' });
  crossSite = await startRpServer({ routes: routes(), tls, hostname: 'elsewhere.test' });
  op = await startMockOp({
    https: { hostnames: ['op.example.test'] },
    hostname: 'op.example.test',
    clients: [
      { client_id: 'same-site', redirect_uris: [`${rp.url}/cb`] },
      { client_id: 'cross-site', redirect_uris: [`${crossSite.url}/cb`] },
    ],
  });
});

test.afterEach(async () => {
  await op?.close();
  await rp?.close();
  await crossSite?.close();
});

async function signIn(page: Page, clientId: string, server: RpServer): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${op.issuer}/authorize`);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: `${server.url}/cb`,
    response_type: 'code',
    scope: 'openid',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  await page.goto(url.href);
  if (new URL(page.url()).origin === op.issuer) {
    await page.fill('input[name=username]', 'alice');
    await page.fill('input[name=password]', 'alice');
    await page.click('button[type=submit]');
  }
  await page.waitForURL(`${server.url}/cb?**`);
  return new URL(page.url()).searchParams.get('session_state')!;
}

function check(page: Page, data: unknown): Promise<unknown> {
  return page.evaluate((d) => (window as unknown as { check(d: unknown): Promise<unknown> }).check(d), data);
}

test('over https with the generated certificate, SameSite=None; Secure cookies reach a same-site iframe', async ({ page }) => {
  const sessionState = await signIn(page, 'same-site', rp);
  const cookies = await page.context().cookies(op.issuer);
  const state = cookies.find((c) => c.name === `mockop${op.port}_bs`);
  expect(state).toMatchObject({ sameSite: 'None', secure: true, httpOnly: false });
  await page.goto(`${rp.url}/rp.html`);
  expect(await check(page, `same-site ${sessionState}`)).toBe('unchanged');
  op.endSession();
  await expect.poll(() => check(page, `same-site ${sessionState}`), { timeout: 5000 }).toBe('changed');
});

test('cross-site with third-party cookies blocked (this Chromium by default), the iframe cannot see the state', async ({ page }) => {
  const sessionState = await signIn(page, 'cross-site', crossSite);
  await page.goto(`${crossSite.url}/rp.html`);
  // The iframe's cookies and its shared worker's stream are partitioned away from the OP's own:
  // the state it sees is not the one session_state was computed from.
  expect(await check(page, `cross-site ${sessionState}`)).toBe('changed');
});
