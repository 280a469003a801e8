import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that forwards to a real server and keeps every byte each side
 * sent, to check what a client put on the wire (literal markers, continuations).
 */
export interface RecordingProxy {
  port: number;
  /** all client -> server bytes so far, over every connection */
  clientBytes(): Buffer;
  /** all server -> client bytes so far */
  serverBytes(): Buffer;
  /** In the order they happened: each connection's opening and each complete line its client sent (connections numbered from 1). */
  events(): readonly WireEvent[];
  close(): Promise<void>;
}

/**
 * `seq` orders events across every recording proxy of the process (a source's and a
 * target's, say); 'line' is a complete line the client sent, 'reply' one the server sent.
 */
export type WireEvent = { seq: number; conn: number } & ({ kind: 'open' } | { kind: 'line' | 'reply'; text: string });

let nextSeq = 0;
/** Splits a connection's bytes of one direction into complete lines, as they arrive. */
function lineSplitter(emit: (text: string) => void): (buf: Buffer) => void {
  let partial = '';
  return (buf) => {
    const lines = (partial + buf.toString('latin1')).split('\r\n');
    partial = lines.pop() ?? '';
    for (const text of lines) emit(text);
  };
}

/**
 * `hideStartTls`: the server's STARTTLS capability is renamed on its way to the client, so the
 * session stays in clear text and stays readable: a server that does not offer STARTTLS.
 * `hideCapabilities`: the same for other capabilities (a server without LIST-STATUS, say).
 */
export async function startRecordingProxy(
  targetPort: number,
  opts: {
    hideStartTls?: boolean;
    hideCapabilities?: string[];
    /**
     * Asked for every complete line a client sends (literal data included), with what its
     * connection sent and heard so far: a reply line (without CRLF) is answered to the client
     * in the server's place and the line is not forwarded; undefined forwards it.
     */
    answerInstead?: (line: string, conn: number, earlier: readonly WireEvent[]) => string | undefined;
  } = {},
): Promise<RecordingProxy> {
  const fromClient: Buffer[] = [];
  const fromServer: Buffer[] = [];
  const events: WireEvent[] = [];
  let opened = 0;
  const sockets = new Set<Socket>();
  // A capability word in a server line (after a space or "[", before a space, "]" or CR), renamed X-NO-<word>.
  const hiddenCaps = [...(opts.hideStartTls ? ['STARTTLS'] : []), ...(opts.hideCapabilities ?? [])];
  const hidden = hiddenCaps.length ? new RegExp(`(?<=[ [])(${hiddenCaps.join('|')})(?=[ \\]\\r])`, 'g') : undefined;
  const server = createServer((client) => {
    const conn = ++opened;
    events.push({ seq: nextSeq++, conn, kind: 'open' });
    const clientLines = lineSplitter((text) => events.push({ seq: nextSeq++, conn, kind: 'line', text }));
    const serverLines = lineSplitter((text) => events.push({ seq: nextSeq++, conn, kind: 'reply', text }));
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) sockets.add(s);
    const { answerInstead } = opts;
    // With answerInstead the client's bytes go upstream line by line, so that one can be held back.
    const forwardLines = answerInstead
      ? lineSplitter((text) => {
          const reply = answerInstead(text, conn, events.filter((e) => e.conn === conn));
          if (reply === undefined) upstream.write(Buffer.from(`${text}\r\n`, 'latin1'));
          else client.write(Buffer.from(`${reply}\r\n`, 'latin1'));
        })
      : (buf: Buffer) => upstream.write(buf);
    client.on('data', (buf) => {
      fromClient.push(Buffer.from(buf));
      clientLines(buf);
      forwardLines(buf);
    });
    upstream.on('data', (data: Buffer) => {
      const buf = hidden ? Buffer.from(data.toString('latin1').replace(hidden, 'X-NO-$1'), 'latin1') : data;
      fromServer.push(Buffer.from(buf));
      serverLines(buf);
      client.write(buf);
    });
    const end = () => {
      for (const s of [client, upstream]) {
        s.destroy();
        sockets.delete(s);
      }
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('recording proxy: no port');
  return {
    port: addr.port,
    clientBytes: () => Buffer.concat(fromClient),
    serverBytes: () => Buffer.concat(fromServer),
    events: () => events,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
