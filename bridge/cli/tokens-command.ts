import { openServiceDb } from '../service/db';
import { TokenStore } from '../service/tokens';

/** `mailmover-bridge tokens list|revoke`: the tokens pairing handed out. Revoking one closes its connections within seconds. */
export function runTokens(stateDir: string, action: 'list' | 'revoke', arg: string | undefined, out: (line: string) => void, json = false): number {
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
    if (!arg) {
      process.stderr.write('mailmover-bridge tokens revoke: give a token id (see `tokens list`) or --all\n');
      return 2;
    }
    const n = tokens.revoke(arg);
    if (n === 0 && arg !== 'all') {
      process.stderr.write(`mailmover-bridge tokens revoke: no active token ${arg}\n`);
      return 1;
    }
    out(`Revoked ${n} token(s). Their connections are closed within a few seconds; pair again to reconnect.`);
    return 0;
  } finally {
    db.close();
  }
}
