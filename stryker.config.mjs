// Mutation testing of the decision modules (issue #26). `npm run mutate` (scripts/mutate.mjs) runs it once per group
// below, each with its own incremental file, then writes MUTATION.md from both reports. It is not part of `.ci/run`
// (a run from nothing takes over an hour on 2 cores; an incremental one, minutes). MUTATE_GROUP picks one group.
const GROUPS = {
  // The monitor's state machine and the idle watch.
  'monitor-idle': [
    'src/monitor/machine.ts',
    'src/idle/idle-record.ts',
    'src/idle/idle-watch.ts',
    'src/idle/watch-idle.ts',
    'src/idle/idle-environment.ts',
  ],
  // What tabs tell each other and decide together, the logout state and callback, and the silent frames.
  'tabs-logout-frames': [
    'src/tabs/messages.ts',
    'src/tabs/tab-sync.ts',
    'src/tabs/leadership.ts',
    'src/tabs/renewal.ts',
    'src/logout/logout-state-store.ts',
    'src/logout/handle-logout-callback.ts',
    'src/session/silent-frames.ts',
  ],
};
export const MUTATE_GROUPS = Object.keys(GROUPS);
const group = process.env.MUTATE_GROUP ?? MUTATE_GROUPS[0];
if (!(group in GROUPS)) throw new Error(`MUTATE_GROUP must be one of ${MUTATE_GROUPS.join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts', related: false },
  mutate: GROUPS[group],
  plugins: ['@stryker-mutator/vitest-runner', './scripts/stryker/message-text-ignorer.mjs'],
  ignorers: ['message-text'],
  coverageAnalysis: 'perTest',
  // Module-level constants (reason lists, default event names, limits) are computed once per module load; with the
  // shared module cache of vitest.config.ts under mutation they cannot be switched per mutant. Tests that list them
  // (every tab-message reason, the default activity events) pin them instead; MUTATION.md counts them apart.
  ignoreStatic: true,
  concurrency: 2,
  incremental: true,
  incrementalFile: `reports/mutation/${group}.incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${group}.html` },
  jsonReporter: { fileName: `reports/mutation/${group}.json` },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
