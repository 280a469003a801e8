import type { AccountRecord } from './accounts-repo';
import type { JobRecord } from './jobs-repo';
import { mailboxPairText } from '../../shared/csv/same-mailbox';
import { sourceServerOf } from './secret-binding';

/**
 * The mailbox pair an account copies between, as one text: the source server and login, the
 * target server and login. Two accounts with the same key (in two jobs: the wizard run again
 * while the first job still syncs) have separate engine states (engine-key.ts), so only the
 * target survey keeps one from copying what the other copied; run at the same time, both
 * survey before either APPENDs and every message arrives twice. The scheduler runs the passes
 * of one key one after another (Candidate.exclusiveKey); across processes (a CLI run of the same
 * pair, a second bridge) the engine's lock on the same text refuses the later one (pair-lock.ts).
 *
 * Hosts and logins compare as the same-mailbox check of an import does (shared/csv/same-mailbox.ts:
 * host case-insensitive with the port, login case-insensitive in one Unicode form): a login
 * written in other letters is the same mailbox to the server.
 *
 * Not by address: two accounts naming one server two ways (`localhost` and `127.0.0.1`, two names
 * of one provider) get two keys here and may both start; the engine's lock also holds the pair at
 * its servers' addresses (pair-lock-keys.ts), so the later one is refused as ALREADY_RUNNING before
 * any login and asked again in a few minutes without counting as a failure (run-outcome.ts). The
 * scheduler's key stays a plain text: it is computed for every candidate at every look for work,
 * where a DNS lookup has no place, and a key that changed with the resolver's answer would let two
 * passes of one account run at once when the answer changes under a running pass.
 *
 * Not the target alone: two sources into one target (a merge, or unified storage with each
 * source under its own folder) plan different source messages, so their passes do not double
 * each other (a message held by both sources may then arrive once per source instead of once:
 * nothing is lost, and it was in two mailboxes); serialising them would make a unified job of
 * hundreds of mailboxes into one archive run one account at a time.
 */
export function mailboxPairKey(job: JobRecord, account: AccountRecord): string {
  const source = sourceServerOf(job, account);
  const target = job.spec.target;
  return mailboxPairText({ host: source.host, port: source.port, user: account.source }, { host: target.host, port: target.port, user: account.target });
}
