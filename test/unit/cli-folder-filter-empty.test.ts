/**
 * An empty --include-folder / --exclude-folder (`--include-folder "$FOLDER"` with FOLDER unset) is
 * a usage error naming the option: it was dropped further on, and an include of only '' copied
 * every folder. verify takes the same options and refuses the same way.
 */
import { describe, expect, it } from 'vitest';
import { parseMigrateOptions } from '../../bridge/cli/migrate-command';
import { parseVerifyOptions } from '../../bridge/cli/verify-command';
import { UsageError } from '../../bridge/cli/endpoint-url';
import { describeRun, runCliInProcess } from '../support/cli-runner';

const base = { source: 'imaps://old.example.com', target: 'imaps://new.example.com' };

function usage(extra: Record<string, unknown>, parse: (raw: Record<string, unknown>) => unknown = parseMigrateOptions): string {
  try {
    parse({ ...base, ...extra });
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('no usage error');
}

describe('empty folder filters', () => {
  it('an empty include or exclude, alone or beside others, names the option', () => {
    expect(usage({ includeFolder: [''] })).toMatch(/^--include-folder: an empty value is no folder name or glob/);
    expect(usage({ includeFolder: ['INBOX', ''] })).toMatch(/^--include-folder: /);
    expect(usage({ excludeFolder: [''] })).toMatch(/^--exclude-folder: an empty value is no folder name or glob/);
    expect(usage({ excludeFolder: [''] }, parseVerifyOptions)).toMatch(/^--exclude-folder: /);

    // Non-empty globs are taken as given.
    const o = parseMigrateOptions({ ...base, includeFolder: ['Work/**', 'INBOX'], excludeFolder: ['Work/Old'] });
    expect(o.includeFolder).toEqual(['Work/**', 'INBOX']);
    expect(o.excludeFolder).toEqual(['Work/Old']);
  });

  it('the CLI: exit 2 and the message on stderr, before any connection', async () => {
    const r = await runCliInProcess(['--source', 'imaps://127.0.0.1:1', '--target', 'imaps://127.0.0.1:1', '--include-folder', '', '--dry-run'], { timeoutMs: 20_000 });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toMatch(/--include-folder: an empty value/);
  });
});
