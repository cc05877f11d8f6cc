// Where the benchmark runs: the Chromium to drive, how to launch it, and a description of the machine.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The flags the e2e suite uses (e2e/support/browser.ts): Debian's Chromium on a closed, headless machine. */
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
const require = createRequire(import.meta.url);

/** Same order as the e2e suite: OIDC_SM_BROWSER, a system Chromium, Playwright's own download. */
export function findChromium() {
  const fromEnv = process.env.OIDC_SM_BROWSER;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`OIDC_SM_BROWSER points to ${fromEnv}, which does not exist.`);
    return fromEnv;
  }
  for (const path of CANDIDATES) if (existsSync(path)) return path;
  try {
    const own = require('playwright-core').chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // Playwright's own browser is not installed: fall through to the explanation.
  }
  throw new Error(
    'No Chromium found for the benchmarks. Install one (Debian/Ubuntu: `apt-get install -y chromium`; ' +
      'elsewhere: `npx playwright install chromium`), or set OIDC_SM_BROWSER to the path of a Chromium binary.',
  );
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const executablePath = findChromium();
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  return { browser, executablePath };
}

function packageVersion(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function nproc() {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return os.availableParallelism?.() ?? os.cpus().length;
  }
}

/** Versions and machine, for the report header. */
export function describeEnvironment(browser, executablePath) {
  return {
    node: process.version,
    chromium: browser.version(),
    chromiumPath: executablePath,
    playwrightCore: packageVersion(require.resolve('playwright-core/package.json')),
    oidcClientTs: packageVersion(`${ROOT}node_modules/oidc-client-ts/package.json`),
    package: `${packageVersion(`${ROOT}package.json`)}`,
    commit: gitCommit(),
    machine: {
      nproc: nproc(),
      memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
    },
  };
}

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha} (src/ has uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}
