import type { VerifyAccount, VerifyMessage } from '../../shared/verify';

/** How many entries of each list the human summary shows per folder; --json has them all. */
const FIRST = 5;

function describe(m: VerifyMessage): string {
  const subject = m.subject === null ? '(no subject)' : JSON.stringify(m.subject.length > 60 ? m.subject.slice(0, 57) + '...' : m.subject);
  return `UID ${m.uid} ${subject} ${m.date ?? ''} ${m.size} bytes`.replace(/\s+/g, ' ');
}

function firstFew<T>(items: T[], line: (t: T) => string): string[] {
  const out = items.slice(0, FIRST).map((t) => `      ${line(t)}`);
  if (items.length > FIRST) out.push(`      ... and ${items.length - FIRST} more (--json lists all)`);
  return out;
}

const AMBIGUOUS = ' (ambiguous without the bodies)';

/** The human summary of one account's verify, for stderr. */
export function summarise(a: VerifyAccount): string {
  const t = a.totals;
  const head =
    a.status === 'failed'
      ? `FAILED ${a.source} -> ${a.target}: [${a.error?.code}] ${a.error?.message}`
      : `${a.status === 'verified' ? 'Verified' : 'DIFFERENCES'} ${a.source} -> ${a.target} (${a.depth}): ${t.matched} matched, ${t.missing} missing, ${t.extra} extra, ${t.changed} changed, ${t.skipped} skipped by the migration${t.elsewhere ? `, ${t.elsewhere} in another folder of the target` : ''}`;
  const lines = [head];
  if (a.fixed !== undefined) lines.push(`  --fix copied ${a.fixed} missing message(s); the figures above are the check after the copy`);
  // Before the folders: it qualifies every "missing" below, as one of these may hold the copy.
  for (const u of a.unsearched ?? []) lines.push(`  target folder "${u.folder}" could not be searched for the missing messages (${u.reason}): a copy filed there counts as missing`);
  for (const f of a.folders) {
    const differs = f.missing.length + f.extra.length + f.changed.length + f.skipped.length + f.rewritten.length + f.elsewhere.length > 0 || f.error;
    if (!differs) continue;
    lines.push(`  ${f.source} -> ${f.target}: ${f.sourceCount} on the source, ${f.targetCount} on the target, ${f.matched} matched${f.error ? ` [${f.error.code}] ${f.error.message}` : ''}`);
    if (f.missing.length) lines.push(`    missing on the target (source UIDs): ${f.missing.length}`, ...firstFew(f.missing, describe));
    if (f.extra.length) lines.push(`    extra on the target (target UIDs): ${f.extra.length}`, ...firstFew(f.extra, describe));
    if (f.changed.length) lines.push(`    changed: ${f.changed.length}`, ...firstFew(f.changed, (c) => `source UID ${c.uid} -> target UID ${c.targetUid}: ${c.what.join(', ')}${c.ambiguous ? AMBIGUOUS : ''}`));
    const guesses = f.changed.filter((c) => c.ambiguous).length;
    if (guesses) lines.push(`    ${guesses} of these share their Date/From/Subject/size with other messages without a Message-ID: without the bodies, which copy is whose is a guess, and each may instead be one message missing and another doubled; verify --deep tells them apart`);
    if (f.skipped.length) lines.push(`    skipped by the migration: ${f.skipped.length}`, ...firstFew(f.skipped, (s) => `${describe(s)}: ${s.reason}`));
    if (f.elsewhere.length) lines.push(`    in another folder of the target (filed there since; not missing): ${f.elsewhere.length}`, ...firstFew(f.elsewhere, (m) => `${describe(m)} -> ${m.targetFolder} UID ${m.targetUid}`));
    if (f.rewritten.length) lines.push(`    stored with a server's known rewriting (not a difference): ${f.rewritten.length}`, ...firstFew(f.rewritten, (r) => `source UID ${r.uid} -> target UID ${r.targetUid}: ${r.what}`));
  }
  return lines.join('\n');
}
