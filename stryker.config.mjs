// Mutation testing of the decision modules (issue #26). `npm run mutate` runs it; it is not part of `.ci/run`
// (a full run takes about an hour on 2 cores). The summary per module is written to MUTATION.md by
// scripts/mutation-summary.mjs after each run.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts', related: false },
  // The unit tests in happy-dom: the mock OP's own tests (Node project) do not cover these modules.
  mutate: [
    'src/monitor/machine.ts',
    'src/idle/idle-record.ts',
    'src/idle/idle-watch.ts',
    'src/idle/watch-idle.ts',
    'src/idle/idle-environment.ts',
    'src/tabs/messages.ts',
    'src/tabs/tab-sync.ts',
    'src/tabs/leadership.ts',
    'src/tabs/renewal.ts',
    'src/logout/logout-state-store.ts',
    'src/logout/handle-logout-callback.ts',
    'src/session/silent-frames.ts',
  ],
  plugins: ['@stryker-mutator/vitest-runner', './scripts/stryker/message-text-ignorer.mjs'],
  ignorers: ['message-text'],
  coverageAnalysis: 'perTest',
  // Module-level constants (reason lists, default event names, limits) are computed once per module load; with the
  // shared module cache of vitest.config.ts under mutation they cannot be switched per mutant. Tests that list them
  // (every tab-message reason, the default activity events) pin them instead; MUTATION.md counts them apart.
  ignoreStatic: true,
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
