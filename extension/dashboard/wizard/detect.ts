/**
 * Provider auto-detection that needs no network: consumer mail domains (qq.com, 163.com …) and
 * known server host names. Enterprise domains need an MX lookup, which only the bridge can do
 * (protocol gap: no provider.detect request yet).
 */
import { emailDomain, presetForDomain, presetForServerHost, type ProviderPreset } from '../../../shared/providers';

export type Detection = { preset: ProviderPreset; via: 'domain' | 'host' } | { preset: null; via: null };

export function detectProvider(address: string, host: string): Detection {
  const domain = emailDomain(address);
  const byDomain = domain ? presetForDomain(domain) : undefined;
  if (byDomain) return { preset: byDomain, via: 'domain' };
  const byHost = host.trim() ? presetForServerHost(host)?.preset : undefined;
  if (byHost) return { preset: byHost, via: 'host' };
  return { preset: null, via: null };
}
