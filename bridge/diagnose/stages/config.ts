import { imapFlowOptions } from '../../engine/connect';
import { MigrationError, classifyError } from '../../engine/errors';
import type { StageContext } from './context';

export type FlowOptions = ReturnType<typeof imapFlowOptions>;

/**
 * The engine's own connection policy (plaintext only when allowed), checked before anything goes
 * on the wire. Resolves with imapflow's options for IMAP, null for POP3; false when the test stops.
 */
export function checkConfig(ctx: StageContext): FlowOptions | null | false {
  const { endpoint, account, side, where, report } = ctx;
  let flowOptions: FlowOptions | null = null;
  if (ctx.protocol === 'pop3') {
    if (endpoint.security === 'plain' && !endpoint.allowPlaintext) {
      report.fail('PLAINTEXT_REFUSED', `Refusing to send the password for ${account} unencrypted to POP3 ${where}. Use pop3s:// or STLS (pop3://), or allow plaintext for a trusted network.`, 'config');
      return false;
    }
    if (endpoint.auth.kind === 'oauth2') {
      report.fail('UNSUPPORTED', `OAuth2 logins over POP3 are not supported by the connection test; test ${account} over IMAP.`, 'config');
      return false;
    }
  } else {
    try {
      flowOptions = imapFlowOptions(endpoint, { side, id: 'connection-test' });
    } catch (err) {
      const e = err instanceof MigrationError ? err : classifyError(err, { side, account, host: endpoint.host, port: endpoint.port });
      report.fail(e.code, e.message, 'config');
      return false;
    }
  }
  if (endpoint.security === 'plain') {
    report.warn({
      code: 'PLAINTEXT',
      severity: 'warning',
      message: {
        // The extension's choice is a security setting, the command line's a flag: only the command line is shown the flag.
        en: `The password goes unencrypted to ${where}: you chose to connect without TLS${ctx.opts.surface === 'cli' ? ' (--allow-plaintext)' : ''}. Use this only on a trusted network.`,
        zh: `密码将以明文发送到 ${where}（已允许不加密连接），仅可在可信网络中使用。`,
      },
      hints: [],
    });
  }
  return flowOptions;
}
