import { expect } from 'vitest';
import { readFolder } from '../harness/mailbox';
import type { AnyMailServer, MailUser } from '../harness/servers';
import { describeRun, parseReport, type CliResult } from './cli-runner';

/** Message-ID -> how many times it is in the folder. */
export async function messageIds(server: AnyMailServer, user: MailUser, folder: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await readFolder(server, user, folder, { withRaw: true })) {
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(m.raw!.toString('latin1'))?.[1] ?? `(none, ${m.sha256})`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/**
 * What two `migrate` processes of one mailbox pair started together must end with: every seeded
 * message exactly once in its target folder, one run done with all of them copied, the other
 * refused as ALREADY_RUNNING (exit 1, nothing copied) naming the winner's pid, and refused before
 * the winner ended. Returns the winner's and the loser's index in `results`.
 */
export async function expectOneCopiedOneRefused(
  server: AnyMailServer,
  target: MailUser,
  folders: ReadonlyArray<{ target: string; ids: string[] }>,
  runs: ReadonlyArray<{ pid: number | undefined }>,
  results: CliResult[],
): Promise<{ winner: number; loser: number; message: string }> {
  const total = folders.reduce((s, f) => s + f.ids.length, 0);
  for (const f of folders) {
    const onTarget = await messageIds(server, target, f.target);
    const doubled = [...onTarget].filter(([, n]) => n > 1);
    expect(doubled.length, `${f.target}: messages that arrived more than once (of ${f.ids.length}), e.g. ${doubled.slice(0, 3).map(([id, n]) => `${id} x${n}`).join(', ')}`).toBe(0);
    expect([...onTarget.keys()].sort(), f.target).toEqual([...f.ids].sort());
  }
  const winner = results.findIndex((r) => r.code === 0);
  const loser = results.findIndex((r) => r.code !== 0);
  expect(winner, `one run ends done:\n${results.map(describeRun).join('\n')}`).toBeGreaterThanOrEqual(0);
  expect(loser, `one run is refused:\n${results.map(describeRun).join('\n')}`).toBeGreaterThanOrEqual(0);
  const won = results[winner]!;
  const lost = results[loser]!;
  expect(parseReport(won.stdout).accounts[0]).toMatchObject({ status: 'done', messagesCopied: total });
  expect(lost.code, describeRun(lost)).toBe(1);
  const refused = parseReport(lost.stdout).accounts[0]!;
  expect(refused).toMatchObject({ status: 'failed', messagesCopied: 0, messagesAlreadyPresent: 0, folders: [] });
  expect(refused.error?.code).toBe('ALREADY_RUNNING');
  expect(refused.error!.message).toContain(`process ${runs[winner]!.pid}, running since `);
  // Refused before doing anything: it ended while the other was still copying.
  expect(lost.ms).toBeLessThan(won.ms);
  return { winner, loser, message: refused.error!.message };
}
