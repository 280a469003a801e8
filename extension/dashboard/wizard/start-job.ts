import type { JobSpecInput } from '../../../shared/protocol';
import { findPreset } from '../../../shared/providers';
import type { CsvRowError } from '../../../shared/csv/accounts-csv';
import { toBase64 } from '../../lib/csv-import';
import { bridgeRequest } from '../../lib/page-client';
import { toServer, type WizardState } from './wizard-state';

export interface StartOutcome {
  jobId: string;
  imported: number;
  /** Rows the bridge refused, per file (the wizard checked them, so this is rare). */
  refused: { fileName: string; errors: CsvRowError[] }[];
}

export function jobSpec(state: WizardState, fallbackName: string): JobSpecInput {
  const preset = findPreset(state.providerId);
  return {
    name: state.jobName.trim() || fallbackName,
    source: { ...toServer(state.source), protocol: state.protocol },
    sourceLogin: { kind: 'per-account' },
    target: toServer(state.target),
    targetLogin:
      state.targetLogin === 'admin'
        ? { kind: 'admin', adminUser: state.targetAdminUser.trim(), password: state.targetAdminPassword, form: state.targetAdminForm }
        : { kind: 'per-account' },
    storage: state.storage,
    ...(preset ? { provider: preset.provider } : {}),
  };
}

/** job.create, then one accounts.import per file (each ≤ 1000 rows), started at once. */
export async function startJob(state: WizardState, fallbackName: string): Promise<StartOutcome> {
  const { job } = await bridgeRequest('job.create', jobSpec(state, fallbackName));
  let imported = 0;
  const refused: StartOutcome['refused'] = [];
  for (const imp of state.imports) {
    if (imp.errors.length) continue;
    const r = await bridgeRequest('accounts.import', {
      jobId: job.id,
      mode: state.importMode,
      csvBase64: toBase64(imp.bytes),
      autoStart: true,
    });
    imported += r.imported + r.updated;
    if (r.errors.length) refused.push({ fileName: imp.fileName, errors: r.errors });
  }
  return { jobId: job.id, imported, refused };
}
