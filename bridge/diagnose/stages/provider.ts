import { presetById, type ProviderDetection } from '../../../shared/providers';
import { detectForServer } from '../detect-provider';
import type { StageContext } from './context';

/**
 * A new mailbox's domain keeps its MX records on the old system until the migration ends, so
 * their provider is not taken for the new mailbox's (its remedies would be the old provider's).
 */
function withoutMxGuess(d: ProviderDetection): ProviderDetection {
  return { ...d, presetId: null, provider: null, label: null, via: null, matchedMx: null, imap: [], pop3: [], manual: true, hostHint: null };
}

/** Which provider this is (chosen, or from the server name, its CNAME or the domain's MX). Never fails the test. */
export async function detectProviderStage(ctx: StageContext): Promise<void> {
  const { endpoint, opts, report } = ctx;
  const email = opts.email ?? (endpoint.user.includes('@') ? endpoint.user : undefined);
  const found = await detectForServer(endpoint.host, email, {
    ...(opts.provider ? { provider: opts.provider } : {}),
    ...(opts.resolver ? { resolver: opts.resolver } : {}),
    dns: opts.detect !== false,
    timeoutMs: Math.min(ctx.timeoutMs, 4000),
  });
  const detection = ctx.side === 'target' && found.via === 'mx' ? withoutMxGuess(found) : found;
  report.fields.provider = detection;
  report.preset = detection.presetId ? presetById(detection.presetId) : undefined;
  if (found.via === 'mx' && found.label) {
    report.warn({
      code: 'PROVIDER_FROM_MX',
      severity: 'info',
      message:
        ctx.side === 'target'
          ? {
              en: `The MX records of ${found.domain} point to ${found.label.en} (${found.matchedMx}): during the migration they usually still name the old system, so they do not tell the new system's provider. Choose it by hand for its remedies.`,
              zh: `${found.domain} 的 MX 记录指向${found.label.zh}（${found.matchedMx}）：搬家期间域名解析通常仍指向原邮箱系统，无法据此判断新邮箱的服务商。如需对应的处理建议，请手动选择新邮箱的服务商。`,
            }
          : {
              en: `Provider recognised from the MX records of ${found.domain} (${found.matchedMx}). If the domain already points to the new system, choose the old provider by hand.`,
              zh: `根据 ${found.domain} 的 MX 记录（${found.matchedMx}）识别服务商。如域名解析已指向新邮箱，请手动选择原服务商。`,
            },
      hints: [],
    });
  }
}
