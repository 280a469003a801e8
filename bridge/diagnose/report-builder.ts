/**
 * The connection report as the stages fill it in: the observed facts, the steps (each reported to
 * onStep as it happens), the warnings, the provider preset as it becomes known, and the first
 * failure. build() turns the failure into the report's error with the provider's remedy.
 */
import { wrongServiceRemedy } from '../../shared/wrong-service';
import type { WrongService } from './probe';
import { REMEDIES, type ErrorCode } from '../../shared/errors';
import {
  baseRemedy,
  beforeStartChecklist,
  presetForGreeting,
  remedyFor,
  toPitfallView,
  type ConnectionReport,
  type ConnectionStage,
  type ConnectionWarning,
  type ProviderPreset,
} from '../../shared/providers';
import type { Endpoint } from '../engine/endpoint';

type Step = ConnectionReport['steps'][number];
export type ReportFields = Omit<ConnectionReport, 'ok' | 'durationMs' | 'error' | 'checklist' | 'warnings' | 'steps'>;

interface PendingError {
  code: ErrorCode;
  message: string;
  stage: ConnectionStage;
  serverText: string | null;
  pitfallIds: string[];
  wrongService?: WrongService;
}

export class ReportBuilder {
  readonly fields: ReportFields;
  private readonly steps: Step[] = [];
  private readonly warnings: ConnectionWarning[] = [];
  private pending: PendingError | null = null;
  /** The provider's preset once detected (by name, DNS or the server's greeting). */
  preset: ProviderPreset | undefined;

  constructor(
    endpoint: Endpoint,
    now: Date,
    private readonly side: 'source' | 'target',
    private readonly onStep?: (step: Step) => void,
  ) {
    this.fields = {
      testedAt: now.toISOString(),
      server: {
        host: endpoint.host,
        port: endpoint.port,
        security: endpoint.security,
        user: endpoint.user,
        authUser: endpoint.auth.kind === 'master' ? endpoint.auth.adminUser : null,
        authKind: endpoint.auth.kind,
      },
      provider: null,
      dns: null,
      tls: null,
      greeting: null,
      serverId: null,
      capabilities: { preAuth: null, postAuth: null },
      authenticated: false,
      folders: null,
      totals: null,
      statusSize: null,
      datesMethod: 'internaldate-of-lowest-and-highest-uid',
      quota: null,
      pop3: null,
    };
  }

  step(stage: ConnectionStage, status: Step['status'], ms: number | null, detail: string | null = null): void {
    const s = { stage, status, ms: ms === null ? null : Math.max(0, Math.round(ms)), detail };
    this.steps.push(s);
    this.onStep?.(s);
  }

  /** Records the failure (a later one replaces it) as the stage's failed step. */
  fail(code: ErrorCode, message: string, stage: ConnectionStage, serverText: string | null = null, pitfallIds: string[] = [], wrongService?: WrongService): void {
    this.pending = { code, message, stage, serverText, pitfallIds, ...(wrongService ? { wrongService } : {}) };
    this.step(stage, 'failed', null, `${code}: ${message}`);
  }

  warn(...warnings: ConnectionWarning[]): void {
    this.warnings.push(...warnings);
  }

  get failed(): boolean {
    return this.pending !== null;
  }

  /**
   * Recognises the provider by the software the server names (its greeting or ID), when neither
   * the user nor DNS named one.
   */
  recognizeFromServerText(text: string | null): void {
    if (this.preset) return;
    const found = presetForGreeting(text);
    if (found && found.id !== 'generic' && this.fields.provider) {
      this.preset = found;
      this.fields.provider = { ...this.fields.provider, presetId: found.id, provider: found.provider, label: found.label, via: 'greeting', hostHint: found.hostHint ?? null };
    }
  }

  /**
   * The remedy for the tested side. The generic pitfalls (GENERIC_PITFALLS) are the old mailbox's
   * (its IMAP switch, its expiry, the old provider's address): for the new mailbox only the base
   * remedy and the provider's own pitfalls apply.
   */
  private remedyOf(p: PendingError): ReturnType<typeof remedyFor> {
    // The port answered as another service: which one, and the ports to check; no provider list.
    if (p.wrongService) return { ...wrongServiceRemedy(p.wrongService.found, p.wrongService.expected, this.side), pitfalls: [] };
    const remedy = remedyFor(p.code, this.preset, p.pitfallIds);
    if (this.side === 'source' || !remedy.pitfalls.every((x) => x.id.startsWith('generic-'))) return remedy;
    return { ...baseRemedy(p.code), pitfalls: [] };
  }

  build(durationMs: number): ConnectionReport {
    const p = this.pending;
    let error: ConnectionReport['error'] = null;
    if (p) {
      const remedy = this.remedyOf(p);
      error = {
        code: p.code,
        message: p.message,
        remedy: { en: remedy.en, zh: remedy.zh },
        transient: REMEDIES[p.code].transient,
        stage: p.stage,
        serverText: p.serverText,
        hints: remedy.pitfalls.map(toPitfallView),
        ...(p.wrongService ? { facts: { kind: 'wrong-service' as const, ...p.wrongService } } : {}),
      };
    }
    return {
      ok: error === null,
      ...this.fields,
      durationMs: Math.max(0, durationMs),
      steps: this.steps,
      warnings: this.warnings,
      // What to do before migrating away from a provider: nothing of it is about the new mailbox.
      checklist: this.side === 'source' ? beforeStartChecklist(this.preset).map(toPitfallView) : [],
      error,
    };
  }
}
