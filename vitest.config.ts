import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests start real Dovecot servers and the
// e2e tests a real Chromium, so they get generous timeouts and limited parallelism
// (the CI machine has 2 cores). The component tests run beside the unit tests (same group,
// and `npm run test:unit` runs both): neither waits on servers, so they share the workers.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // A guard against a hang, not a speed check (vitest's 5 s default failed jsdom renders
          // on a busy 2-core machine): how fast things are is the bench's business.
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 240_000,
          // Two files at a time: each spends most of its time waiting on Chromium, the bridge
          // and its mail servers, so two overlap well on 2 cores. Both extension builds are made
          // once beforehand, so no two files build into one folder at once.
          globalSetup: ['test/e2e/support/global-setup.ts'],
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
      {
        // React components of the extension, rendered with testing-library in jsdom.
        test: {
          name: 'components',
          include: ['test/unit/**/*.test.tsx'],
          environment: 'jsdom',
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
