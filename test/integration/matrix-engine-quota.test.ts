/**
 * Engine matrix, "quota" case (issue 11): the target mailbox has a storage quota smaller than the
 * source mailbox, on a Cyrus and on a Courier target (source: Dovecot).
 *
 * Expected: the run fails the account with QUOTA_EXCEEDED naming the target (the refusal is not a
 * skip and the run is not "done"); what was stored before the quota ran out stays recorded, so that a
 * re-run with the same state store, after the quota was raised, copies the rest exactly once.
 *
 * How the quota is set:
 * - Cyrus: SETQUOTA over IMAP as a Cyrus admin (`admins: admin` added to imapd.conf; the harness's
 *   master user is otherwise only a proxy-authorization user). Root `user.<name>@<domain>` ('.' config,
 *   virtdomains: userid), STORAGE in KB.
 * - Courier: Maildir++ quota, `maildirmake -q <bytes>S` on the user's Maildir inside the chroot
 *   (writes maildirsize, which imapd reads on APPEND when MAILDIRQUOTA is not set); raised by
 *   removing maildirsize and installing a bigger one (Courier recounts the Maildir).
 *
 * What the servers answer to an APPEND over quota: Cyrus 3.6 `NO Over quota` (no [OVERQUOTA] code),
 * Courier 5.0 `NO [ALERT] You exceeded your mail quota.`; both are recognised by their text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { chownSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { migrate } from '../../bridge/engine/migrate';
import type { AccountResult } from '../../shared/migration';
import { readFolder, seedFolder, type MailboxMessage } from '../harness/mailbox';
import { chrootUser, run, type MailUser } from '../harness/server-common';
import { MATRIX, startConfig, startMailServer, type AnyMailServer, type CourierServer, type CyrusServer } from '../harness/servers';
import { INSTANCE_DIR } from '../harness/chroot';
import { bulkMessages } from '../support/corpus';
import { job, tempStore } from '../support/engine-fixtures';
import { imapEndpoint, munge8bitHeader } from './matrix-engine-support';

const alice: MailUser = { user: 'alice@old.example.com', password: 'Quota-src-pw-5Tr' };
const bob: MailUser = { user: 'bob@new.example.com', password: 'Quota-tgt-pw-9Wm' };
const cyrusAdmin: MailUser = { user: 'admin', password: 'Quota-admin-pw-3Hc' };

/**
 * 40 messages: 10 of ~3.3 KB (the first chunk), one small one (~0.5 KB) opening the second chunk, then
 * 29 more of ~3.3 KB. The quota (quotaBytes) takes the first chunk, the small message, the next big
 * one and room for the small one once more, but not the big one after: the refusal comes in the middle
 * of a chunk, after messages of that chunk were stored. One connection (concurrency 1), so the order
 * and the point of refusal are the same on every run.
 */
const SOURCE = [
  ...bulkMessages(10, 531, { prefix: 'q', minBody: 3000, maxBody: 3200 }),
  ...bulkMessages(1, 532, { prefix: 's', minBody: 200, maxBody: 300 }),
  ...bulkMessages(29, 533, { prefix: 'r', minBody: 3000, maxBody: 3200 }),
];
const CHUNK = 10;

type QuotaKind = 'cyrus' | 'courier';
/**
 * Courier has no MULTIAPPEND: each message goes in an APPEND of its own, so a refusal in the middle
 * of a chunk must not make the engine send again what the target already stored (it did, and
 * stored message 10 twice, until appendGroups made every message a group of its own there).
 */
