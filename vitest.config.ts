import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/longest-first-sequencer.ts';

// Unit tests are pure and fast; integration tests start real mail servers and the e2e tests
// a real Chromium, so they get generous timeouts. All four projects run as one group, four
// files at a time on the 2-core CI machine, longest first: files spend much of their time
// waiting on their servers, on Chromium or on a simulated slow link (with two at a time the
// cores were idle a third of the run; with three, a fifth: 1,015 s of CPU in a 635 s run; with
// six, slower than four: 1,020 s of CPU against 883 s, in 676 s against 657 s, as each worker
// imports the engine and the harness and the files' polling runs longer under more contention),
// and the short unit files fill the tail instead of one long file running alone at the end of
// its project's group.
const WORKERS = 4;
// Unit, integration and e2e files share their worker's module cache (isolate: false): each
// file re-importing the engine, imapflow and the harness cost about 30 s of CPU per run, and
// each e2e file in a process of its own playwright-core and the harness again (the 13 e2e files
// alone: 12 to 21 s less CPU in node processes, two runs each way). Their tests keep no module
// state between files (unit files pass in shuffled orders; an e2e file closes its browser,
// bridge and servers in its afterAll). The React component files share theirs too, with a
// setup file that undoes what a file changes (see their project).

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          isolate: false,
          // A guard against a hang, not a speed check (vitest's 5 s default failed jsdom renders
          // on a busy 2-core machine): how fast things are is the bench's business.
          testTimeout: 30_000,
          maxWorkers: WORKERS,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          isolate: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          maxWorkers: WORKERS,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          isolate: false,
          testTimeout: 120_000,
          hookTimeout: 240_000,
          // Both extension builds are made once beforehand, so no two files build into one
          // folder at once.
          globalSetup: ['test/e2e/support/global-setup.ts'],
          maxWorkers: WORKERS,
        },
      },
      {
        // React components of the extension, rendered with testing-library in jsdom.
        test: {
          name: 'components',
          include: ['test/unit/**/*.test.tsx'],
          environment: 'jsdom',
          // Worker threads rather than forked processes: a thread starts without a new V8
          // process and its loader (about 13 s less CPU for 23 files when each had its own).
          pool: 'threads',
          // One module cache and jsdom window per worker: each file re-importing React,
          // testing-library and the extension was most of the project's cost (46 files: 115 to
          // 127 s of CPU, 65 to 80 s wall; shared, 21 s of CPU and 11 s). A file's own vi.mock
          // would be bound only into the components the first file imported, so the modules
          // files stub are mocked once, in the setup file, forwarding to what each file installs
          // (extension-doubles.ts); the setup file also gives each file a fresh database and the
          // window as jsdom made it. The files pass alone and in shuffled orders.
          isolate: false,
          setupFiles: ['test/unit/components-setup.ts'],
          testTimeout: 30_000,
          maxWorkers: WORKERS,
        },
      },
    ],
  },
});
