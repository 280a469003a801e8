import { mailboxPairText } from '../../shared/csv/same-mailbox';
import { accountKey, type AccountJob } from '../engine/account-job';
import { accountJobId } from './queue-config';

/** An account's two mailboxes, as far as its identity takes them. */
interface Mailboxes {
  source: { host: string; port: number; user: string };
  target: { host: string; port: number; user: string };
}

/**
 * An account's identity in the cluster: its two mailboxes (not the service's checkpoint key), the
 * same however its hosts and logins are written, exactly as one machine's pair lock and the
 * service's scheduler compare them (mailboxPairText: host in any case, the standard mail ports as
 * one, login in any case and one Unicode form). The BullMQ job id is made from it, so two CSV rows,
 * two coordinators or a coordinator and a CLI batch writing one login in other letters get one job
 * and never run the pair on two workers at once (on two machines, no local lock would see it).
 *
 * Not by resolved address: the coordinator, each batch and each worker may resolve a name
 * differently (split DNS, rotation), and a job id must not change with an answer while its job runs.
 */
export function queueIdentity(job: Mailboxes): string {
  return mailboxPairText(job.source, job.target);
}

/** The job id of an account (queue-config.ts accountJobId of its identity). */
export function queueJobId(job: Mailboxes): string {
  return accountJobId(queueIdentity(job));
}

/**
 * The job id an earlier build gave the account: a hash of its mailboxes as written
 * (`user@host:port -> user@host:port`). A pass such a build queued (a coordinator or batch of the
 * earlier version beside this one, or this coordinator before its update, whose pending pass is in
 * queue-inflight.json) is followed under that id rather than queued again beside it.
 */
export function legacyQueueJobId(job: AccountJob): string {
  return accountJobId(accountKey({ ...job, stateKey: undefined }));
}
