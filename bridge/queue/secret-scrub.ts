import type { Auth } from '../engine/endpoint';

/** The secret strings of a login, to keep them out of anything written to Redis or a log. */
export function secretsOf(...auths: Auth[]): string[] {
  const out: string[] = [];
  for (const a of auths) {
    if (a.kind === 'oauth2') out.push(a.accessToken);
    else out.push(a.password);
  }
  // Very short secrets would blank out ordinary words; they are still never written on purpose.
  return out.filter((s) => s.length >= 4);
}

/** Replaces every occurrence of a secret in `text` (the engine never puts one there; this makes sure). */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/**
 * scrub over every string of a JSON value, leaving its numbers and keys: over the JSON text, a
 * password of digits that also occurs in a count cut the number and the text no longer parsed.
 */
export function scrubStrings<T>(value: T, secrets: string[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(JSON.parse(JSON.stringify(value))) as T;
}
