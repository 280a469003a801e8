/**
 * IMAP source x IMAP target over {Dovecot, Cyrus, Courier}: copy, re-run, lost state, dropped target
 * connections, lost APPEND replies (see matrix-engine-support.ts).
 */
import { defineMatrix, IMAP_SCENARIOS, KINDS } from './matrix-engine-support';

defineMatrix(KINDS.flatMap((source) => KINDS.map((target) => ({ source, target, scenarios: IMAP_SCENARIOS }))));
