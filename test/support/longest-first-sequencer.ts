import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { z } from 'zod';

/**
 * Starts the longest test files first. On two cores the suite's wall time is set by its tail:
 * a 90-second file that starts last keeps one worker busy while the others sit idle (seen: a
 * file missing from the estimates started at minute 9 and ran on alone for a minute and a half).
 * Vitest orders by the durations it cached from earlier runs, but a fresh checkout (CI) has none
 * and runs files in name order; test-file-seconds.json stands in for the cache there: seconds
 * per file from a full run on the 2-core CI machine, four files at a time, every file of 3 s or
 * more (scripts/record-test-seconds.ts writes it from a vitest JSON report). The figures only
 * order the files: a wrong one costs wall time, nothing else.
 */
const ESTIMATED_SECONDS = z
  .record(z.string(), z.number().nonnegative())
  .parse(JSON.parse(readFileSync(fileURLToPath(new URL('./test-file-seconds.json', import.meta.url)), 'utf8')));

/** What an unlisted file costs by kind: servers or a browser to start, or neither. */
const DEFAULT_SECONDS: Record<string, number> = { e2e: 15, integration: 10, unit: 0.5, components: 0.5 };

/**
 * Projects in this order, each one's files longest first. Vitest hands a finished worker of a
 * project that shares its module cache (isolate: false) the next file only when the next file
 * in the queue is of the same project; otherwise it ends the worker and starts a new one, which
 * imports the engine, imapflow and the harness again. Sorted by duration alone, the projects
 * alternated: 42 worker processes in one run, against 24 with the projects in turn, and about
 * 50 s less CPU in the workers (process accounting of two full runs). The integration files
 * come first (the longest ones start at once), the e2e files next, the many short unit and
 * component files last, filling the tail.
 */
const PROJECT_ORDER = ['integration', 'e2e', 'unit', 'components'];
const rank = (project: string): number => {
  const i = PROJECT_ORDER.indexOf(project);
  return i === -1 ? PROJECT_ORDER.length : i;
};

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cost = (spec: TestSpecification): number => {
      const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
      const cached = this.ctx.cache.getFileTestResults(key);
      if (cached && !cached.failed) return cached.duration / 1000;
      return ESTIMATED_SECONDS[key] ?? DEFAULT_SECONDS[spec.project.name] ?? 10;
    };
    return [...files].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        rank(a.project.name) - rank(b.project.name) ||
        cost(b) - cost(a),
    );
  }
}
