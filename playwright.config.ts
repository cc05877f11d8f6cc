import { defineConfig } from '@playwright/test';
import type { EngineOptions } from './e2e/support/engine.js';

// One suite, three browsers: Chromium (Playwright), Firefox as shipped, and Firefox with Enhanced Tracking
// Protection "Strict" (both Firefox projects are Debian's firefox-esr over WebDriver BiDi; see e2e/support/engine.ts).
// One engine only: `npx playwright test --project=chromium` (or `--project=firefox`, `--project=firefox-strict`).
export default defineConfig<EngineOptions>({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: { trace: 'off' },
  projects: [
    { name: 'chromium', use: { engine: 'chromium' } },
    // The mock OP's CLI spec starts no browser: once is enough.
    // The mock OP's profiles of real OPs (README, "OP compatibility"), the client conformance lane and the real OP
    // (oidc-provider 6.x) are checked in Chromium.
    {
      name: 'firefox',
      use: { engine: 'firefox', firefoxMode: 'standard' },
      testIgnore: ['**/mock-op/cli.spec.ts', '**/op-profiles.spec.ts', '**/client-conformance.spec.ts', '**/real-op.spec.ts'],
    },
    // Strict tracking protection changes what a frame of another site may do: the SDK's scenarios, not the mock OP's
    // own specs or the packaging examples, which are the same as in standard mode.
    {
      name: 'firefox-strict',
      use: { engine: 'firefox', firefoxMode: 'strict' },
      testMatch: ['monitoring.spec.ts', 'logout.spec.ts', 'tabs-and-lifecycle.spec.ts', 'cross-site*.spec.ts', 'front-channel-cross-site.spec.ts', 'per-tab-users.spec.ts'],
    },
  ],
});
