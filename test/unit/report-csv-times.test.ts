import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { reportCsv, reportFilename } from '../../bridge/service/report-csv';
import { makeAccount } from './extension-account-fixture';

/**
 * The report's times were UTC ISO strings ("2026-12-07T09:02:32Z"), which an admin in Beijing
 * read in Excel as 09:02 when it was 17:02 there. They are the bridge machine's local time,
 * in a form Excel reads as a date and time, and the header says the zone.
 */
const table = (csv: string) => parse(csv.replace(/^\ufeff/, ''), { columns: true }) as Array<Record<string, string>>;

const done = makeAccount({
  status: 'first_pass_done',
  error: null,
  startedAt: '2026-12-07T09:02:32.000Z',
  firstPassDoneAt: '2026-12-07T16:30:00.000Z', // 00:30 the next day in Beijing
  lastSyncAt: null,
  syncEndsAt: null,
  updatedAt: '2026-12-07T16:30:05.000Z',
});

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('report CSV: times', () => {
  it('in Beijing: local wall-clock times, the columns named with UTC+08:00 (English and Chinese)', () => {
    const [en] = table(reportCsv([done], 'en', { timeZone: 'Asia/Shanghai' }));
    expect(en!['started_at (UTC+08:00)']).toBe('2026-12-07 17:02:32');
    expect(en!['first_pass_done_at (UTC+08:00)']).toBe('2026-12-08 00:30:00');
    expect(en!['updated_at (UTC+08:00)']).toBe('2026-12-08 00:30:05');
    expect(en!['last_sync_at (UTC+08:00)']).toBe('');
    expect(en!['verify_checked_at (UTC+08:00)']).toBe('');
    expect(Object.keys(en!)).not.toContain('started_at');

    const [zh] = table(reportCsv([done], 'zh-CN', { timeZone: 'Asia/Shanghai' }));
    expect(zh!['开始时间（UTC+08:00）']).toBe('2026-12-07 17:02:32');
    expect(zh!['首次搬家完成时间（UTC+08:00）']).toBe('2026-12-08 00:30:00');
    expect(zh!['核验时间（UTC+08:00）']).toBe('');
  });

  it("without a zone given, the bridge machine's (TZ)", () => {
    process.env.TZ = 'Asia/Shanghai';
    expect(reportCsv([done]).split('\r\n')[1]).toContain(',2026-12-07 17:02:32,2026-12-08 00:30:00,');
    process.env.TZ = 'America/New_York';
    const [ny] = table(reportCsv([done]));
    expect(ny!['started_at (UTC-05:00)']).toBe('2026-12-07 04:02:32');
  });

  it('at UTC the header says UTC+00:00 and the times are those of the stored ISO strings', () => {
    const [row] = table(reportCsv([done], 'en', { timeZone: 'UTC' }));
    expect(row!['started_at (UTC+00:00)']).toBe('2026-12-07 09:02:32');
  });

  it('times on both sides of a daylight-saving change: each cell carries its offset, the header the zone', () => {
    const spring = makeAccount({ error: null, startedAt: '2026-03-28T08:00:00.000Z', updatedAt: '2026-03-30T08:00:00.000Z' });
    const [row] = table(reportCsv([spring], 'en', { timeZone: 'Europe/Berlin' }));
    expect(row!['started_at (Europe/Berlin)']).toBe('2026-03-28 09:00:00 +01:00');
    expect(row!['updated_at (Europe/Berlin)']).toBe('2026-03-30 10:00:00 +02:00');
  });

  it('an empty report still says the zone of its time columns', () => {
    const header = reportCsv([], 'zh-CN', { timeZone: 'Asia/Shanghai' }).replace(/^\ufeff/, '').split('\r\n')[0]!;
    expect(header).toContain(',开始时间（UTC+08:00）,');
  });

  it("the file name is dated by the bridge machine's calendar", () => {
    const evening = new Date('2026-12-06T20:00:00.000Z'); // 04:00 on the 7th in Beijing
    expect(reportFilename('hxkj', evening, { timeZone: 'Asia/Shanghai' })).toBe('mailmover-report-hxkj-2026-12-07.csv');
    expect(reportFilename('hxkj', evening, { timeZone: 'UTC' })).toBe('mailmover-report-hxkj-2026-12-06.csv');
  });
});
