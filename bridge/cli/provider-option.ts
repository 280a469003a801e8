import { z } from 'zod';
import { findProvider } from '../../shared/folders/localized-names';
import { findPreset } from '../../shared/providers/match';
import { PROVIDER_PRESETS } from '../../shared/providers/presets';

const KNOWN = PROVIDER_PRESETS.map((p) => p.id).join(', ');

/** What a provider option says of a name it does not know, with the ones it does (migrate and test-connection alike). */
export function unknownProviderText(name: string): string {
  return `unknown provider "${name}"; known: ${KNOWN}`;
}

/**
 * --provider / --target-provider: a preset's id or alias, or a folder-names provider id,
 * any case. A typo must not pass silently: a mistyped --target-provider aliyun turned off
 * the replacement of the folder-name characters Alibaba Mail refuses.
 */
function providerOption(canonical: (name: string) => string | undefined) {
  return z
    .string()
    .transform((name, ctx) => {
      const id = canonical(name);
      if (id === undefined) ctx.addIssue({ code: 'custom', message: unknownProviderText(name) });
      return id ?? name;
    });
}

/** The source's provider, as the folder-name tables know it (providerHint). */
export const SourceProviderOptionSchema = providerOption((name) => findProvider(name)?.id ?? (findPreset(name) ? findProvider(findPreset(name)!.provider)?.id : undefined));

/** The target's provider, as its preset's id (target-rules.ts keys its refused characters by it). */
export const TargetProviderOptionSchema = providerOption((name) => findPreset(name)?.id);
