import { MAX_ACCOUNT_FILES_BASE64, type JobSpecInput, type RequestParamsInput } from '../../../shared/protocol';
import { findPreset } from '../../../shared/providers';
import type { CsvRowError } from '../../../shared/csv/accounts-csv';
import { toBase64 } from '../../lib/csv-import';
import { bridgeRequest } from '../../lib/page-client';
import { jobFilters } from './job-filters';
import { toServer, type WizardState } from './wizard-state';

type AccountFile = RequestParamsInput<'job.createWithAccounts'>['accounts'][number];

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
    filters: jobFilters(state),
    ...(preset ? { provider: preset.provider } : {}),
  };
}

/** The wizard's files as the bridge takes them, split into what fits in job.createWithAccounts and the rest. */
export function accountFiles(state: WizardState): { first: Array<{ fileName: string; file: AccountFile }>; more: Array<{ fileName: string; file: AccountFile }> } {
  const first: Array<{ fileName: string; file: AccountFile }> = [];
  const more: Array<{ fileName: string; file: AccountFile }> = [];
  let size = 0;
  for (const imp of state.imports) {
    if (imp.errors.length) continue;
    const file: AccountFile = { mode: state.importMode, csvBase64: toBase64(imp.bytes), autoStart: true };
    size += file.csvBase64.length;
    (first.length === 0 || size <= MAX_ACCOUNT_FILES_BASE64 ? first : more).push({ fileName: imp.fileName, file });
  }
  return { first, more };
}

/** The bridge refused an account file of a job it did not create: nothing was created, the wizard can start again. */
export class StartRefused extends Error {
  constructor(readonly refused: StartOutcome['refused']) {
    super(refused.map((r) => r.errors.map((e) => `${r.fileName}, line ${e.line}: ${e.message} ${e.messageZh}`).join('\n')).join('\n'));
    this.name = 'StartRefused';
  }
}

/**
 * The job and its accounts in one job.createWithAccounts (a refused file creates nothing, so no
 * empty job is left behind); files beyond one request's size follow with accounts.import.
 */
export async function startJob(state: WizardState, fallbackName: string): Promise<StartOutcome> {
  const spec = jobSpec(state, fallbackName);
  const { first, more } = accountFiles(state);
  let jobId: string;
  let imported = 0;
  const refused: StartOutcome['refused'] = [];
  if (first.length) {
    const r = await bridgeRequest('job.createWithAccounts', { ...spec, accounts: first.map((f) => f.file) });
    if (!r.job) throw new StartRefused(first.flatMap((f, i) => (r.imports[i]?.errors.length ? [{ fileName: f.fileName, errors: r.imports[i]!.errors }] : [])));
    jobId = r.job.id;
    for (const i of r.imports) imported += i.imported + i.updated;
  } else {
    jobId = (await bridgeRequest('job.create', spec)).job.id;
  }
  for (const { fileName, file } of more) {
    const r = await bridgeRequest('accounts.import', { jobId, ...file });
    imported += r.imported + r.updated;
    if (r.errors.length) refused.push({ fileName, errors: r.errors });
  }
  return { jobId, imported, refused };
}
