import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test } from './support/engine.js';
import { readmeFiles, serveStrict, signInAsAlice } from './support/readme.js';
import { startMockOp, type MockOp } from '../src/mock-op/index.js';
import { contentSecurityPolicy } from '../examples/script-tag/server.mjs';
import { startSpaServer, type SpaServer } from '../examples/spa/server.mjs';

// The README's complete ESM app, exactly as written there: its files are taken from the README, the package is
// installed from the packed tarball into an empty folder (as a user would), Vite builds it, and Chromium drives it
// against the mock OP. If the README drifts from working code, this fails.

let work: string;
let project: string;
let server: SpaServer;
let op: MockOp;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  work = mkdtempSync(join(tmpdir(), 'oidc-sm-readme-'));
  project = join(work, 'app');
  mkdirSync(project);
  // `--ignore-scripts`: the suite runs on the dist/ built before it; `prepack` would rebuild it (removing it first)
  // under the specs running beside this one.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { encoding: 'utf8' })) as Array<{ filename: string }>;
  const tarball = join(work, packed[0]!.filename);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'readme-app', private: true, type: 'module' }));
  // The README's install command, with the packed tarball standing in for the registry's copy.
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball, 'oidc-client-ts'], {
    cwd: project,
    stdio: 'pipe',
  });
});

test.afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

let strict: { origin: string; close(): Promise<void> } | undefined;

test.afterEach(async () => {
  await Promise.all([server?.close(), op?.close(), strict?.close()]);
  strict = undefined;
});

test("the README's ESM app, installed from the packed tarball, signs in, monitors, shares the sign-in across tabs and signs out", async ({ context, page }) => {
  const files = readmeFiles();
  expect([...files.keys()].sort()).toEqual(['callback.html', 'index.html', 'signed-out.html', 'silent.html', 'src/main.js', 'src/oidc.js', 'src/signed-out.js', 'vite.config.js']);
  const outDir = join(work, 'dist');
  server = await startSpaServer({ dir: outDir });
  op = await startMockOp({
    clients: [
      {
        client_id: 'my-spa',
        redirect_uris: [`${server.origin}/callback.html`, `${server.origin}/silent.html`],
        post_logout_redirect_uris: [`${server.origin}/signed-out.html`],
      },
    ],
  });
  for (const [path, text] of files) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    // The one line a reader changes: where the OP is (the test's mock OP has a port of its own).
    writeFileSync(join(project, path), text.replace("'http://localhost:4000'", `'${op.url}'`));
  }
  const { build } = await import('vite');
  await build({ root: project, configFile: join(project, 'vite.config.js'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });

  await page.goto(`${server.origin}/`);
  await signInAsAlice(page);

  // A second tab shares the sign-in (localStorage) and polls nothing of its own.
  const second = await context.newPage();
  await second.goto(`${server.origin}/`);
  await expect(second.locator('#user')).toHaveText('Signed in as alice');

  await page.click('#sign-out');
  await page.waitForURL(`${server.origin}/signed-out.html**`);
  await expect(page.locator('#result')).toHaveText('You are signed out (verified). You were on /.');
  // The other tab was told, without asking the OP.
  await expect(second.locator('#user')).toHaveText('Signed out', { timeout: 10_000 });
  // A reload of the post-logout page is harmless.
  await page.reload();
  await expect(page.locator('#result')).toHaveText('You are signed out. You were on /.');
});

test("the README's script-tag app, with the packed tarball's script, works under a strict CSP without inline script", async ({ context, page }) => {
  const files = readmeFiles('script-tag/');
  expect([...files.keys()].sort()).toEqual([
    'callback.html',
    'index.html',
    'js/app.js',
    'js/callback.js',
    'js/oidc.js',
    'js/signed-out.js',
    'js/silent.js',
    'signed-out.html',
    'silent.html',
  ]);
  const site = join(work, 'script-tag');
  mkdirSync(join(site, 'js'), { recursive: true });
  copyFileSync(join(project, 'node_modules', 'oidc-session-monitor', 'dist', 'oidc-session-monitor.iife.min.js'), join(site, 'js', 'oidc-session-monitor.iife.min.js'));
  let opOrigin = '';
  strict = await serveStrict(site, () => contentSecurityPolicy(opOrigin));
  op = await startMockOp({
    clients: [
      {
        client_id: 'my-app',
        redirect_uris: [`${strict.origin}/callback.html`, `${strict.origin}/silent.html`],
        post_logout_redirect_uris: [`${strict.origin}/signed-out.html`],
      },
    ],
  });
  opOrigin = new URL(op.url).origin;
  for (const [path, text] of files) writeFileSync(join(site, path), text.replace("'http://localhost:4000'", `'${op.url}'`));
  const violations: string[] = [];
  await context.exposeFunction('reportViolation', (what: string) => violations.push(what));
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation(s: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`)));

  await page.goto(`${strict.origin}/`);
  await signInAsAlice(page);
  // The OP ends the session: the monitor notices, re-checks and signs the page out.
  op.endSession();
  await expect(page.locator('#user')).toHaveText('Signed out', { timeout: 15_000 });
  // Sign in again (single sign-on is gone, so the form again) and log out with a verified state.
  await signInAsAlice(page);
  await page.click('#sign-out');
  await page.waitForURL(`${strict.origin}/signed-out.html**`);
  await expect(page.locator('#result')).toHaveText('You are signed out (verified). You were on /.');
  expect(violations).toEqual([]);
});
