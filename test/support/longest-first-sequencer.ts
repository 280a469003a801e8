import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Starts the longest test files first. On two cores the suite's wall time is set by its tail:
 * a 60-second file that starts last keeps one worker busy while the other sits idle. Vitest
 * orders by the durations it cached from earlier runs, but a fresh checkout (CI) has none and
 * runs files in name order; these estimates stand in for the cache there: seconds from a run on
 * the 2-core CI machine, three files at a time, every file of 15 s or more. They only order the
 * files: a wrong one costs wall time (a two-minute file missing here started among the last and
 * ran on alone for its whole length), nothing else.
 */
const ESTIMATED_SECONDS: Record<string, number> = {
  'integration:test/integration/matrix-engine-imap.test.ts': 120,
  'integration:test/integration/matrix-source-changes.test.ts': 67,
  'integration:test/integration/matrix-engine-kill.test.ts': 90,
  'integration:test/integration/engine-lost-append-reply.test.ts': 69,
  'integration:test/integration/engine-source-cut-mid-body.test.ts': 44,
  'e2e:test/e2e/webmail-panel.test.ts': 62,
  'integration:test/integration/queue-coordinator.test.ts': 60,
  'integration:test/integration/queue-cluster.test.ts': 58,
  'integration:test/integration/queue-lease.test.ts': 45,
  'e2e:test/e2e/wizard-migration.test.ts': 37,
  'integration:test/integration/matrix-engine-pop3.test.ts': 35,
  'integration:test/integration/engine-robustness.test.ts': 27,
  'integration:test/integration/engine-server-bye.test.ts': 26,
  'integration:test/integration/engine-append-throttled.test.ts': 21,
  'integration:test/integration/engine-create-throttled.test.ts': 21,
  'integration:test/integration/service-sync-matrix.test.ts': 27,
  'integration:test/integration/verify-cli.test.ts': 26,
  'integration:test/integration/engine-plan-overlap.test.ts': 25,
  'e2e:test/e2e/workers-panel.test.ts': 25,
  'e2e:test/e2e/monitor-admin-fix.test.ts': 23,
  'e2e:test/e2e/page-isolation.test.ts': 22,
  'integration:test/integration/engine-no-uidplus-identical.test.ts': 21,
  'integration:test/integration/cli-auth.test.ts': 21,
  'integration:test/integration/bridge-sync.test.ts': 21,
  'e2e:test/e2e/monitor-progress.test.ts': 21,
  'integration:test/integration/cli-interrupt.test.ts': 19,
  'e2e:test/e2e/fake-bridge.test.ts': 18,
  'integration:test/integration/harness-matrix.test.ts': 17,
  'integration:test/integration/cli-basic.test.ts': 17,
  'e2e:test/e2e/cutover.test.ts': 17,
  'integration:test/integration/pop3-migrate.test.ts': 15,
  'integration:test/integration/cli-batch.test.ts': 15,
  'integration:test/integration/engine-unreadable-message.test.ts': 33,
  'integration:test/integration/late-append.test.ts': 31,
  'integration:test/integration/verify-matrix.test.ts': 27,
  'integration:test/integration/folder-renames-false-match.test.ts': 24,
  'unit:test/unit/service-sync-window.test.ts': 22,
  'integration:test/integration/cli-launcher.test.ts': 21,
  'integration:test/integration/cli-resume.test.ts': 19,
  'integration:test/integration/harness.test.ts': 18,
  'integration:test/integration/engine-layouts.test.ts': 17,
  'integration:test/integration/engine-volume.test.ts': 17,
  'integration:test/integration/engine-faults.test.ts': 17,
  'integration:test/integration/cutover-service.test.ts': 16,
  'integration:test/integration/interop-defects.test.ts': 15,
  'integration:test/integration/engine-worker-connections.test.ts': 15,
};

/** What an unlisted file costs by kind: servers or a browser to start, or neither. */
const DEFAULT_SECONDS: Record<string, number> = { e2e: 15, integration: 10, unit: 0.5, components: 0.5 };

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cost = (spec: TestSpecification): number => {
      const key = `${spec.project.name}:${relative(this.ctx.config.root, spec.moduleId)}`;
      const cached = this.ctx.cache.getFileTestResults(key);
      if (cached && !cached.failed) return cached.duration / 1000;
      return ESTIMATED_SECONDS[key] ?? DEFAULT_SECONDS[spec.project.name] ?? 10;
    };
    return [...files].sort(
      (a, b) => a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || cost(b) - cost(a),
    );
  }
}
