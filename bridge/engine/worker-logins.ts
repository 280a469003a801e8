import type { ImapFlow } from 'imapflow';
import { closeQuietly } from './connect';
import type { PlannedMessage, SourceSession } from './source-driver';

export type Login<M extends PlannedMessage> = { ok: true; sessions: [SourceSession<M>, ImapFlow] } | { ok: false; error: unknown };

/**
 * The extra workers' logins (source and target each), all started at once as soon as the
 * pass knows how many workers it wants, while the first connection still creates the
 * target folders. A login is about ten round trips per side; over a 40 ms link, one
 * after another, the fourth worker started copying 1.5 s after the first.
 */
export class WorkerLogins<M extends PlannedMessage> {
  private readonly pending: Array<Promise<Login<M>> | undefined>;

  constructor(count: number, login: (index: number) => Promise<[SourceSession<M>, ImapFlow]>) {
    this.pending = Array.from({ length: Math.max(0, count) }, (_, i) =>
      login(i).then(
        (sessions): Login<M> => ({ ok: true, sessions }),
        (error: unknown): Login<M> => ({ ok: false, error }),
      ),
    );
  }

  /** Extra worker `index`'s login, handed over once: from then on its sessions are the taker's to close. */
  take(index: number): Promise<Login<M>> {
    const login = this.pending[index];
    if (!login) throw new Error(`worker login ${index} was already taken or never started`);
    this.pending[index] = undefined;
    return login;
  }

  /** Closes the sessions of the logins nobody took (the pass ended before its workers ran). */
  async closeUntaken(): Promise<void> {
    const left = this.pending.filter((p): p is Promise<Login<M>> => p !== undefined);
    this.pending.fill(undefined);
    await Promise.all(
      left.map(async (p) => {
        const login = await p;
        if (!login.ok) return;
        await login.sessions[0].close();
        await closeQuietly(login.sessions[1]);
      }),
    );
  }
}
