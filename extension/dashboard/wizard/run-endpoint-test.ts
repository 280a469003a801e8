import { REQUESTS, type RequestParamsInput } from '../../../shared/protocol';
import { ConnectionReportSchema } from '../../../shared/providers';
import { bridgeRequestRaw, PageRequestError } from '../../lib/page-client';
import type { EndpointTestView } from './wizard-state';

/**
 * endpoint.test through the background. The result is read with the protocol schema; a
 * `report` (the bridge's full diagnosis, shared/providers ConnectionReport) is used when the
 * bridge sends one.
 */
export async function runEndpointTest(params: RequestParamsInput<'endpoint.test'>): Promise<EndpointTestView> {
  const raw = await bridgeRequestRaw('endpoint.test', params);
  const base = REQUESTS['endpoint.test'].result.safeParse(raw);
  if (!base.success) throw new PageRequestError({ code: 'BAD_RESULT', message: 'Unexpected endpoint.test result.' });
  const reportRaw = (raw as { report?: unknown } | null)?.report;
  const report = reportRaw === undefined ? null : ConnectionReportSchema.safeParse(reportRaw);
  return { ...base.data, report: report?.success ? report.data : null };
}
