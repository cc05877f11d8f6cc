import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Page } from './engine.js';
import { startRpServer, type RpRoute, type RpServer } from './rp-server.js';

// Pages of relying parties built on clients that nobody here wrote (keycloak-js, @asgardeo/auth-spa, oidc-client-ts),
// for the client conformance lane (e2e/client-conformance.spec.ts). Each page loads the client's own browser build
// from node_modules as it is published, and logs what the client tells it in `window.log` (an array of
// `{ event, detail }`), including every answer of the OP's check_session iframe that reaches the page.

const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** A file of an installed package, by its path inside the package (whatever the package's `exports` allow). */
export function packageFile(name: string, path: string): string {
  return join(NODE_MODULES, name, path);
}

export interface LoggedEvent {
  event: string;
  detail?: unknown;
}

/**
 * The page's logging, first in `<head>`: `window.log` and `record(event, detail)`; the check_session iframe's answers
 * to the client (messages from `opOrigin` that are `unchanged`, `changed` or `error`) are logged as `iframe`, other
 * messages from the OP (Keycloak's third-party-cookie probe) as `op-message`.
 */
export function loggingScript(opOrigin: string): string {
  return `<script>
window.log = [];
window.record = function (event, detail) { window.log.push({ event: event, detail: detail }); };
window.addEventListener('message', function (e) {
  if (e.origin !== ${JSON.stringify(opOrigin)}) return;
  window.record(e.data === 'unchanged' || e.data === 'changed' || e.data === 'error' ? 'iframe' : 'op-message', e.data);
});
</script>`;
}

/** A relying party's pages, served over http on localhost (same site as the mock OP). */
export function startClientRp(routes: Record<string, string | RpRoute>): Promise<RpServer> {
  return startRpServer({ routes });
}

export function logOf(page: Page): Promise<LoggedEvent[]> {
  return page.evaluate(() => (window as unknown as { log?: LoggedEvent[] }).log ?? []);
}

/** Waits until the page has logged `event` (with a `detail` equal to `detail`, when given) at least `count` times. */
export async function waitForLog(page: Page, event: string, options: { count?: number; detail?: unknown; timeout?: number } = {}): Promise<LoggedEvent[]> {
  const { count = 1, timeout = 20_000 } = options;
  const detail = options.detail === undefined ? null : JSON.stringify(options.detail);
  await page.waitForFunction(
    ({ event, count, detail }) => {
      const all = (window as unknown as { log?: Array<{ event: string; detail?: unknown }> }).log ?? [];
      return all.filter((e) => e.event === event && (detail === null || JSON.stringify(e.detail) === detail)).length >= count;
    },
    { event, count, detail },
    { timeout },
  ).catch(async (error: Error) => {
    throw new Error(`${error.message}: no ${count} × ${event} ${detail ?? ''} at ${page.url()}; the page logged ${JSON.stringify(await logOf(page).catch(() => 'nothing'))}`);
  });
  return (await logOf(page)).filter((e) => e.event === event);
}

/** How many times the page has logged `event` with `detail` (any detail when left out). */
export async function countLog(page: Page, event: string, detail?: unknown): Promise<number> {
  const wanted = detail === undefined ? null : JSON.stringify(detail);
  return (await logOf(page)).filter((e) => e.event === event && (wanted === null || JSON.stringify(e.detail) === wanted)).length;
}

/** Signs in on the mock OP's login form, wherever the client sent the browser. */
export async function fillLoginForm(page: Page, user = 'alice'): Promise<void> {
  await page.fill('input[name="username"]', user);
  await page.fill('input[name="password"]', user);
  await page.click('button[type="submit"]');
}
