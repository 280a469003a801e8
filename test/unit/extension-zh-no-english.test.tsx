// @vitest-environment jsdom
/**
 * zh-CN mode shows no English engine text (issue 15 point 5): the drawer, the table's rows, the
 * update-password form and the bulk actions' answers are rendered in Chinese for every error
 * code the engine emits (shared/errors.ts), with the engine's English message as the bridge
 * sends it, and every visible text (and title) is checked for English words: no ASCII word of
 * three or more letters is left, except addresses, host names, URL schemes, error codes and
 * acronyms (IMAP, TLS, CSV, …) and the product's name. Also: every code has a message and a
 * remedy in both languages.
 */
import 'fake-indexeddb/auto';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES, ERROR_MESSAGES, REMEDIES, errorMessage, type ErrorCode } from '../../shared/errors';
import { ACCOUNT_STATUSES } from '../../shared/protocol';
import { installDb, openDb, type AccountRow } from '../../extension/db/schema';
import { translator } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { PageRequestError } from '../../extension/lib/page-client';
import { makeAccount, makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

let batchAnswer: (type: string, params: { accountIds: string[] }) => unknown = () => ({});
let failNext: { code: string; message: string } | null = null;

stubPageClient({
  bridgeRequest: vi.fn(async (type: string, params: { accountIds: string[] }) => {
    if (failNext) {
      const f = failNext;
      failNext = null;
      throw new PageRequestError(f);
    }
    if (type === 'account.get') return { account: null, folders: [] };
    if (type === 'account.skipped')
      return { items: [{ folder: 'INBOX', uid: 7, reason: 'MESSAGE_TOO_LARGE: NO [TOOBIG] Message too large for this mailbox' }], total: 1 };
    return batchAnswer(type, params);
  }),
  bridgeRequestRaw: vi.fn(async () => null),
});

const { ErrorRemedy } = await import('../../extension/components/ErrorRemedy');
const { StatusTable } = await import('../../extension/dashboard/monitor/StatusTable');
const { DetailsDrawer } = await import('../../extension/dashboard/monitor/DetailsDrawer');
const { BulkActions } = await import('../../extension/dashboard/monitor/BulkActions');
const { PasswordAgainForm } = await import('../../extension/dashboard/monitor/PasswordAgainForm');
const { refusalText } = await import('../../extension/dashboard/monitor/batch-refusal');

/** What the engine says for each code (English, with its CLI flags), as the bridge sends it. */
const ENGINE_TEXT: Record<ErrorCode, string> = {
  AUTH_FAILED: 'Login failed for the source. The server said "NO [AUTHENTICATIONFAILED] Authentication failed." Check the password (or authorization code / app password) and that IMAP is enabled for this account.',
  CONNECT_FAILED: 'Could not connect to the target server imap.new.example:993 (ECONNREFUSED).',
  DNS_FAILED: 'The source server name imap.old.example could not be resolved (ENOTFOUND).',
  TLS_FAILED: 'The TLS certificate of the source server is not trusted: self-signed certificate. Accept it only if you trust this server (--insecure-tls).',
  PLAINTEXT_REFUSED: 'Refusing to send the source password for a@old.example unencrypted to imap.old.example:143. Use imaps:// or STARTTLS, or pass --allow-plaintext for a trusted network.',
  IMAP_DISABLED: 'The source refused IMAP: "IMAP is disabled for this account".',
  THROTTLED: 'The source server is limiting connections (too many connections).',
  TIMEOUT: 'The target server stopped answering for 60 s.',
  QUOTA_EXCEEDED: 'The target mailbox is over quota (OVERQUOTA).',
  MESSAGE_REJECTED: 'The target refused message UID 42 of INBOX: "Message contains invalid header".',
  MESSAGE_TOO_LARGE: 'Message UID 7 of INBOX is 60 MB, more than the target accepts.',
  TARGET_REFUSED: 'The target refused to store mail in INBOX: "[CANNOT] Mailbox is read-only".',
  MESSAGE_CHANGED: 'The target stored message UID 3 with changes.',
  DATE_CHANGED: 'UID 4 of "INBOX" was copied to "INBOX" (target UID 9) with the date 1965-06-01T12:00:00.000Z, but the target keeps 2101-07-08T18:28:16.000Z instead.',
  FOLDER_CREATE_FAILED: 'The target refused to create folder Projects/2024.',
  FOLDER_RENAMED: 'Folder a.b was created as a．b on the target.',
  FOLDER_NOT_FOUND: 'Folder Archive disappeared on the source.',
  FOLDER_FILTER_UNMATCHED: 'The folder filter "Sent Items" (include) matches no folder of a@old.example: nothing was copied for it. Its folders are: INBOX, 已发送.',
  FOLDER_UNREADABLE: 'The source server could not read any message of folder "Archive" (it said "FETCH failed: Internal error occurred."), while it sent the other folders.',
  SOURCE_CHANGED: 'UIDVALIDITY of INBOX changed on the source.',
  PROTOCOL_ERROR: 'The source sent an unexpected response: BAD Command unrecognized.',
  UNSUPPORTED: 'This server does not support MOVE.',
  CONFIG_INVALID: 'The migration options are invalid: concurrency must be positive.',
  CANCELLED: 'The run was cancelled before it finished.',
  ALREADY_RUNNING:
    'Another mailmover run on this computer (process 4242, running since 2026-05-04T10:12:03.000Z) is already migrating a@old.example on imap.old.example:993 to a@new.example on imap.new.example:993; two runs of one mailbox pair at once would both copy the same new messages. Nothing was done for this account: wait for that run to finish, or stop it (process 4242), then run this again.',
  INTERNAL: 'Unexpected error: Cannot read properties of undefined.',
};

const classified = (code: ErrorCode) => ({ code, message: ENGINE_TEXT[code], remedy: { en: REMEDIES[code].en, zh: REMEDIES[code].zh }, transient: REMEDIES[code].transient });

/** Words allowed in Chinese text: acronyms and codes (all capitals), the product and brand names, URL schemes. */
const ALLOWED = new Set(['mailmover', 'Gmail', 'NetEase', 'Exmail', 'WeChat']);

/** English words a person would read in zh-CN mode; addresses, host names and schemes are taken out first. */
function englishWords(text: string): string[] {
  const stripped = text
    .replace(/[^\s@]+@[^\s@]+/g, ' ') // addresses
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S*/gi, ' ') // URLs and schemes (imaps://)
    .replace(/\b[\w-]+(\.[\w-]+)+\b/g, ' '); // host names, file names
  return (stripped.match(/[A-Za-z][A-Za-z0-9_]*/g) ?? []).filter((w) => /[A-Za-z]{3,}/.test(w) && !/^[A-Z0-9_]+$/.test(w) && !ALLOWED.has(w));
}

