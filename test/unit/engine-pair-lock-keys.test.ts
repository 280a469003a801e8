/**
 * The texts a run's pair lock is taken on (bridge/engine/pair-lock-keys.ts): the pair as named and
 * the pair at every combination of its servers' addresses. Two names of one server meet on an
 * address text; a name that does not resolve, or not in time, leaves the name text alone.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mailboxPairText } from '../../shared/csv/same-mailbox';
import { addressPairText, MAX_ADDRESSES_PER_SIDE, pairLockKeys, RESOLVE_WAIT_MS } from '../../bridge/engine/pair-lock-keys';

const side = (host: string, user: string, port = 993) => ({ host, port, user });
const table = (t: Record<string, string[]>) => async (host: string) => t[host.toLowerCase()] ?? Promise.reject(new Error('ENOTFOUND'));
const common = (a: string[], b: string[]) => a.filter((k) => b.includes(k));

afterEach(() => {
  vi.useRealTimers();
});

describe('pairLockKeys', () => {
  it('localhost and 127.0.0.1 (resolved for real): different name texts, one address text in common', async () => {
    const a = await pairLockKeys(side('localhost', 'alice@old.example'), side('localhost', 'bob@new.example'));
    const b = await pairLockKeys(side('127.0.0.1', 'ALICE@old.example', 143), side('127.0.0.1', 'bob@new.example'));
    expect(a[0]).toBe(mailboxPairText(side('localhost', 'alice@old.example'), side('localhost', 'bob@new.example')));
    expect(a[0]).not.toBe(b[0]);
    expect(common(a, b)).toEqual([addressPairText(side('127.0.0.1', 'alice@old.example'), side('127.0.0.1', 'bob@new.example'))]);
  });

  it('names whose address sets differ but share one address on each side meet (a set text would not)', async () => {
    const resolve = table({ 'imap.corp': ['10.0.0.1', '10.0.0.2'], 'mail.corp': ['2001:db8::1', '10.0.0.2'], 'new.corp': ['10.1.0.1'] });
    const a = await pairLockKeys(side('imap.corp', 'alice'), side('new.corp', 'alice'), resolve);
    const b = await pairLockKeys(side('mail.corp', 'alice'), side('new.corp', 'alice'), resolve);
    expect(a).toHaveLength(1 + 2);
    expect(b).toHaveLength(1 + 2);
    expect(common(a, b)).toEqual([addressPairText(side('10.0.0.2', 'alice'), side('10.1.0.1', 'alice'))]);
    // Another login on the target, or a target server of another address, is another pair.
    const otherLogin = await pairLockKeys(side('mail.corp', 'alice'), side('new.corp', 'archive'), resolve);
    expect(common(a, otherLogin)).toEqual([]);
    const otherPort = await pairLockKeys(side('mail.corp', 'alice'), side('new.corp', 'alice', 10143), resolve);
    expect(common(a, otherPort)).toEqual([]);
  });

  it('an address text is never a name text, so a run naming its servers by address does not lock one file twice', async () => {
    const keys = await pairLockKeys(side('127.0.0.1', 'alice'), side('127.0.0.1', 'bob'));
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
  });

  it('a name that does not resolve leaves the name text alone (the run goes on)', async () => {
    const resolve = table({ 'new.corp': ['10.1.0.1'] });
    expect(await pairLockKeys(side('gone.corp', 'alice'), side('new.corp', 'alice'), resolve)).toEqual([mailboxPairText(side('gone.corp', 'alice'), side('new.corp', 'alice'))]);
  });

  it('a resolver that does not answer holds the lock back RESOLVE_WAIT_MS at most, then the name text alone', async () => {
    vi.useFakeTimers();
    const keys = pairLockKeys(side('slow.corp', 'alice'), side('slow.corp', 'bob'), () => new Promise<string[]>(() => undefined));
    let settled = false;
    void keys.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(RESOLVE_WAIT_MS - 100);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(await keys).toEqual([mailboxPairText(side('slow.corp', 'alice'), side('slow.corp', 'bob'))]);
  });

  it('a dual-stack provider: IPv4 addresses first, at most MAX_ADDRESSES_PER_SIDE a side, so two names sharing its IPv4 meet', async () => {
    const v6 = ['2001:db8::1', '2001:db8::2', '2001:db8::3', '2001:db8::4', '2001:db8::5'];
    const resolve = table({ 'outlook.corp': [...v6, '40.0.0.9', '40.0.0.10'], 'imap.outlook.corp': ['40.0.0.9', ...v6], 'new.corp': ['10.1.0.1'] });
    const a = await pairLockKeys(side('outlook.corp', 'alice'), side('new.corp', 'alice'), resolve);
    const b = await pairLockKeys(side('imap.outlook.corp', 'alice'), side('new.corp', 'alice'), resolve);
    // Sorted as text, the IPv6 addresses ('2…') came first and filled the cap before the shared IPv4 one.
    expect(common(a, b)).toContainEqual(addressPairText(side('40.0.0.9', 'alice'), side('10.1.0.1', 'alice')));
    expect(a).toHaveLength(1 + MAX_ADDRESSES_PER_SIDE);
    expect(MAX_ADDRESSES_PER_SIDE).toBeLessThanOrEqual(4);
  });
});
