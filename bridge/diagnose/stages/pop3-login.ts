import { matchResponse } from '../../../shared/providers';
import { Pop3CheckError, pop3InboxStat } from '../pop3-inbox-stat';
import type { StageContext } from './context';

/** A POP3 source: login and STAT are the whole test (POP3 has no folders, dates or quota). */
export async function loginPop3(ctx: StageContext): Promise<void> {
  const { endpoint, account, report } = ctx;
  if (endpoint.auth.kind === 'oauth2') return;
  const t = performance.now();
  try {
    const st = await pop3InboxStat(endpoint, ctx.timeoutMs, ctx.side);
    report.fields.authenticated = true;
    report.step('auth', 'ok', performance.now() - t, account);
    report.fields.folders = [
      { path: 'INBOX', delimiter: null, specialUse: null, flags: [], selectable: true, messages: st.messages, size: st.octets, uidValidity: null, uidNext: null, oldest: null, newest: null, skipped: false, error: null },
    ];
    report.fields.totals = { folders: 1, messages: st.messages, size: st.octets, oldest: null, newest: null };
    report.step('folders', 'ok', null, `POP3 STAT: ${st.messages} messages, ${st.octets} octets (POP3 shows the inbox only)`);
    report.fields.quota = { available: false, reason: 'not-advertised', detail: 'POP3 has no quota command' };
  } catch (err) {
    const e = err instanceof Pop3CheckError ? err : new Pop3CheckError('INTERNAL', (err as Error).message);
    const known = matchResponse(report.preset, e.serverText);
    const atLogin = e.code === 'AUTH_FAILED' || e.code === 'THROTTLED' || e.code === 'IMAP_DISABLED';
    report.fail(known?.code ?? e.code, known ? `${e.message} ${known.meaning.en}` : e.message, atLogin ? 'auth' : 'greeting', e.serverText, known?.pitfalls ?? []);
  }
}
