/**
 * How many message bytes a pass keeps in flight, from the link's round trip.
 *
 * On a near link the copy is bound by CPU and a bigger window only costs memory. Over a
 * long one every chunk spends round trips on the wire (the source's FETCH, the target's
 * APPEND), and the workers wait on the budget instead of on the servers: the bandwidth-
 * delay product. Measured with the bench's 40 ms link (1,500 messages, 100 MB, four
 * workers): a 16 MB budget copies in 6.1–6.5 s, 32 MB in 5.2–5.4 s, while on loopback
 * 32 MB only raised peak RSS.
 */

import type { ImapFlow } from 'imapflow';
import type { PlannedMessage, SourceSession } from './source-driver';

/** The round trip at which the window reaches twice the configured budget, its most. */
export const FULL_WINDOW_RTT_MS = 40;

/** Bytes to add to a budget of `budgetBytes` for a link of `roundTripMs`: none on loopback, the whole budget again at 40 ms or more. */
export function extraWindowBytes(budgetBytes: number, roundTripMs: number): number {
  if (!Number.isFinite(roundTripMs) || roundTripMs <= 0) return 0;
  return Math.floor(budgetBytes * Math.min(1, roundTripMs / FULL_WINDOW_RTT_MS));
}

/** Milliseconds one command round trip of `noop` takes. */
export async function timeRoundTrip(noop: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await noop();
  return performance.now() - started;
}

/**
 * The longer of both sides' command round trips, in ms. Each side's is the quickest answer
 * its login got to a command the server does no work for (CAPABILITY, ID, NAMESPACE,
 * ENABLE; CAPA on POP3): several samples, taken on a quiet connection, at no cost. A side
 * whose login gave none (an older session type, a server that answered nothing of the
 * kind) is timed with the shorter of two NOOPs, so that one answer delayed by a busy
 * machine does not pass for a long link. A source NOOP that fails counts as 0; imapflow's
 * noop() does not report a failure (it resolves once answered or failed). Either way the
 * connection's next command meets the problem and handles it.
 */
export async function measureRoundTrip<M extends PlannedMessage>(src: SourceSession<M>, tgt: ImapFlow & { fastestAnswerMs?: number }): Promise<number> {
  const shorterOfTwo = async (once: () => Promise<number>): Promise<number> => Math.min(await once(), await once());
  const sides = await Promise.all([
    src.knownRoundTrip?.() ?? (src.roundTrip ? shorterOfTwo(() => src.roundTrip!()).catch(() => 0) : 0),
    tgt.fastestAnswerMs ?? shorterOfTwo(() => timeRoundTrip(() => tgt.noop())).catch(() => 0),
  ]);
  return Math.max(...sides);
}
