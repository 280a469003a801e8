/**
 * Provider auto-detection that needs no network: consumer mail domains (qq.com, 163.com …) and
 * known server host names. Enterprise domains need an MX lookup, which only the bridge can do:
 * detectByMx asks it (provider.detect).
 */
import { emailDomain, findPreset, presetForDomain, presetForServerHost, type ProviderPreset } from '../../../shared/providers';
import { bridgeRequest } from '../../lib/page-client';

export type Detection = { preset: ProviderPreset; via: 'domain' | 'host' } | { preset: null; via: null };

/** The bridge's detection (consumer domain or the domain's MX records); null when unknown or the bridge is away. */
export async function detectByMx(address: string): Promise<ProviderPreset | null> {
  if (!emailDomain(address)) return null;
  try {
    const { detection } = await bridgeRequest('provider.detect', { address });
    return detection.presetId ? (findPreset(detection.presetId) ?? null) : null;
  } catch {
    return null;
  }
}

export function detectProvider(address: string, host: string): Detection {
  const domain = emailDomain(address);
  const byDomain = domain ? presetForDomain(domain) : undefined;
  if (byDomain) return { preset: byDomain, via: 'domain' };
  const byHost = host.trim() ? presetForServerHost(host)?.preset : undefined;
  if (byHost) return { preset: byHost, via: 'host' };
  return { preset: null, via: null };
}
