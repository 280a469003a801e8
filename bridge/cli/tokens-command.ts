import { openServiceDb } from '../service/db';
import { TokenStore } from '../service/tokens';
import { missingStateStore } from './pair-command';

/** What `tokens revoke` revokes: one token by its id, or every one (--all, never an id). */
export type RevokeTarget = { id: string } | { all: true };

/** `mailmover-bridge tokens list|revoke`: the tokens pairing handed out. Revoking one closes its connections within seconds. */
export function runTokens(stateDir: string, action: 'list' | 'revoke', target: RevokeTarget | undefined, out: (line: string) => void, json = false): number {
  // A usage error comes first: it is the same whatever the state dir holds.
  if (action === 'revoke' && !target) {
    process.stderr.write('mailmover-bridge tokens revoke: give a token id (see `tokens list`) or --all\n');
    return 2;
  }
  const missing = missingStateStore(stateDir);
  if (missing) {
    process.stderr.write(`mailmover-bridge tokens ${action}: ${missing}\n`);
    return 1;
  }
  const db = openServiceDb(stateDir);
  try {
    const tokens = new TokenStore(db);
    if (action === 'list') {
      const list = tokens.list();
      if (json) {
        out(JSON.stringify({ tokens: list }, null, 2));
        return 0;
      }
      if (list.length === 0) out('No tokens: no extension has paired with this bridge yet.');
      for (const t of list) {
        const state = t.revokedAt ? `revoked ${t.revokedAt}` : 'active';
        out(`${t.id}  ${state}  ${t.origin}  created ${t.createdAt}  last used ${t.lastUsedAt ?? 'never'}${t.label ? `  "${t.label}"` : ''}`);
      }
      return 0;
    }
    if (!target) return 2; // checked above; narrows the type
    if ('all' in target) {
      out(`Revoked ${tokens.revokeAll()} token(s). Their connections are closed within a few seconds; pair again to reconnect.`);
      return 0;
    }
    const n = tokens.revoke(target.id);
    if (n === 0) {
      // The word itself typed as an id: point to the flag that does what was probably meant.
      const hint = target.id === 'all' ? ' (to revoke every token, use --all)' : '';
      process.stderr.write(`mailmover-bridge tokens revoke: no active token ${target.id}${hint}\n`);
      return 1;
    }
    out(`Revoked ${n} token(s). Their connections are closed within a few seconds; pair again to reconnect.`);
    return 0;
  } finally {
    db.close();
  }
}
