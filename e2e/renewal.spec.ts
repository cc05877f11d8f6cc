import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from './support/engine.js';
import { readmeFiles, serveStrict, signInAsAlice } from './support/readme.js';
import { startMockOp, type MockOp, type MockOpRequest } from '../src/mock-op/index.js';
import { contentSecurityPolicy } from '../examples/script-tag/server.mjs';

// Token renewal across tabs, with the README's script-tag app exactly as written there (a localStorage userStore
// shared by every tab, oidc-client-ts's default automaticSilentRenew) against a mock OP that rotates refresh tokens
// and revokes the whole grant when a used one comes back — as oidc-provider, Keycloak ("Revoke Refresh Token"),
// Auth0 and Okta do. Access tokens live 63 s and oidc-client-ts renews 60 s before expiry, so a renewal round
// comes every 3 s.

const TTL = 63;
const TABS = 6;
const ROUNDS = 10;

let site: string;
let app: { origin: string; close(): Promise<void> };
let op: MockOp;

async function startApp(refreshTokens: boolean): Promise<void> {
  site = mkdtempSync(join(tmpdir(), 'oidc-sm-renewal-'));
  mkdirSync(join(site, 'js'));
  copyFileSync(new URL('../dist/oidc-session-monitor.iife.min.js', import.meta.url), join(site, 'js', 'oidc-session-monitor.iife.min.js'));
  let opOrigin = '';
  app = await serveStrict(site, () => contentSecurityPolicy(opOrigin));
  op = await startMockOp({
    idTokenTtlSeconds: TTL,
    clients: [
      {
        client_id: 'my-app',
        redirect_uris: [`${app.origin}/callback.html`, `${app.origin}/silent.html`],
        post_logout_redirect_uris: [`${app.origin}/signed-out.html`],
        refresh_tokens: refreshTokens,
      },
    ],
  });
  opOrigin = new URL(op.url).origin;
  for (const [path, text] of readmeFiles('script-tag/')) writeFileSync(join(site, path), text.replace("'http://localhost:4000'", `'${op.url}'`));
}

test.afterEach(async () => {
  await Promise.all([app?.close(), op?.close()]);
  if (site) rmSync(site, { recursive: true, force: true });
});

/** Signs in in one tab, opens the others, and reloads all of them at the same moment (a browser restoring its tabs). */
async function sixTabsReloadedAtOnce(context: BrowserContext, page: Page): Promise<Page[]> {
  await page.goto(`${app.origin}/`);
  await signInAsAlice(page);
  const tabs = [page];
  for (let i = 1; i < TABS; i++) {
    const tab = await context.newPage();
    await tab.goto(`${app.origin}/`);
    await expect(tab.locator('#user')).toHaveText('Signed in as alice');
    tabs.push(tab);
  }
  // Reloaded right after a renewal round (a reload in the middle of one loses the OP's answer, and with it the
  // rotated refresh token: no client can help that), so that the next round finds six freshly loaded tabs. A round
  // is over when the store holds new tokens and no tab holds or waits for a renewal lock; the OP's answer alone is
  // not the end of it (a prompt=none answer still has its code to exchange, and the tokens are still to be stored).
  const [first] = await storedAccessTokens([page]);
  await expect.poll(() => renewalRoundOver(page, first!), { timeout: TTL * 1000 }).toBe(true);
  await Promise.all(tabs.map((tab) => tab.reload()));
  for (const tab of tabs) await expect(tab.locator('#user')).toHaveText('Signed in as alice');
  return tabs;
}

/** Whether the store holds tokens other than `before`, and no tab of the origin holds or waits for a renewal lock. */
async function renewalRoundOver(page: Page, before: string): Promise<boolean> {
  const [stored] = await storedAccessTokens([page]);
  if (!stored || stored === before) return false;
  return page.evaluate(async () => {
    const { held = [], pending = [] } = await navigator.locks.query();
    return ![...held, ...pending].some((lock) => lock.name?.startsWith('oidc-session-monitor:renew:'));
  });
}

