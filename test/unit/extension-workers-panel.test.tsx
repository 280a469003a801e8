// @vitest-environment jsdom
/**
 * Queue mode in the dashboard: the workers panel lists each worker (name, host, version,
 * accounts running, last heartbeat, throughput) from workers.list and asks again while open;
 * without a queue it says the bridge runs the passes itself; the monitor row names the worker
 * running an account (and shows nothing of the kind for in-process accounts).
 */
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkersList } from '../../shared/protocol/workers';
import { StatusTable } from '../../extension/dashboard/monitor/StatusTable';
import { WorkersPanel } from '../../extension/dashboard/workers/WorkersPanel';
import { LocaleProvider } from '../../extension/i18n/locale-context';
import { formatDateTime } from '../../extension/lib/format';
import { makeAccount } from './extension-account-fixture';

afterEach(cleanup);
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 560 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1000 });
});

const beat = '2026-01-01T08:00:05.000Z';
const worker = (name: string, running: string[], mps: number): WorkersList['workers'][number] => ({
  name,
  host: `${name}.lan`,
  version: '0.9.0',
  concurrency: 2,
  running,
  startedAt: '2026-01-01T07:00:00.000Z',
  lastHeartbeat: beat,
  accountsDone: 12,
  accountsFailed: 1,
  messagesCopied: 3400,
  bytesCopied: 50_000_000,
  messagesPerSecond: mps,
  bytesPerSecond: 2 * 1024 * 1024,
  stopped: null,
});

describe('workers panel', () => {
  it('lists the workers with host, version, accounts running, heartbeat and throughput, and refreshes', async () => {
    let calls = 0;
    const load = async (): Promise<WorkersList> => {
      calls++;
      return {
        queue: 'redis://queue.lan:6379/0',
        workers: [worker('w1', ['imap://a%40old.example.com@old.example.com:993 -> imaps://a%40new.example.com@new.example.com:993'], 12.5), worker('w2', [], calls > 1 ? 3 : 0)],
      };
    };
    render(
      <LocaleProvider initial="en" persist={false}>
        <WorkersPanel load={load} pollMs={50} now={() => Date.parse(beat) + 3_000} />
      </LocaleProvider>,
    );
    const table = await screen.findByTestId('workers-table');
    expect(screen.getByTestId('workers-queue').textContent).toBe('Queue: redis://queue.lan:6379/0');
    const w1 = table.querySelector('tr[data-worker="w1"]') as HTMLElement;
    expect(within(w1).getByText('w1.lan')).toBeTruthy();
    expect(within(w1).getByText('0.9.0')).toBeTruthy();
    expect(within(w1).getByTestId('worker-running').textContent).toContain('1 of 2');
    expect(within(w1).getByTestId('worker-running').textContent).toContain('a%40old.example.com');
    expect(within(w1).getByTestId('worker-throughput').textContent).toContain('12.5 messages/s · 2.0 MB/s');
    expect(within(w1).getByTestId('worker-throughput').textContent).toContain('12 accounts done, 1 failed');
    const heartbeat = within(w1).getByTestId('worker-heartbeat');
    expect(heartbeat.textContent).toBe('3 seconds ago');
    expect(heartbeat.getAttribute('title')).toBe(formatDateTime(beat, 'en'));
    await waitFor(() => expect(calls).toBeGreaterThan(1));
    await waitFor(() => expect(within(table.querySelector('tr[data-worker="w2"]') as HTMLElement).getByTestId('worker-throughput').textContent).toContain('3.0 messages/s'));
  });

  it('says so in Chinese when no worker reports, and when the bridge runs passes itself', async () => {
    const { unmount } = render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <WorkersPanel load={async () => ({ queue: 'redis://q:6379/0', workers: [] })} />
      </LocaleProvider>,
    );
    expect((await screen.findByTestId('workers-none')).textContent).toContain('最近 20 秒内没有工作节点上报');
    unmount();
    render(
      <LocaleProvider initial="zh-CN" persist={false}>
        <WorkersPanel load={async () => ({ queue: null, workers: [] })} />
      </LocaleProvider>,
    );
    expect((await screen.findByTestId('workers-local')).textContent).toContain('未使用队列');
    expect(screen.getByRole('heading').textContent).toBe('队列工作节点');
  });

  it('the monitor row names the worker of a queued account, none for an in-process one', async () => {
    const inFlight = {
      jobId: 'job-1',
      status: 'in_progress',
      phase: 'copying',
      counters: { messagesTotal: 10, messagesCopied: 4, messagesSkipped: 0, messagesAlreadyPresent: 0, bytesCopied: 4096, messagesSyncedSinceFirstPass: 0 },
      error: null,
      startedAt: '2026-01-01T00:00:00.000Z',
    } as const;
    const queued = makeAccount({ ...inFlight, id: 'a1', source: 'a@old.example.com', target: 'a@new.example.com', worker: 'w1' });
    const local = makeAccount({ ...inFlight, id: 'a2', source: 'b@old.example.com', target: 'b@new.example.com' });
    const noop = () => undefined;
    await act(async () => {
      render(
        <LocaleProvider initial="zh-CN" persist={false}>
          <StatusTable rows={[queued, local]} selected={new Set()} onToggle={noop} onToggleAll={noop} onOpen={noop} sort={{ key: 'account', dir: 'asc' }} onSort={noop} />
        </LocaleProvider>,
      );
    });
    const tags = screen.getAllByTestId('row-worker');
    expect(tags.map((t) => t.textContent?.trim())).toEqual(['由 w1 执行']);
  });
});
