import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './browser.mjs';
import { launchFirefox, type FirefoxMode } from './firefox.js';

/** RP and OP on different sites: op.test, a.test and b.test, all mapped to 127.0.0.1, over HTTPS. */
export const CROSS_SITE_HOSTNAMES = { op: 'op.test', a: 'a.test', b: 'b.test' };

/**
 * Whether the OP's iframe on the app's site can use the OP's own cookies:
 * - `blocked` — Chromium with third-party cookies blocked (this headless Chromium's default); Firefox (standard or
 *   strict) with no storage-access grant: Total Cookie Protection gives the iframe an empty, partitioned cookie jar.
 * - `allowed` — Chromium with third-party cookies allowed; Firefox as shipped, where signing in through the OP's form
 *   and being redirected back makes Firefox grant the OP storage access on the app's site (its redirect heuristic).
 */
export type ThirdPartyCookies = 'blocked' | 'allowed';

/** A browser that resolves the cross-site host names and accepts the test certificate. `close()` ends it. */
export async function launchCrossSite(
  thirdPartyCookies: ThirdPartyCookies,
  engine: { engine: 'chromium' | 'firefox'; firefoxMode: FirefoxMode },
  firefox: { storageAccessGrantSeconds?: number } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (engine.engine === 'firefox') {
    const browser = await launchFirefox({ mode: engine.firefoxMode, noStorageAccessHeuristics: thirdPartyCookies === 'blocked', ...firefox });
    return { context: await browser.newContext(), close: () => browser.close() };
  }
  // A persistent Chromium profile: `cookie_controls_mode: 0` in its preferences allows third-party cookies.
  const profile = mkdtempSync(join(tmpdir(), 'osm-profile-'));
  if (thirdPartyCookies === 'allowed') {
    mkdirSync(join(profile, 'Default'), { recursive: true });
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0 } }));
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.test 127.0.0.1'],
    headless: true,
    ignoreHTTPSErrors: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
