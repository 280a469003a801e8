/**
 * The last line of defence for logs: every password the bridge holds in memory
 * is registered here, and every log line is scrubbed of them before it is
 * written. Structured redaction (pino `redact`) catches known keys; this
 * catches a password that slipped into a message string (a server echoing a
 * login, an error wrapping a URL…).
 */
export const REDACTED = '[REDACTED]';

export class SecretScrubber {
  private readonly secrets = new Set<string>();

  /** Very short secrets would blank out ordinary words; they are not worth the noise. */
  add(secret: string | undefined | null): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  delete(secret: string | undefined | null): void {
    if (secret) this.secrets.delete(secret);
  }

  get size(): number {
    return this.secrets.size;
  }

  scrub(text: string): string {
    if (this.secrets.size === 0) return text;
    let out = text;
    for (const s of this.secrets) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
      // The same secret as it appears inside a JSON string (quotes and backslashes escaped).
      const json = JSON.stringify(s).slice(1, -1);
      if (json !== s && out.includes(json)) out = out.split(json).join(REDACTED);
    }
    return out;
  }
}
