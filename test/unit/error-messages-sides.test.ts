/**
 * shared/errors.ts errorMessage: every template read with each side's words, the unknown side's
 * too (a diagnosis of a server whose side is not said), in both languages.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_MESSAGES, errorMessage } from '../../shared/errors';

const SIDES = [undefined, 'source', 'target'] as const;
// No side word in the engine's text either: errorSide() reads it there as a fallback.
const NO_SIDE = 'The connection failed (ECONNREFUSED).';

describe('errorMessage with the side filled in', () => {
  it('the unknown side reads right in every template that names a side (en and zh)', () => {
    const unknown = Object.fromEntries(
      ERROR_CODES.filter((c) => /\{(side|server)\}/.test(ERROR_MESSAGES[c].en + ERROR_MESSAGES[c].zh)).map((code) => [
        code,
        [errorMessage({ code, message: NO_SIDE }, 'en'), errorMessage({ code, message: NO_SIDE }, 'zh')],
      ]),
    );
    expect(unknown).toEqual({
      AUTH_FAILED: ['Login to the mail server failed: the server refused the user name or password.', '邮件服务器登录失败：服务器不接受该账号或密码。'],
      CONNECT_FAILED: ['Could not connect to the mail server.', '无法连接邮件服务器。'],
      DNS_FAILED: ['The address of the mail server could not be found (DNS).', '找不到邮件服务器的地址（DNS 解析失败）。'],
      TLS_FAILED: [
        'No secure (TLS) connection to the mail server: the certificate could not be verified or encryption failed.',
        '无法与邮件服务器建立加密（TLS）连接：证书无法验证或加密协商失败。',
      ],
      PLAINTEXT_REFUSED: ['The password for the mail server would travel unencrypted, so it was not sent.', '邮件服务器的密码将以明文传输，因此没有发送。'],
      IMAP_DISABLED: ['The mail server does not allow IMAP (or POP3) access for this account.', '邮件服务器未对该账号开放 IMAP（或 POP3）访问。'],
      THROTTLED: ['The mail server is limiting connections or requests.', '邮件服务器限制了连接数或请求频率。'],
      TIMEOUT: ['The mail server stopped answering.', '邮件服务器长时间无响应。'],
      FOLDER_UNREADABLE: ['The mail server could not read any message of one of its folders.', '邮件服务器无法读取其中一个文件夹中的任何邮件。'],
      PROTOCOL_ERROR: ['The mail server gave an answer that does not follow the mail protocol.', '邮件服务器的响应不符合邮件协议。'],
    });
  });

  it('no side doubles a word of its template ("邮件服务器服务器")', () => {
    for (const code of ERROR_CODES) {
      for (const side of SIDES) {
        const zh = errorMessage({ code, message: NO_SIDE, side }, 'zh');
        const en = errorMessage({ code, message: NO_SIDE, side }, 'en');
        expect(zh, `${code} ${side ?? 'unknown'}`).not.toMatch(/服务器的?服务器|邮箱的?邮箱/);
        expect(en, `${code} ${side ?? 'unknown'}`).not.toMatch(/mail server'?s? server|server address of the mail server/);
        expect(`${zh} ${en}`, `${code} ${side ?? 'unknown'}`).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it("a known side names its mailbox's server", () => {
    expect(errorMessage({ code: 'CONNECT_FAILED', message: NO_SIDE, side: 'target' }, 'zh')).toBe('无法连接新邮箱服务器。');
    expect(errorMessage({ code: 'CONNECT_FAILED', message: NO_SIDE, side: 'source' }, 'en')).toBe("Could not connect to the old mailbox's server.");
    expect(errorMessage({ code: 'DNS_FAILED', message: NO_SIDE, side: 'source' }, 'zh')).toBe('找不到原邮箱服务器的地址（DNS 解析失败）。');
    expect(errorMessage({ code: 'DNS_FAILED', message: NO_SIDE, side: 'target' }, 'en')).toBe("The address of the new mailbox's server could not be found (DNS).");
  });
});
