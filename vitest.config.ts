import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'browser',
          environment: 'happy-dom',
          // happy-dom cannot run a real OP page; iframes stay empty and replies are synthetic MessageEvents.
          environmentOptions: { happyDOM: { settings: { disableIframePageLoading: true, navigator: { userAgent: 'happy-dom' } } } },
          include: ['test/**/*.test.ts'],
          exclude: ['test/mock-op/**'],
        },
      },
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/mock-op/**/*.test.ts'],
        },
      },
    ],
    maxWorkers: 2,
  },
});
