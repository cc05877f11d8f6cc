// Where the benchmark runs: the Chromium to drive, how to launch it, and a description of the machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, findChromium } from '../../e2e/support/browser.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const require = createRequire(import.meta.url);

// The same Chromium, found the same way, with the same flags as the e2e suite.
export { CHROMIUM_ARGS, findChromium };

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const executablePath = findChromium();
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  return { browser, executablePath };
}

/** The version of an installed package (`name`) or of the package.json at `path`; 'unknown' if unreadable. */
export function packageVersion(nameOrPath) {
  try {
    const path = nameOrPath.endsWith('.json') ? nameOrPath : require.resolve(`${nameOrPath}/package.json`);
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

/** Versions and machine, for the report header (`browser`: the Chromium, if one runs). */
export function describeEnvironment(browser, executablePath) {
  return {
    node: process.version,
    chromium: browser ? browser.version() : 'not run',
    chromiumPath: executablePath ?? 'not run',
    playwrightCore: packageVersion('playwright-core'),
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
