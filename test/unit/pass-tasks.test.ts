/**
 * The order in which a pass's workers take its tasks (PassTasks, pass-loop.ts), with two
 * workers taking turns by hand.
 */
import { describe, expect, it } from 'vitest';
import { PassTasks } from '../../bridge/engine/pass-tasks';

type T = { kind: 'plan'; folder: string } | { kind: 'copy'; folder: string; n: number };
const plan = (folder: string): T => ({ kind: 'plan', folder });
const copy = (folder: string, n: number): T => ({ kind: 'copy', folder, n });
const running = () => false;
/** Lets every promise that can settle now settle. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** A worker's take, looked at before and after it settles. */
function taking(tasks: PassTasks<T>, stopped: () => boolean = running) {
  const state: { settled: boolean; task: T | undefined } = { settled: false, task: undefined };
  const done = tasks.take(stopped).then((task) => {
    state.settled = true;
    state.task = task;
  });
  return { state, done };
}

describe('PassTasks', () => {
  it('a folder that failed an earlier attempt is planned only once nothing else is queued or running, so that its failure cannot cut the other folders short', async () => {
    // Archive failed the attempt before (failedFolders): every message of it is unreadable,
    // and its plan fails again. Before, it only went behind the other plans in the queue:
    // with two workers, the second took it while the first was still planning Work, its
    // failure ended the attempt after a narrowing's time, and every attempt did the same.
    // Work was copied a slice per attempt (none when planning it took longer than the
    // narrowing), and the run ended FOLDER_UNREADABLE saying "the other folders are copied".
    const tasks = new PassTasks<T>([plan('Work'), plan('Archive')], (t) => t.kind === 'plan' && t.folder === 'Archive');
    const a1 = await tasks.take(running);
    expect(a1).toEqual(plan('Work'));
    const b1 = taking(tasks);
    await settle();
    expect(b1.state.settled).toBe(false);
    // Work's plan queues its chunks and ends: both workers copy them.
    tasks.queue.unshift(copy('Work', 1), copy('Work', 2));
    tasks.done(a1!);
    await b1.done;
    expect(b1.state.task).toEqual(copy('Work', 1));
    const a2 = await tasks.take(running);
    expect(a2).toEqual(copy('Work', 2));
    // Nothing queued, two chunks being copied: Archive waits for both.
    const a3 = taking(tasks);
    await settle();
    expect(a3.state.settled).toBe(false);
    tasks.done(b1.state.task!);
    await settle();
    expect(a3.state.settled).toBe(false);
    tasks.done(a2!);
    await a3.done;
    expect(a3.state.task).toEqual(plan('Archive'));
    // The other worker waits for Archive's chunks, and ends when its plan fails.
    const b2 = taking(tasks);
    let failed = false;
    const b3 = taking(tasks, () => failed);
    await settle();
    expect(b2.state.settled).toBe(false);
    tasks.done(a3.state.task!);
    await b2.done;
    expect(b2.state.task).toBeUndefined();
    failed = true;
    tasks.notify();
    await b3.done;
    expect(b3.state.task).toBeUndefined();
  });

  it('two folders that failed: one at a time, each once the other is done', async () => {
    const failedBefore = new Set(['A', 'B']);
    const tasks = new PassTasks<T>([plan('A'), plan('Work'), plan('B')], (t) => t.kind === 'plan' && failedBefore.has(t.folder));
    const first = await tasks.take(running);
    expect(first).toEqual(plan('Work'));
    tasks.done(first!);
    const second = await tasks.take(running);
    expect(second).toEqual(plan('A'));
    const third = taking(tasks);
    await settle();
    expect(third.state.settled).toBe(false);
    tasks.done(second!);
    await third.done;
    expect(third.state.task).toEqual(plan('B'));
  });

  it('no folder failed before: a worker waits only while a folder is being planned, and ends when nothing is left', async () => {
    const tasks = new PassTasks<T>([plan('INBOX')]);
    const a = await tasks.take(running);
    const b = taking(tasks);
    await settle();
    expect(b.state.settled).toBe(false);
    tasks.queue.push(copy('INBOX', 1));
    tasks.done(a!);
    await b.done;
    expect(b.state.task).toEqual(copy('INBOX', 1));
    // A chunk still being copied holds nobody back: nothing can come of it.
    expect(await tasks.take(running)).toBeUndefined();
  });
});
