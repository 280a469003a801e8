/**
 * POP3 source x IMAP target over {Dovecot, Cyrus, Courier}: copy and lost state (see
 * matrix-engine-support.ts).
 */
import { defineMatrix, KINDS, POP3_SCENARIOS } from './matrix-engine-support';

defineMatrix(KINDS.flatMap((source) => KINDS.map((target) => ({ source, target, scenarios: POP3_SCENARIOS }))));
