// The browsers that the end-to-end tests and the benchmarks drive (Chromium, Firefox). Plain JavaScript, so that the Playwright
// config, the TypeScript specs and the .mjs benchmark scripts share one lookup.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Flags that make Debian's Chromium start reliably on a closed, headless CI machine
 * (no sandbox as root, no background connections that this network refuses).
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/**
 * Finds a Chromium to drive: `OIDC_SM_BROWSER` if set, then a system Chromium, then Playwright's own
 * download. Throws an actionable error when there is none, so a run fails at once.
 */
export function findChromium() {
  const fromEnv = process.env.OIDC_SM_BROWSER;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`OIDC_SM_BROWSER points to ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  for (const path of CANDIDATES) if (existsSync(path)) return path;
  try {
    const own = createRequire(import.meta.url)('playwright-core').chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright's own browser is not installed: fall through to the explanation.
  }
  throw new Error(
    'No Chromium found. Install one (Debian/Ubuntu: `apt-get install -y chromium`; ' +
      'elsewhere: `npx playwright install chromium`), or set OIDC_SM_BROWSER to the path of a Chromium binary.',
  );
}

/** Firefox profile preferences for a closed network: no background traffic that this network refuses. */
export const FIREFOX_PREFS = {
  'app.update.disabledForTesting': true,
  'browser.safebrowsing.update.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

const FIREFOX_CANDIDATES = ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

/**
 * Finds a Firefox to drive over WebDriver BiDi: `OIDC_SM_FIREFOX` if set, then a system Firefox (Debian's
 * `firefox-esr`). Throws an actionable error when there is none, so a Firefox run fails at once.
 */
export function findFirefox() {
  const fromEnv = process.env.OIDC_SM_FIREFOX;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`OIDC_SM_FIREFOX points to ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  for (const path of FIREFOX_CANDIDATES) if (existsSync(path)) return path;
  throw new Error(
    'No Firefox found. Install one (Debian/Ubuntu: `apt-get install -y firefox-esr`), set OIDC_SM_FIREFOX to the path ' +
      'of a Firefox binary, or run Chromium only: `npx playwright test --project=chromium`.',
  );
}
