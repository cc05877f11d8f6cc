import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './browser.mjs';

/** RP and OP on different sites: op.test, a.test and b.test, all mapped to 127.0.0.1, over HTTPS. */
export const CROSS_SITE_HOSTNAMES = { op: 'op.test', a: 'a.test', b: 'b.test' };

/**
 * A persistent Chromium profile that resolves the cross-site host names. This headless Chromium blocks
 * third-party cookies by default; `cookie_controls_mode: 0` in the profile's preferences allows them.
 * `close()` closes the browser and removes the profile.
 */
export async function launchCrossSite(thirdPartyCookies: 'blocked' | 'allowed'): Promise<{ context: BrowserContext; close(): Promise<void> }> {
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