/** The access token every tab's store holds (one localStorage for the origin, read through each tab). */
async function storedAccessTokens(tabs: Page[]): Promise<string[]> {
  return Promise.all(
    tabs.map((tab) =>
      tab.evaluate(() => {
        const key = Object.keys(localStorage).find((k) => k.startsWith('oidc.user:'));
        return key ? (JSON.parse(localStorage.getItem(key)!) as { access_token: string }).access_token : '';
      }),
    ),
  );
}

/**
 * Waits for `rounds` more renewal rounds and checks that each round, from the first, sent one request: two requests
 * of one round come within a second of each other, rounds are 3 s apart.
 */
async function expectOneRequestPerRound(renewals: () => MockOpRequest[], rounds: number): Promise<void> {
  const before = renewals().length;
  await expect.poll(() => renewals().length, { timeout: rounds * TTL * 1000 }).toBeGreaterThanOrEqual(before + rounds);
  const times = renewals().map((r) => r.at);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `request ${i + 1} came ${times[i]! - times[i - 1]!} ms after the one before`).toBeGreaterThan(1500);
}

test('six tabs of the README app, reloaded at the same moment, renew with one refresh-token request per round for ten rounds, with no invalid_grant', async ({ context, page }) => {
  test.setTimeout(120_000);
  await startApp(true);
  const tabs = await sixTabsReloadedAtOnce(context, page);
  const refreshes = () => op.requests.filter((r) => r.grantType === 'refresh_token');
  await expectOneRequestPerRound(refreshes, ROUNDS);
  expect(refreshes().filter((r) => r.status !== 200)).toEqual([]);
  // Every tab holds the newest tokens and still shows alice.
  const stored = await storedAccessTokens(tabs);
  expect(new Set(stored).size).toBe(1);
  for (const tab of tabs) await expect(tab.locator('#user')).toHaveText('Signed in as alice');
  expect(op.requests.filter((r) => r.prompt === 'none')).toEqual([]);
});

test('the same with prompt=none renewal (no refresh token): one silent iframe per round', async ({ context, page }) => {
  test.setTimeout(120_000);
  await startApp(false);
  await sixTabsReloadedAtOnce(context, page);
  const silent = () => op.requests.filter((r) => r.path.endsWith('/authorize') && r.prompt === 'none');
  await expectOneRequestPerRound(silent, 5);
  expect(op.requests.filter((r) => r.grantType === 'refresh_token')).toEqual([]);
});

test('a revoked refresh token (invalid_grant) is never a silent half-session: the tab re-checks with prompt=none and renewal goes on', async ({ context, page }) => {
  test.setTimeout(90_000);
  await startApp(true);
  const warnings: string[] = [];
  const second = await context.newPage();
  for (const tab of [page, second]) tab.on('console', (message) => void warnings.push(message.text()));
  await page.goto(`${app.origin}/`);
  await signInAsAlice(page);
  await second.goto(`${app.origin}/`);
  await expect(second.locator('#user')).toHaveText('Signed in as alice');
  // The OP revokes the grant (an administrator, or reuse detected elsewhere) while the login session lives on.
  const refreshes = () => op.requests.filter((r) => r.grantType === 'refresh_token');
  await expect.poll(() => refreshes().length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  expect(op.revokeRefreshTokens({ sub: 'alice' })).toBe(1);
  await expect.poll(() => refreshes().filter((r) => r.error === 'invalid_grant').length, { timeout: 30_000 }).toBe(1);
  // The re-check: one prompt=none, which brings fresh tokens with a new refresh token; both tabs stay signed in.
  await expect.poll(() => op.requests.filter((r) => r.prompt === 'none').length, { timeout: 30_000 }).toBe(1);
  const failedAt = refreshes().findIndex((r) => r.error === 'invalid_grant');
  await expect.poll(() => refreshes().slice(failedAt + 1).filter((r) => r.status === 200).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  expect(refreshes().filter((r) => r.error === 'invalid_grant')).toHaveLength(1);
  // The app heard of it: the README app logs `error` events.
  expect(warnings.filter((w) => w.startsWith('renewal_failed'))).toHaveLength(1);
  for (const tab of [page, second]) await expect(tab.locator('#user')).toHaveText('Signed in as alice');
});
