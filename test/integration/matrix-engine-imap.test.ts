/**
 * IMAP source x IMAP target over {Dovecot, Cyrus, Courier} (see matrix-engine-support.ts).
 * Every pair copies, and finds everything again with its state lost. What a dropped target
 * connection, a lost APPEND reply and a re-run do depends on the target's APPEND path, not on
 * the source, so those run from the Dovecot source into each kind of target: every server
 * meets every scenario, and the suite stays within the time `npm test` has. Planning in windows
 * also runs from each kind of source into Dovecot (UID FETCH of UID ranges).
 */
import { defineMatrix, IMAP_SCENARIOS, KINDS } from './matrix-engine-support';

defineMatrix(
  KINDS.flatMap((source) =>
    KINDS.map((target) => ({
      source,
      target,
      // Windows of UIDs also from each kind of source (UID FETCH of a range), into Dovecot.
      scenarios: source === 'dovecot' ? IMAP_SCENARIOS : IMAP_SCENARIOS.filter((s) => s === 'copy' || s === 'lost-state' || (s === 'windows' && target === 'dovecot')),
    })),
  ),
);
