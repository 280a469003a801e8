import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type BenchOutput } from '../../bench/run';
import type { RunRecord } from '../../bench/scenarios';
import { compareSnapshots, type MessageIdentity, type Snapshot } from '../../bench/verify';

/**
 * The bench's small variant (`--quick`: 300 messages, every scenario, every tool that is
 * installed) so that `npm run bench` cannot rot. Correctness only, no timing assertions:
 * mailmover and dsync must be exact; mbsync adds an X-TUID header to each message it copies
 * (and drops keywords), and the bench must report that rather than hide it.
 */
describe('bench (quick variant)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailmover-bench-smoke-'));
  let out: BenchOutput;
  const lines: string[] = [];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const runsOf = (tool: string, scenario?: string): RunRecord[] => out.result.runs.filter((r) => r.tool === tool && (!scenario || r.scenario === scenario));

  it('runs every scenario and tool and writes the table and the JSON', async () => {
    let markdown = '';
    out = await main({ quick: true, jsonOut: join(dir, 'latest.json') }, { log: (l) => lines.push(l), out: (t) => (markdown += t) });
    expect(markdown).toBe(out.markdown + '\n');
    expect(out.markdown).toContain('| tool | wall s | msg/s | MB/s | peak RSS MB | CPU s |');
    expect(out.markdown).toContain('### mailmover scenarios');
    expect(out.markdown).toMatch(/mailmover\/dsync = \*\*\d+\.\d\d\*\*/);
    const json = JSON.parse(readFileSync(out.jsonPath, 'utf8')) as { runs: RunRecord[]; machine: { nproc: number; cpuModel: string }; targets: unknown[]; corpus: { messages: number } };
    expect(json.runs.length).toBe(out.result.runs.length);
    expect(json.machine.nproc).toBeGreaterThan(0);
    expect(json.machine.cpuModel).not.toBe('');
    expect(json.corpus.messages).toBe(300);
    expect(json.targets.length).toBeGreaterThan(0);
    for (const r of json.runs) {
      expect(r.wallS, `${r.tool} ${r.scenario}`).toBeGreaterThan(0);
      expect(r.peakRssMB, `${r.tool} ${r.scenario}`).toBeGreaterThan(0);
    }
    // A guard against a hang, not a speed check: the quick bench runs every tool and scenario,
    // verify included, and shares the machine with the other integration files.
  }, 300_000);

  it('mailmover is exact in every scenario', () => {
    const scenarios = new Set(runsOf('mailmover').map((r) => r.scenario));
    expect([...scenarios].sort()).toEqual(['batch', 'big-message', 'full', 'incremental', 'no-change', 'verify', 'verify --deep']);
    for (const r of runsOf('mailmover')) {
      expect(r.ok, `${r.scenario}: ${r.error}`).toBe(true);
      expect(r.check.exact, `${r.scenario}: ${JSON.stringify(r.check)}`).toBe(true);
      expect(r.check.identical).toBe(r.check.sourceMessages);
    }
    expect(runsOf('mailmover', 'no-change')[0]!.copied).toBe(0);
    expect(runsOf('mailmover', 'incremental')[0]!.copied).toBe(100);
    // verify matched every message of the finished migration, at both depths
    expect(runsOf('mailmover', 'verify')[0]!.copied).toBe(300);
    expect(runsOf('mailmover', 'verify --deep')[0]!.copied).toBe(300);
    expect(out.markdown).toMatch(/metadata verify < 0\.5 x full migration/);
    expect(runsOf('mailmover', 'batch')[0]!.check.sourceMessages).toBe(3 * 30);
    expect(runsOf('mailmover', 'big-message')[0]!.check.sourceMessages).toBe(1);
  });

  it('dsync (doveadm backup over imapc) is exact', () => {
    const [dsync] = runsOf('dsync', 'full');
    expect(dsync, 'dsync ran').toBeDefined();
    expect(dsync!.ok, dsync!.error).toBe(true);
    expect(dsync!.check.exact, JSON.stringify(dsync!.check)).toBe(true);
  });

  it('detects what mbsync changes: an X-TUID header on every message, keywords dropped', () => {
    const [mbsync] = runsOf('mbsync', 'full');
    expect(mbsync, 'mbsync ran').toBeDefined();
    expect(mbsync!.ok, mbsync!.error).toBe(true);
    expect(mbsync!.check.exact).toBe(false);
    expect(mbsync!.check.missing).toBe(0);
    expect(mbsync!.check.reasons['header X-TUID added']).toBe(300);
    expect(Object.keys(mbsync!.check.reasons).some((k) => /^keyword .* not copied$/.test(k))).toBe(true);
    expect(out.markdown).toMatch(/\| mbsync \|.*NOT exact: 300 differ of 300: header X-TUID added \(300\)/);
  });
});

describe('bench correctness check', () => {
  const msg = (over: Partial<MessageIdentity> = {}): MessageIdentity => ({
    uid: 1,
    sha256: 'a',
    bodySha256: 'b',
    headerLines: ['From: x', 'Message-ID: <1@x>'],
    messageId: '<1@x>',
    flags: ['$Label1', '\\Seen'],
    internalDate: 1000,
    size: 10,
    ...over,
  });
  const snap = (entries: Array<[string, MessageIdentity[]]>): Snapshot => new Map(entries);

  it('names each kind of difference and follows the folder mapping', () => {
    const source = snap([
      ['INBOX', [msg(), msg({ uid: 2, messageId: '<2@x>', sha256: 'c' })]],
      ['Sent Items', [msg({ uid: 3, messageId: '<3@x>', sha256: 'd' })]],
    ]);
    const target = snap([
      ['INBOX', [msg({ sha256: 'z', headerLines: ['From: x', 'Message-ID: <1@x>', 'X-TUID: abc'], flags: ['\\Seen'] })]],
      ['Sent', [msg({ uid: 3, messageId: '<3@x>', sha256: 'd', internalDate: 2000 })]],
    ]);
    const c = compareSnapshots(source, target, new Map([['Sent Items', 'Sent']]));
    expect(c.exact).toBe(false);
    expect(c.reasons).toEqual({ 'header X-TUID added': 1, 'keyword $Label1 not copied': 1, 'message missing': 1, 'internal date differs': 1 });
    expect(c.differing).toBe(2);
    expect(c.missing).toBe(1);
    expect(compareSnapshots(source, source).exact).toBe(true);
  });

  it('counts duplicates: two identical source messages need two copies', () => {
    const source = snap([['INBOX', [msg(), msg({ uid: 2 })]]]);
    const c = compareSnapshots(source, snap([['INBOX', [msg()]]]));
    expect(c.exact).toBe(false);
    expect(c.missing).toBe(1);
    expect(compareSnapshots(source, snap([['INBOX', [msg({ uid: 7 }), msg({ uid: 9 })]]])).exact).toBe(true);
  });
});
