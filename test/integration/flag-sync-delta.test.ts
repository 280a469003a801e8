/**
 * The rules of carrying flag changes (bridge/engine/flag-delta.ts, carriedFlags), without a
 * server: which flags travel, the three-way delta, keywords a target folder does not keep,
 * and how STOREs are grouped. The servers' side is in flag-sync.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { acceptedBy, flagDelta, groupStores, parseSyncedFlags, serializeSyncedFlags, storeFor } from '../../bridge/engine/flag-delta';
import { carriedFlags } from '../../bridge/engine/flags';

describe('carried flags', () => {
  it('system flags a user sets and keywords; never \\Deleted or \\Recent; each once, sorted, system flags spelled as usual', () => {
    expect(carriedFlags(['\\seen', '\\Deleted', '\\Recent', '$Work', '\\FLAGGED', '\\Answered', '\\Draft', 'NonJunk', '$work', '\\Custom', 'bad"kw'])).toEqual(['$Work', 'NonJunk', '\\Answered', '\\Draft', '\\Flagged', '\\Seen']);
  });

  it('synced flags round-trip through the state store; anything else is no baseline', () => {
    expect(parseSyncedFlags(serializeSyncedFlags(['\\Seen', '\\Deleted', '$A']))).toEqual(['$A', '\\Seen']);
    expect(parseSyncedFlags(null)).toBeNull();
    expect(parseSyncedFlags('not json')).toBeNull();
    expect(parseSyncedFlags('{"flags":[]}')).toBeNull();
    expect(parseSyncedFlags('[]')).toEqual([]);
  });
});

describe('three-way delta', () => {
  it('what the source added and removed since the last sync, names compared without case', () => {
    expect(flagDelta(['\\Flagged', '$A'], ['\\Seen', '$a'])).toEqual({ added: ['\\Seen'], removed: ['\\Flagged'] });
  });

  it('the copy gets only what it lacks, loses only what it has: the target user\'s own changes stay', () => {
    const delta = { added: ['\\Seen', '$Project'], removed: ['\\Flagged', '\\Answered'] };
    // The copy already has \Seen (read on the new system too); its \Flagged was removed there already.
    expect(storeFor(delta, ['\\Seen', '\\Answered', '\\Draft'], () => true)).toEqual({ added: ['$Project'], removed: ['\\Answered'] });
  });

  it('keywords only where the target folder keeps them (PERMANENTFLAGS); system flags always', () => {
    const delta = { added: ['\\Seen', '$Project', '$Kept'], removed: ['$Gone'] };
    expect(storeFor(delta, ['$Gone'], acceptedBy(new Set(['\\Seen', '\\Flagged', '$Kept'])))).toEqual({ added: ['\\Seen', '$Kept'], removed: ['$Gone'] });
    expect(storeFor(delta, [], acceptedBy(new Set(['\\Seen', '\\*'])))).toEqual({ added: ['\\Seen', '$Project', '$Kept'], removed: [] });
    // No PERMANENTFLAGS at all: every flag is kept (RFC 3501 7.1).
    expect(storeFor(delta, [], acceptedBy(undefined)).added).toEqual(['\\Seen', '$Project', '$Kept']);
  });
});

describe('STORE groups', () => {
  it('one UID STORE per distinct set of flags added, one per distinct set removed', () => {
    const groups = groupStores([
      { targetUid: 9, store: { added: ['\\Seen'], removed: [] } },
      { targetUid: 3, store: { added: ['\\Seen'], removed: ['\\Flagged'] } },
      { targetUid: 4, store: { added: [], removed: ['\\Flagged'] } },
      { targetUid: 5, store: { added: ['\\Seen', '$A'], removed: [] } },
    ]);
    expect(groups).toEqual([
      { operation: '+FLAGS.SILENT', flags: ['\\Seen'], uids: [3, 9] },
      { operation: '-FLAGS.SILENT', flags: ['\\Flagged'], uids: [3, 4] },
      { operation: '+FLAGS.SILENT', flags: ['$A', '\\Seen'], uids: [5] },
    ]);
  });
});
