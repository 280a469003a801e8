import { presetById } from '../../../shared/providers';
import { detectForServer } from '../detect-provider';
import type { StageContext } from './context';

/** Which provider this is (chosen, or from the server name, its CNAME or the domain's MX). Never fails the test. */
export async function detectProviderStage(ctx: StageContext): Promise<void> {
  const { endpoint, opts, report } = ctx;
  const email = opts.email ?? (endpoint.user.includes('@') ? endpoint.user : undefined);
  const detection = await detectForServer(endpoint.host, email, {
    ...(opts.provider ? { provider: opts.provider } : {}),
    ...(opts.resolver ? { resolver: opts.resolver } : {}),
    dns: opts.detect !== false,
    timeoutMs: Math.min(ctx.timeoutMs, 4000),
  });
  report.fields.provider = detection;
  report.preset = detection.presetId ? presetById(detection.presetId) : undefined;
  if (detection.via === 'mx') {
    report.warn({
      code: 'PROVIDER_FROM_MX',
      severity: 'info',
      message: {
        en: `Provider recognised from the MX records of ${detection.domain} (${detection.matchedMx}). If the domain already points to the new system, choose the old provider by hand.`,
        zh: `根据 ${detection.domain} 的 MX 记录(${detection.matchedMx})识别服务商。如域名解析已指向新邮箱,请手动选择原服务商。`,
      },
      hints: [],
    });
  }
}
