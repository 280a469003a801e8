/**
 * The engine's state store key of a service account (AccountJob.stateKey). It changes when
 * the account's mailboxes do: a new target server for the job (StoredJobSpec.targetEpoch), or
 * a closed account imported again towards another target mailbox (`mailboxEpoch`); the old
 * checkpoints would otherwise be resumed in a mailbox that holds none of those copies, and
 * nothing would be copied. Epoch 0 keeps the key accounts always had.
 */
export const engineKey = (accountId: string, targetEpoch = 0, mailboxEpoch = 0): string =>
  `account:${accountId}${mailboxEpoch > 0 ? `:mailbox-${mailboxEpoch}` : ''}${targetEpoch > 0 ? `:target-${targetEpoch}` : ''}`;
