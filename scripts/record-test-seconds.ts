/**
 * Refreshes test/support/test-file-seconds.json, the test files' durations that
 * LongestFirstSequencer orders a fresh checkout's run by, from a vitest JSON report:
 *
 *   npm test -- --reporter=default --reporter=json --outputFile=/tmp/report.json
 *   npx tsx scripts/record-test-seconds.ts /tmp/report.json
 *
 * Take the report from a full run on the 2-core machine: the figures are what a file costs with
 * the other files running beside it, which is what the order has to plan for. Files under 3 s
 * are left out (the sequencer's per-kind default covers them).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const Report = z.object({
  testResults: z.array(z.object({ name: z.string(), startTime: z.number(), endTime: z.number() })),
});

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reportPath = process.argv[2];
if (!reportPath) {
  process.stderr.write('usage: tsx scripts/record-test-seconds.ts REPORT.json (a vitest JSON report of a full run)\n');
  process.exit(2);
}

/** The vitest project a file runs in (vitest.config.ts's includes). */
function projectOf(file: string): string {
  if (file.startsWith('test/e2e/')) return 'e2e';
  if (file.startsWith('test/integration/')) return 'integration';
  return file.endsWith('.tsx') ? 'components' : 'unit';
}

const report = Report.parse(JSON.parse(readFileSync(reportPath, 'utf8')));
const seconds = report.testResults
  .map((t) => {
    // The report names files by absolute path, in whichever checkout ran them.
    const file = relative(root, t.name).replace(/^(\.\.\/)+[^/]+\//, '');
    return [`${projectOf(file)}:${file}`, Math.round((t.endTime - t.startTime) / 1000)] as const;
  })
  .filter(([, s]) => s >= 3)
  .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
writeFileSync(join(root, 'test/support/test-file-seconds.json'), `${JSON.stringify(Object.fromEntries(seconds), null, 1)}\n`);
process.stdout.write(`${seconds.length} files of 3 s or more recorded in test/support/test-file-seconds.json\n`);
