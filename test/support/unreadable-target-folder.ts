import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyMailServer, MailUser } from '../harness/servers';
import { rawImap } from './raw-imap';

export interface Unreadable {
  /** What the server's refusal of EXAMINE says, for the report's reason. */
  said: RegExp;
  /** Makes the folder readable again. */
  restore(): Promise<void>;
}

/**
 * Makes one folder of `user` one the server still LISTs as selectable but refuses to EXAMINE,
 * each server by its own means:
 * - Dovecot (no ACL plugin in the harness): the folder's directory unreadable to the mail
 *   process: NO [SERVERBUG] Internal error occurred.
 * - Cyrus: the owner takes the 'r' right off the folder (SETACL; the owner keeps l, a and the
 *   other implicit rights): NO Permission denied.
 * - Courier (ACL2=UNION): the same through its "owner" identifier: NO Access denied ... (ACL "r" required).
 */
export async function refuseReading(server: AnyMailServer, user: MailUser, folder: string): Promise<Unreadable> {
  switch (server.kind) {
    case 'dovecot': {
      const dir = join(server.userHome(user.user), 'Maildir', server.separator === '/' ? folder : `.${folder}`);
      chmodSync(dir, 0o000);
      return { said: /Internal error occurred/, restore: async () => chmodSync(dir, 0o700) };
    }
    case 'cyrus':
      await setAcl(server, user, folder, user.user, 'lkxa');
      return { said: /Permission denied/, restore: () => setAcl(server, user, folder, user.user, 'lrswipkxtecdan') };
    case 'courier':
      await setAcl(server, user, folder, 'owner', 'akl');
      return { said: /Access denied/, restore: () => setAcl(server, user, folder, 'owner', 'acdilrsw') };
  }
}

async function setAcl(server: AnyMailServer, user: MailUser, folder: string, who: string, rights: string): Promise<void> {
  const session = await rawImap(server.imapPort, user.user, user.password);
  try {
    const answer = await session.send(`SETACL "${folder}" "${who}" ${rights}`);
    if (!/^R\d+ OK/.test(answer.at(-1) ?? '')) throw new Error(`SETACL ${folder} ${who} ${rights}: ${answer.join(' | ')}`);
  } finally {
    session.close();
  }
}
