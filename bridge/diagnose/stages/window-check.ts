import { detectRecentWindow } from '../recent-window';
import type { StageContext } from './context';

/** Whether IMAP shows only recent mail (the 30-day download range), or fewer inbox messages than POP3. */
export function checkRecentWindow(ctx: StageContext): void {
  const { report } = ctx;
  const folders = report.fields.folders;
  // What the old mailbox hides from clients is what a migration would miss; the new mailbox's view is not read.
  if (!folders || ctx.protocol !== 'imap' || ctx.side === 'target') return;
  const inbox = folders.find((f) => f.path.toUpperCase() === 'INBOX');
  const pop3 = report.fields.pop3;
  report.warn(
    ...detectRecentWindow({
      now: ctx.now,
      preset: report.preset ?? null,
      folders,
      imapInboxMessages: inbox?.messages ?? null,
      pop3Messages: pop3?.status === 'ok' ? pop3.messages : null,
    }),
  );
}
