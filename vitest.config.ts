import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'browser',
          environment: 'happy-dom',
          // A guard against hangs, not a timing: the property tests run 10,000 sequences each and take seconds on
          // a loaded 2-core machine.
          testTimeout: 60_000,
          // happy-dom cannot run a real OP page; iframes stay empty and replies are synthetic MessageEvents.
          environmentOptions: { happyDOM: { settings: { navigator: { userAgent: 'happy-dom' } } } },
          setupFiles: ['test/support/happy-dom-frames.ts'],
          // Under mutation testing (`npm run mutate`) test files share one environment and module cache: each mutant
          // reruns a handful of files, and a fresh happy-dom window per file was half of the time. Stryker then skips
          // static mutants (ignoreStatic in stryker.config.mjs), which a shared module cache could not see.
          isolate: process.env.STRYKER_MUTATOR_WORKER === undefined,
          include: ['test/**/*.test.ts'],
          exclude: ['test/mock-op/**'],
        },
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          testTimeout: 60_000,
          include: ['test/mock-op/**/*.test.ts'],
        },
      },
    ],
    maxWorkers: 2,
  },
});
