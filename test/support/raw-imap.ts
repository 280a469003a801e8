import { connect, type Socket } from 'node:net';

/**
 * One plain IMAP session on loopback that sends commands as written and returns the server's
 * lines up to the tagged answer: for what imapflow has no call for (SETACL, GETACL), so a test
 * can put a real server into a state (a folder its owner may list but not read) through the
 * protocol the server itself offers.
 */
export interface RawImap {
  /** Sends `command` with a fresh tag; resolves with every line of the answer, the tagged one last. */
  send(command: string): Promise<string[]>;
  close(): void;
}

export async function rawImap(port: number, user: string, password: string): Promise<RawImap> {
  const socket: Socket = connect(port, '127.0.0.1');
  let buffered = '';
  let waiting: { tag: string; lines: string[]; resolve: (lines: string[]) => void; reject: (e: Error) => void } | undefined;
  let greeted: () => void = () => undefined;
  const greeting = new Promise<void>((resolve) => (greeted = resolve));
  let sawGreeting = false;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let at: number;
    while ((at = buffered.indexOf('\r\n')) >= 0) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 2);
      if (!sawGreeting) {
        sawGreeting = true;
        greeted();
        continue;
      }
      if (!waiting) continue;
      waiting.lines.push(line);
      if (line.startsWith(`${waiting.tag} `)) {
        const done = waiting;
        waiting = undefined;
        done.resolve(done.lines);
      }
    }
  });
  socket.on('error', (e) => waiting?.reject(e));
  await greeting;
  let n = 0;
  const send = (command: string) =>
    new Promise<string[]>((resolve, reject) => {
      const tag = `R${++n}`;
      waiting = { tag, lines: [], resolve, reject };
      socket.write(`${tag} ${command}\r\n`);
    });
  const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  const login = await send(`LOGIN ${quote(user)} ${quote(password)}`);
  if (!/^R\d+ OK/.test(login.at(-1) ?? '')) throw new Error(`raw IMAP login refused: ${login.at(-1)}`);
  return { send, close: () => socket.destroy() };
}