const QUOTA_KINDS: readonly QuotaKind[] = ['cyrus', 'courier'];
const HIGH_KB = 100_000;
/** first chunk + small + next big + small again + 512 bytes of slack, rounded up to a KB */
function quotaKb(raw: Buffer[]): number {
  const size = (i: number): number => raw[i]!.length;
  let bytes = 0;
  for (let i = 0; i < CHUNK; i++) bytes += size(i);
  bytes += 2 * size(CHUNK) + size(CHUNK + 1) + 512;
  return Math.ceil(bytes / 1024);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Sends IMAP commands one by one on a plain connection; resolves every tagged answer, rejects on NO/BAD. */
async function imapCommands(server: AnyMailServer, commands: string[]): Promise<string[]> {
  const sock = connect(server.imapPort, server.host);
  sock.setEncoding('latin1');
  let buf = '';
  let waiter: (() => void) | undefined;
  sock.on('data', (d: string) => {
    buf += d;
    waiter?.();
  });
  const until = (re: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} from ${server.kind}: ${buf}`)), 10_000);
      const check = (): void => {
        const m = re.exec(buf);
        if (!m) return;
        clearTimeout(timer);
        const out = buf.slice(0, m.index + m[0].length);
        buf = buf.slice(m.index + m[0].length);
        waiter = undefined;
        resolve(out);
      };
      waiter = check;
      check();
    });
  try {
    await until(/^\* OK.*\r\n/m);
    const answers: string[] = [];
    for (const [i, cmd] of commands.entries()) {
      sock.write(`q${i} ${cmd}\r\n`);
      const answer = await until(new RegExp(`^q${i} (OK|NO|BAD).*\\r\\n`, 'm'));
      if (!new RegExp(`^q${i} OK`, 'm').test(answer)) throw new Error(`${server.kind}: "${cmd.replace(/^LOGIN .*/, 'LOGIN ...')}" answered ${answer}`);
      answers.push(answer);
    }
    return answers;
  } finally {
    sock.destroy();
  }
}

function cyrusQuotaRoot(user: string): string {
  const at = user.lastIndexOf('@');
  return `user.${user.slice(0, at)}${user.slice(at)}`;
}

async function setQuota(server: AnyMailServer, user: MailUser, kb: number): Promise<void> {
  if (server.kind === 'cyrus') {
    await imapCommands(server, [`LOGIN ${cyrusAdmin.user} "${cyrusAdmin.password}"`, `SETQUOTA ${cyrusQuotaRoot(user.user)} (STORAGE ${kb})`, 'LOGOUT']);
  } else if (server.kind === 'courier') {
    const c = server as CourierServer;
    rmSync(join(c.maildir(user.user), 'maildirsize'), { force: true });
    await run('chroot', [c.root, 'maildirmake', '-q', `${kb * 1024}S`, `${INSTANCE_DIR}/home/${user.user}/Maildir`]);
    const mail = chrootUser(c.root, 'mail');
    chownSync(join(c.maildir(user.user), 'maildirsize'), mail.uid, mail.gid);
  } else {
    throw new Error(`setQuota: not for ${server.kind}`);
  }
}

function summary(r: AccountResult): string {
  return JSON.stringify({ status: r.status, error: r.error, copied: r.messagesCopied, skipped: r.messagesSkipped, already: r.messagesAlreadyPresent, skippedList: r.skipped.slice(0, 5), warnings: r.warnings.map((w) => w.code) });
}

describe('engine matrix: quota on the target', () => {
  let src: AnyMailServer;
  const targets: Partial<Record<QuotaKind, AnyMailServer>> = {};
  let sourceRaw: MailboxMessage[];
  const stores: Array<ReturnType<typeof tempStore>> = [];

  beforeAll(async () => {
    const cyrusConfig = MATRIX.find((m) => m.kind === 'cyrus')!;
    const start = (kind: QuotaKind): Promise<AnyMailServer> =>
      kind === 'cyrus'
        ? (startMailServer('cyrus', {
            name: 'mxq-tgt-cyrus',
            users: [bob],
            master: cyrusAdmin,
            ...(cyrusConfig.separator ? { separator: cyrusConfig.separator } : {}),
            ...(cyrusConfig.specialUse !== undefined ? { specialUse: cyrusConfig.specialUse } : {}),
            cyrusExtraConfig: `admins: ${cyrusAdmin.user}`,
          }) as Promise<CyrusServer>)
        : startConfig(MATRIX.find((m) => m.kind === kind)!, { name: `mxq-tgt-${kind}`, users: [bob] });
    const [s, ...tg] = await Promise.all([startConfig(MATRIX.find((m) => m.kind === 'dovecot')!, { name: 'mxq-src', users: [alice] }), ...QUOTA_KINDS.map(start)]);
    src = s!;
    QUOTA_KINDS.forEach((k, i) => (targets[k] = tg[i]));
    await seedFolder(src, alice, 'INBOX', SOURCE);
    sourceRaw = await readFolder(src, alice, 'INBOX', { withRaw: true });
  }, 60_000);

  afterAll(async () => {
    for (const s of stores) s.cleanup();
    await Promise.all([src?.stop(), ...Object.values(targets).map((t) => t?.stop())]);
  });

  for (const kind of QUOTA_KINDS) {
    it(`dovecot -> ${kind}: over quota fails the account (QUOTA_EXCEEDED, nothing skipped); after raising it the rest arrives once`, async () => {
      const tgt = targets[kind]!;
      const total = sourceRaw.length;
      const sourceBytes = sourceRaw.reduce((n, m) => n + m.raw!.length, 0);
      expect(total).toBe(SOURCE.length);
      const lowKb = quotaKb(sourceRaw.map((m) => m.raw!));
      expect(sourceBytes, 'the source must not fit in the low quota').toBeGreaterThan(lowKb * 1024 * 2);
      await setQuota(tgt, bob, lowKb);

      const st = tempStore();
      stores.push(st);
      const opts = { chunkMessages: CHUNK, concurrency: 1, maxAttempts: 2 };
      const r1 = await migrate(job(imapEndpoint(src, alice), imapEndpoint(tgt, bob), opts), st.store);
      const before = await readFolder(tgt, bob, 'INBOX');
      const index = new Map(sourceRaw.map((m, i) => [sha(tgt.rewrites8bitHeaders ? munge8bitHeader(m.raw!) : m.raw!), i]));
      const which = (msgs: MailboxMessage[]): string => `source messages on the target: ${msgs.map((m) => index.get(m.sha256) ?? '?').join(',')}`;
      expect(r1.status, summary(r1)).toBe('failed');
      expect(r1.error?.code, summary(r1)).toBe('QUOTA_EXCEEDED');
      expect(r1.error?.message, summary(r1)).toMatch(/target/);
      expect(r1.messagesSkipped, summary(r1)).toBe(0);
      expect(before.length, summary(r1)).toBeGreaterThan(0);
      expect(before.length, summary(r1)).toBeLessThan(total);
      // nothing stored twice in the failed run either
      expect(new Set(before.map((m) => m.sha256)).size, `duplicates on the target after run 1 (${which(before)}): ${summary(r1)}`).toBe(before.length);
      // every message the target accepted before the refusal is recorded as copied, not left for a fingerprint match
      expect(r1.messagesCopied, summary(r1)).toBe(before.length);

      await setQuota(tgt, bob, HIGH_KB);
      const r2 = await migrate(job(imapEndpoint(src, alice), imapEndpoint(tgt, bob), opts), st.store);
      expect(r2.status, summary(r2)).toBe('done');
      expect(r2.messagesSkipped, summary(r2)).toBe(0);
      expect(r2.messagesCopied, summary(r2)).toBe(total - before.length);
      const after = await readFolder(tgt, bob, 'INBOX');
      const expected = sourceRaw.map((m) => `${sha(tgt.rewrites8bitHeaders ? munge8bitHeader(m.raw!) : m.raw!)} ${m.flags.join(',')} ${m.internalDate.getTime()}`).sort();
      expect(after.map((m) => `${m.sha256} ${m.flags.join(',')} ${m.internalDate.getTime()}`).sort(), `${which(after)}; run 1 ${which(before)}; ${summary(r2)}`).toEqual(expected);
      console.log(
        `matrix | dovecot -> ${kind} | quota | source ${total} | target ${after.length} (${before.length} before the quota was raised) | quota ${lowKb} KB -> ${HIGH_KB} KB | run 1 ${r1.status} ${r1.error?.code} copied ${r1.messagesCopied} skipped ${r1.messagesSkipped} | run 2 copied ${r2.messagesCopied} already ${r2.messagesAlreadyPresent} skipped ${r2.messagesSkipped} | ${r1.error?.message ?? ''}`,
      );
    }, 30_000);
  }
});
