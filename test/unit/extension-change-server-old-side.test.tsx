// @vitest-environment jsdom
/**
 * The monitor's server change moves the OLD mailbox's server (server.change changes the job's
 * source): its button, its dialog and the note that points to it said only "修改服务器地址" /
 * "Change server address", which an admin read as the new mail system's. Each now names the old
 * mailbox, in both languages, and the note quotes the button as it reads.
 */
import 'fake-indexeddb/auto';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { installDb, openDb } from '../../extension/db/schema';
import { translate } from '../../extension/i18n';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { makeJob } from './extension-account-fixture';
import { stubPageClient } from './extension-doubles';

const send = vi.fn(async () => ({}));
stubPageClient({ bridgeRequest: send, bridgeRequestRaw: send, bridgeCommand: send });
const { JobActions } = await import('../../extension/dashboard/monitor/JobActions');
const { ServerChangeDialog } = await import('../../extension/dashboard/monitor/ServerChangeDialog');

beforeAll(() => installDb(openDb('change-server-old-side')));
afterEach(cleanup);

const CASES = [
  ['zh-CN', '修改原邮箱服务器地址', '修改原邮箱服务器地址和端口'],
  ['en', 'Change the old mailbox’s server address', 'Change the old mailbox’s server address and port'],
] as const;

describe('the server change names the old mailbox', () => {
  it.each(CASES)('the monitor’s button (%s)', (locale, button) => {
    render(
      <LocaleProvider initial={locale} persist={false}>
        <JobActions job={makeJob()} connected onChangeServer={() => undefined} />
      </LocaleProvider>,
    );
    expect(screen.getByRole('button', { name: button })).toBeTruthy();
  });

  it.each(CASES)('the dialog’s title (%s)', (locale, _button, title) => {
    render(
      <LocaleProvider initial={locale} persist={false}>
        <ServerChangeDialog job={makeJob()} onClose={() => undefined} />
      </LocaleProvider>,
    );
    // jsdom does not open a <dialog>: its title is read by id, as aria-labelledby does.
    expect(document.getElementById('server-change-title')?.textContent).toBe(title);
  });

  it.each(CASES)('the note sending the admin to it quotes the button’s words (%s)', (locale, button) => {
    expect(translate(locale, 'passwordAgainAdminKept', { server: 'a', jobServer: 'b' })).toContain(`“${button}”`);
  });
});