/** Every text and title the person can see in the rendered tree. */
function visibleText(root: HTMLElement): string {
  const titles = Array.from(root.querySelectorAll('[title]'), (e) => e.getAttribute('title') ?? '');
  const labels = Array.from(root.querySelectorAll('[aria-label],[placeholder]'), (e) => `${e.getAttribute('aria-label') ?? ''} ${e.getAttribute('placeholder') ?? ''}`);
  return [root.textContent ?? '', ...titles, ...labels].join('\n');
}

const zh = (ui: React.ReactElement) => (
  <LocaleProvider initial="zh-CN" persist={false}>
    {ui}
  </LocaleProvider>
);

beforeAll(() => {
  installDb(openDb('zh-no-english'));
  // jsdom lays nothing out: give elements the size a browser would, so the table's virtualiser renders rows.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 2000 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});
afterEach(cleanup);

describe('zh-CN mode leaves no English engine text', () => {
  it('every error code has a message and a remedy in both languages', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_MESSAGES[code].en.length, code).toBeGreaterThan(5);
      expect(englishWords(ERROR_MESSAGES[code].zh.replace(/\{\w+\}/g, '')), code).toEqual([]);
      expect(englishWords(REMEDIES[code].zh), code).toEqual([]);
      expect(englishWords(errorMessage({ code, message: ENGINE_TEXT[code] }, 'zh')), code).toEqual([]);
    }
  });

  it('FOLDER_UNREADABLE names the folder in either language', () => {
    const error = {
      code: 'FOLDER_UNREADABLE' as const,
      message: ENGINE_TEXT.FOLDER_UNREADABLE,
      side: 'source' as const,
      remedy: { en: REMEDIES.FOLDER_UNREADABLE.en, zh: REMEDIES.FOLDER_UNREADABLE.zh },
      transient: true,
      facts: { kind: 'folder-unreadable' as const, folder: '归档/2019' },
    };
    const zhView = render(zh(<ErrorRemedy error={error} />));
    expect(zhView.container.textContent).toContain('原邮箱无法读取文件夹“归档/2019”中的任何邮件。');
    expect(englishWords(visibleText(zhView.container))).toEqual([]);
    cleanup();
    const enView = render(
      <LocaleProvider initial="en" persist={false}>
        <ErrorRemedy error={error} />
      </LocaleProvider>,
    );
    expect(enView.container.textContent).toContain('The old mailbox could not read any message of the folder "归档/2019".');
  });

  it('ALREADY_RUNNING names the other run (its process, since when) in either language', () => {
    const error = {
      code: 'ALREADY_RUNNING' as const,
      message: ENGINE_TEXT.ALREADY_RUNNING,
      remedy: { en: REMEDIES.ALREADY_RUNNING.en, zh: REMEDIES.ALREADY_RUNNING.zh },
      transient: true,
      facts: { kind: 'already-running' as const, pid: 4242, since: '2026-05-04T10:12:03.000Z' },
    };
    const zhView = render(zh(<ErrorRemedy error={error} />));
    expect(zhView.container.textContent).toMatch(/本机上的另一次搬家（进程号 4242，开始于 [^）]*2026[^）]*）正在这两个邮箱之间搬家/);
    expect(zhView.container.textContent).toContain('请等待其完成，或将其停止');
    expect(englishWords(visibleText(zhView.container))).toEqual([]);
    cleanup();
    const enView = render(
      <LocaleProvider initial="en" persist={false}>
        <ErrorRemedy error={error} retried />
      </LocaleProvider>,
    );
    expect(enView.container.textContent).toMatch(/Another run on this computer \(process 4242, since [^)]+\) is already copying between these two mailboxes/);
    expect(enView.container.textContent).toContain('Wait for it to finish, or stop it');
    expect(screen.getByTestId('remedy-retry').textContent).toBe('The bridge retries this by itself.');
    // Without facts (the other run's record unreadable), the sentence reads without them.
    expect(errorMessage({ code: 'ALREADY_RUNNING', message: 'x' }, 'en')).toBe('Another run on this computer is already copying between these two mailboxes, so this one did not start.');
    expect(errorMessage({ code: 'ALREADY_RUNNING', message: 'x' }, 'zh')).toBe('本机上的另一次搬家正在这两个邮箱之间搬家，因此本次没有开始。');
  });

  it('the checker finds what the issue found', () => {
    expect(englishWords('Login failed for the source')).toEqual(['Login', 'failed', 'for', 'the', 'source']);
    expect(englishWords('(--allow-plaintext)')).toEqual(['allow', 'plaintext']);
    expect(englishWords('请检查 zhang@old.example 与 imap.exmail.qq.com:993 的 IMAP/TLS 设置,imaps:// 或 STARTTLS,AUTH_FAILED')).toEqual([]);
  });

  it.each(ERROR_CODES)('%s: the error, full and in a row', (code) => {
    const { container } = render(
      zh(
        <>
          <ErrorRemedy error={classified(code)} />
          <ErrorRemedy error={classified(code)} compact />
        </>,
      ),
    );
    expect(container.textContent).toContain(code);
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('the table: a row per error code, and the password-needed row', () => {
    const rows: AccountRow[] = [
      ...ERROR_CODES.map((code, i) => makeAccount({ id: `acc_${i}`, source: `u${i}@old.example`, target: `u${i}@new.example`, status: 'failed', error: classified(code) })),
      makeAccount({ id: 'acc_pw', status: 'password_needed', error: { ...classified('CONFIG_INVALID'), message: 'The source password for zhang@old.example must be entered again: none is stored for the current server settings.' } }),
    ];
    const { container } = render(
      zh(<StatusTable rows={rows} selected={new Set()} onToggle={() => undefined} onToggleAll={() => undefined} onOpen={() => undefined} sort={{ key: 'status', dir: 'asc' }} onSort={() => undefined} height={rows.length * 64 + 64} />),
    );
    expect(screen.getAllByTestId('row-update-password').map((b) => b.textContent)).toEqual(['更新密码并重试', '重新输入密码']);
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('the drawer of a failed login, with its update-password form', async () => {
    const { container } = render(zh(<DetailsDrawer account={makeAccount({ error: classified('AUTH_FAILED') })} onClose={() => undefined} />));
    await screen.findByTestId('update-password-form');
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('the drawer of an account with a skipped message words its reason', async () => {
    const account = makeAccount({ status: 'first_pass_done', error: null, counters: { messagesTotal: 5, messagesCopied: 4, messagesSkipped: 1, messagesAlreadyPresent: 0, bytesCopied: 400, messagesSyncedSinceFirstPass: 0 } });
    const { container } = render(zh(<DetailsDrawer account={account} onClose={() => undefined} />));
    const list = await screen.findByTestId('skipped-list');
    expect(list.textContent).toContain('MESSAGE_TOO_LARGE 有邮件超过新邮箱允许的大小。');
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('the drawer, row and report of an account whose passes warned and whose verify found rewritten copies', async () => {
    const { changedDateWarnings } = await import('../../bridge/engine/stored-dates');
    const { storedChangeWarnings } = await import('../../bridge/engine/account-result');
    const { VerifyReport } = await import('../../extension/dashboard/report/VerifyReport');
    const engine = [
      {
        code: 'FOLDER_RENAMED' as const,
        message: 'The target refused the folder name "v1.2" ("[CANNOT] Invalid mailbox name"); its mail goes to "v1．2" instead.',
        facts: { kind: 'folder-renamed' as const, from: 'v1.2', to: 'v1．2' },
      },
      {
        code: 'FOLDER_RENAMED' as const,
        message: 'Source folder "旧项目" was renamed to "新项目" since the last run: its mail is not copied again, and its copy on the target is now "新项目".',
        facts: { kind: 'folder-moved' as const, from: '旧项目', to: '新项目', target: '新项目' },
      },
      ...changedDateWarnings([{ sourceFolder: 'INBOX', folder: 'INBOX', uid: 4, targetUid: 9, sent: new Date('1965-06-01T12:00:00Z'), stored: new Date('1970-01-02T00:00:00Z') }]),
      ...storedChangeWarnings([{ source: 'INBOX', target: 'INBOX', storedChanges: [{ uid: 3, targetUid: 5, what: '8-bit header bytes replaced' }] } as never]),
      // A warning without facts: its code's sentence only.
      { code: 'THROTTLED' as const, message: 'The server refused 2 of 4 parallel connections (connection limit); the migration went on with fewer.' },
    ];
    const warnings = engine.map((w, i) => ({ ...w, passes: i + 1, firstAt: '2026-12-04T10:00:00.000Z', lastAt: '2026-12-04T10:00:00.000Z', latest: i % 2 === 0 }));
    const verify = {
      status: 'verified' as const,
      depth: 'deep' as const,
      checkedAt: '2026-12-04T11:00:00.000Z',
      totals: { matched: 2, missing: 0, extra: 0, changed: 0, skipped: 0, elsewhere: 0 },
      rewrittenTotal: 3,
      folders: [
        {
          source: 'INBOX', target: 'INBOX', sourceCount: 2, targetCount: 2, matched: 2, missing: [], extra: [], changed: [], missingCount: 0, extraCount: 0, changedCount: 0, elsewhere: [], elsewhereCount: 0,
          rewritten: [
            { uid: 3, targetUid: 5, what: "8-bit header bytes stored as 'X'", kinds: ['header-8bit' as const, 'nul' as const] },
            { uid: 4, targetUid: 9, what: 'date …', kinds: ['date' as const], sourceDate: '1965-06-01T12:00:00.000Z', targetDate: '1970-01-02T00:00:00.000Z' },
            // Stored before the kinds were carried.
            { uid: 6, targetUid: 11, what: "8-bit header bytes stored as 'X'" },
          ],
          rewrittenCount: 3,
        },
      ],
    };
    const account = makeAccount({ status: 'syncing', error: null, warnings, warningsOmitted: 4, verify });
    const drawer = render(zh(<DetailsDrawer account={account} onClose={() => undefined} />));
    expect(screen.getAllByTestId('warnings-item')).toHaveLength(engine.length);
    expect(screen.getAllByTestId('warnings-facts')).toHaveLength(engine.length - 1);
    expect(screen.getByTestId('verify-rewritten').querySelectorAll('li')).toHaveLength(3);
    expect(englishWords(visibleText(drawer.container))).toEqual([]);
    cleanup();
    const table = render(zh(<StatusTable rows={[account]} selected={new Set()} onToggle={() => undefined} onToggleAll={() => undefined} onOpen={() => undefined} sort={{ key: 'status', dir: 'asc' }} onSort={() => undefined} />));
    expect(screen.getByTestId('warnings-badge')).toBeTruthy();
    expect(englishWords(visibleText(table.container))).toEqual([]);
    cleanup();
    const report = render(zh(<VerifyReport job={{ id: 'job_abcdef', name: '总部' }} accounts={[account]} generatedAt="2026-12-04T12:00:00.000Z" />));
    expect(screen.getAllByTestId('verify-report-warnings-item')).toHaveLength(engine.length);
    expect(englishWords(visibleText(report.container))).toEqual([]);
  });

  it('the drawer of an account waiting for its password again', async () => {
    const account = makeAccount({ status: 'password_needed', error: { ...classified('CONFIG_INVALID'), message: 'The source password for zhang@old.example must be entered again.' } });
    const { container } = render(zh(<PasswordAgainForm account={account} job={makeJob()} />));
    expect(englishWords(visibleText(container))).toEqual([]);
    cleanup();
    const drawer = render(zh(<DetailsDrawer account={account} onClose={() => undefined} />));
    await screen.findByTestId('password-again-form');
    expect(drawer.container.textContent).toContain('需要重新输入原邮箱的密码');
    cleanup();
    const both = makeAccount({ status: 'password_needed', error: { ...classified('CONFIG_INVALID'), message: 'The source and target password for zhang@old.example must be entered again.' } });
    render(zh(<ErrorRemedy error={both.error!} passwordNeeded />));
    expect(screen.getByRole('note').textContent).toContain('需要重新输入原邮箱和新邮箱的密码');
    expect(englishWords(visibleText(drawer.container))).toEqual([]);
  });

  it('every refusal of every bulk action, for every status', () => {
    const t = translator('zh-CN');
    for (const action of ['account.start', 'account.pause', 'account.retry', 'account.reopen', 'account.stop'] as const) {
      for (const status of ACCOUNT_STATUSES) expect(englishWords(refusalText(action, status, t)), `${action} ${status}`).toEqual([]);
    }
  });

  it('every refusal to copy missing messages is a Chinese sentence', async () => {
    const { fixRefusalText } = await import('../../extension/dashboard/monitor/fix-refusal');
    const t = translator('zh-CN');
    const reasons = [
      'the account has not finished its first pass',
      'a verify of the account is already under way',
      'the account is running a pass; try again when it ends',
      'no usable target password is stored for the account',
      'missing messages are copied from an IMAP source only; for a POP3 source start a pass again',
      'the last verify of the account found nothing missing',
      'something new the bridge says',
    ];
    const texts = reasons.map((r) => fixRefusalText(r, t));
    expect(texts[3]).toBe('没有可用的新邮箱密码：请在账号详情中重新输入。');
    expect(new Set(texts).size).toBe(reasons.length);
    for (const text of texts) expect(englishWords(text)).toEqual([]);
  });

  it('bulk 重新开启 on a failed account answers in Chinese, without the bridge’s English reason', async () => {
    batchAnswer = (_type, p) => ({ results: p.accountIds.map((accountId) => ({ accountId, ok: false, status: 'failed', reason: 'only closed accounts are reopened (this one is failed)' })) });
    const { container } = render(zh(<BulkActions ids={['acc_1']} disabled={false} jobId="job_abcdef" />));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '重新开启' }));
    });
    const msg = await screen.findByTestId('bulk-message');
    expect(msg.textContent).toContain('0 个已执行，1 个未执行');
    expect(msg.textContent).toContain('只有已关闭的账号可以重新开启（该账号当前为“失败”）');
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('reopening a stopped account without its passwords names no protocol call', async () => {
    batchAnswer = (_type, p) => ({
      results: p.accountIds.map((accountId) => ({ accountId, ok: false, status: 'closed', reason: 'the stored passwords were deleted when the account was closed: supply the source password (account.reopen with sourcePassword) to reopen it' })),
    });
    const { container } = render(zh(<BulkActions ids={['acc_1']} disabled={false} jobId="job_abcdef" />));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '重新开启' }));
    });
    const msg = await screen.findByTestId('bulk-message');
    expect(msg.textContent).toContain('关闭时已删除保存的密码');
    expect(msg.textContent).not.toMatch(/account\.reopen|sourcePassword/);
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('bulk 重试 of accounts that failed on a wrong password says where the password is fixed', async () => {
    const { db } = await import('../../extension/db/schema');
    await db().accounts.put(makeAccount({ id: 'acc_auth', error: classified('AUTH_FAILED') }));
    batchAnswer = (_type, p) => ({ results: p.accountIds.map((accountId) => ({ accountId, ok: true, status: 'in_progress' })) });
    const { container } = render(zh(<BulkActions ids={['acc_auth']} disabled={false} jobId="job_abcdef" />));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '重试' }));
    });
    await waitFor(() => expect(screen.getByTestId('bulk-message').textContent).toContain('其中 1 个账号因密码错误失败'));
    expect(englishWords(visibleText(container))).toEqual([]);
  });

  it('a failed request is a sentence, not the bridge’s code and English message', async () => {
    failNext = { code: 'CONFLICT', message: 'The job is closed (job.reopen first).' };
    const { container } = render(zh(<BulkActions ids={['acc_1']} disabled={false} jobId="job_abcdef" />));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: '重试' }));
    });
    await waitFor(() => expect(screen.getByTestId('bulk-message').textContent).toContain('桥接程序拒绝执行'));
    expect(englishWords(visibleText(container))).toEqual([]);
  });
});
