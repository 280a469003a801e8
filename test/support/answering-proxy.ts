import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real IMAP server that answers chosen commands in
 * the server's place: what a provider does when it throttles (Microsoft 365's "NO Request is
 * throttled. Suggested Backoff Time: ..."), goes down for a moment ("NO [UNAVAILABLE]") or
 * shuts a session ("* BYE"), none of which a test server can be made to do on cue. Commands
 * are told apart with their literals (synchronizing, non-synchronizing, literal8), so a
 * MULTIAPPEND of many messages is one command: a command answered here never reaches the
 * server, whole. STARTTLS is hidden from the client, or the commands could not be read.
 */
export interface AnsweringProxy {
  port: number;
  /** How many commands were answered here so far. */
  answered(): number;
  close(): Promise<void>;
}

/**
 * What the proxy does with a command: answer it itself (a tagged answer, or a BYE and the end
 * of the connection, or both: a tagged refusal, then a BYE), or `loseReply`: forward it, and end the connection when the server's
 * tagged answer comes, which the client never gets (the server did the command; the client
 * cannot know).
 */
export type StandIn = { reply: string; bye?: string } | { bye: string } | { loseReply: true };

export interface ProxiedCommand {
  /** The command's tag and its verb, upper-cased (APPEND, UID, FETCH, ...). */
  tag: string;
  verb: string;
  /** The command's first line, without CRLF. */
  line: string;
  /** How many commands with this verb all connections of the proxy sent before this one. */
  ordinal: number;
}

const LITERAL_AT_END = /~?\{(\d+)(\+?)\}$/;

/** Whether the server gets the command (it does unless the proxy answers in its place). */
const forwarded = (answer: StandIn | undefined): boolean => !answer || 'loseReply' in answer;

export async function startAnsweringProxy(
  targetPort: number,
  standIn: (command: ProxiedCommand) => StandIn | undefined,
  /** Capabilities (and response codes) renamed X-NO-<word> on their way to the client: a server without UIDPLUS, say. */
  opts: { hide?: string[] } = {},
): Promise<AnsweringProxy> {
  const hidden = opts.hide?.length ? new RegExp(`(?<=[ [])(${opts.hide.join('|')})(?=[ \\]\\r])`, 'g') : undefined;
  const sockets = new Set<Socket>();
  const perVerb = new Map<string, number>();
  let answered = 0;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) sockets.add(s);
    // The client's bytes: a line is held until it is whole (a command's first line decides
    // whether the command goes on), literal data passes as it comes.
    let line: Buffer[] = [];
    let literalLeft = 0;
    let command: { tag: string; answer: StandIn | undefined } | null = null;
    // The tag whose answer is to be lost, and the server's last incomplete line.
    let losing: string | undefined;
    let serverLine = '';
    // Capabilities are rewritten until the login only: later the server sends message bytes.
    let loggedIn = false;
    const end = () => {
      for (const s of [client, upstream]) {
        s.destroy();
        sockets.delete(s);
      }
    };
    const finish = () => {
      const done = command!;
      command = null;
      if (!done.answer) return;
      if ('loseReply' in done.answer) {
        losing = done.tag;
        return;
      }
      answered++;
      if ('reply' in done.answer) {
        client.write(`${done.answer.reply.startsWith('* ') ? '' : `${done.tag} `}${done.answer.reply}\r\n`);
        // A refusal and then the end of the session (RFC 7888: a literal too big to read).
        if (done.answer.bye !== undefined) {
          client.write(`* BYE ${done.answer.bye}\r\n`);
          end();
        }
      } else {
        client.write(`* BYE ${done.answer.bye}\r\n`);
        end();
      }
    };
    const onLine = (text: string) => {
      if (!command) {
        const [tag = '', verb = ''] = text.split(' ', 2);
        const upper = verb.toUpperCase();
        const ordinal = perVerb.get(upper) ?? 0;
        perVerb.set(upper, ordinal + 1);
        if (upper === 'LOGIN' || upper === 'AUTHENTICATE') loggedIn = true;
        command = { tag, answer: standIn({ tag, verb: upper, line: text, ordinal }) };
      }
      if (forwarded(command.answer)) upstream.write(`${text}\r\n`, 'latin1');
      const literal = LITERAL_AT_END.exec(text);
      if (!literal) return finish();
      // A synchronizing literal waits for the server's "+": one answered here is answered now.
      if (!forwarded(command.answer) && literal[2] !== '+') return finish();
      literalLeft = Number(literal[1]);
    };
    client.on('data', (buf: Buffer) => {
      let at = 0;
      while (at < buf.length && !client.destroyed) {
        if (literalLeft > 0) {
          const n = Math.min(literalLeft, buf.length - at);
          if (forwarded(command?.answer)) upstream.write(buf.subarray(at, at + n));
          literalLeft -= n;
          at += n;
          continue;
        }
        const lf = buf.indexOf(0x0a, at);
        if (lf < 0) {
          line.push(buf.subarray(at));
          break;
        }
        line.push(buf.subarray(at, lf + 1));
        at = lf + 1;
        const text = Buffer.concat(line).toString('latin1').replace(/\r?\n$/, '');
        line = [];
        onLine(text);
      }
    });
    upstream.on('data', (data: Buffer) => {
      let text = data.toString('latin1');
      if (!loggedIn) text = text.replace(/(?<=[ [])STARTTLS(?=[ \]\r])/g, 'X-NO-STARTTLS');
      if (hidden) text = text.replace(hidden, 'X-NO-$1');
      if (losing !== undefined) {
        const seen = serverLine + text;
        const at = seen.startsWith(`${losing} `) ? 0 : seen.indexOf(`\r\n${losing} `);
        if (at >= 0) {
          // Everything before the tagged answer still reaches the client; the answer does not.
          const keep = at === 0 ? 0 : at + 2;
          client.write(Buffer.from(seen.slice(serverLine.length, Math.max(serverLine.length, keep)), 'latin1'), end);
          answered++;
          return;
        }
        serverLine = seen.slice(seen.lastIndexOf('\r\n') + 2);
      }
      client.write(Buffer.from(text, 'latin1'));
    });
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('answering proxy: no port');
  return {
    port: addr.port,
    answered: () => answered,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
