/**
 * End-to-end, in Chinese (issue 17 point 1): the dashboard in Debian's Chromium on a real
 * bridge, first running passes itself, then restarted on the same port and state dir as the
 * coordinator of a queue (real redis-server, two in-process queue workers, two Dovecots; the
 * worker processes and a SIGKILL are queue-cluster.test.ts's subject).
 * - Without a queue there is no 工作节点 tab, and #/workers says the bridge runs passes itself.
 * - In queue mode the tab appears once the extension reconnects; while both accounts run, the
 *   workers page lists each worker with its name, host, version and the account it runs, and
 *   each account's row and drawer name the worker the page lists it under; after the passes,
 *   each worker shows a heartbeat seconds old, nothing running, its account done and a
 *   throughput above zero.
 * The target sits behind a 100 ms round-trip link (bench/latency-proxy.ts) so that a pass
 * outlasts a 5 s heartbeat on any machine; the job is created over the extension's own
 * message path (the wizard has its own e2e).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLatencyProxy, type LatencyProxy } from '../../bench/latency-proxy';
import { loadClusterKey, writeNewClusterKey } from '../../bridge/queue/cluster-key';
import { MAILMOVER_VERSION, startQueueWorker, type QueueWorkerHandle } from '../../bridge/queue/queue-worker';
import { parseRedisUrl } from '../../bridge/queue/redis-url';
import { startBridge, type Bridge } from '../../bridge/server/bridge';
import { translator } from '../../extension/i18n';
import { EXTENSION_ID } from '../../shared/extension-id';
import { startDovecot, type DovecotServer, type DovecotUser } from '../harness/dovecot';
import { getFreePort } from '../harness/free-port';
import { seedFolder } from '../harness/mailbox';
import { startRedis, type RedisServer } from '../harness/redis';
import { bulkMessages } from '../support/corpus';
import { CHROMIUM, SCREENSHOTS, ensureExtensionBuilt, launchWithExtension, pairInPopup, setBridgePort, tearDownSuite, createJobInPage } from './support/browser';

const REDIS_PW = 'Workers-e2e-redis-Tq5';
const SRC: DovecotUser[] = [1, 2].map((n) => ({ user: `wp${n}@old.example.com`, password: `Old-wp-${n}-Hk3` }));
const TGT: DovecotUser[] = [1, 2].map((n) => ({ user: `wp${n}@new.example.com`, password: `New-wp-${n}-Md8` }));
const MESSAGES = 24;
const WORKER_NAMES = ['wp-worker-a', 'wp-worker-b'];
const t = translator('zh-CN');
const DASHBOARD = `chrome-extension://${EXTENSION_ID}/dashboard.html`;

const row = (page: Page, user: string) => page.locator(`[data-testid="account-row"][data-account="${user}"]`);
const workerRow = (page: Page, name: string) => page.locator(`[data-testid="workers-table"] tr[data-worker="${name}"]`);
const navLabels = (page: Page) => page.locator('.topnav a').allInnerTexts();

describe('the workers page and the worker of each account (zh-CN)', () => {
  let redis: RedisServer;
  let src: DovecotServer;
  let tgt: DovecotServer;
  let link: LatencyProxy;
  let bridge: Bridge;
  let port: number;
  let stateDir: string;
  let workDir: string;
  let keyFile: string;
  const workers: QueueWorkerHandle[] = [];
  const workerLog: string[] = [];
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await ensureExtensionBuilt();
    let swWorker: Worker;
    [redis, src, tgt, { context, worker: swWorker, userDataDir }] = await Promise.all([
      startRedis({ name: 'e2e-workers', password: REDIS_PW }),
      startDovecot({ name: 'e2e-workers-src', users: SRC }),
      startDovecot({ name: 'e2e-workers-tgt', users: TGT }),
      launchWithExtension('zh-CN'),
    ]);
    await Promise.all(SRC.map((u, i) => seedFolder(src, u, 'INBOX', bulkMessages(MESSAGES, 170 + i, { prefix: `wp${i}` }))));
    link = await startLatencyProxy({ host: '127.0.0.1', port: tgt.imapPort }, { rttMs: 100 });
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-workers-'));
    workDir = mkdtempSync(path.join(os.tmpdir(), 'mailmover-e2e-workers-w-'));
    keyFile = path.join(workDir, 'cluster.key');
    writeNewClusterKey(keyFile);
    // The first bridge runs passes itself; the queue-mode one takes its port and pairing later.
    port = await getFreePort();
    bridge = await startBridge({ port, stateDir, stderr: null });
    await setBridgePort(swWorker, port);
    await pairInPopup(context, EXTENSION_ID, bridge.auth.pairing.create().code, { code: t('pairCodeLabel'), button: t('pairButton') });
    page = await context.newPage();
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled(workers.map((w) => w.stop('test')));
    await link?.close();
    await tearDownSuite({ context, userDataDir, bridge: bridge && { stop: () => bridge.close() }, servers: [src, tgt, redis], stateDir });
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('a bridge without a queue has no workers tab, and its workers page says it runs the passes itself', async () => {
    await page.goto(`${DASHBOARD}#/workers`);
    await page.locator('[data-testid="bridge-chip"][data-state="connected"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('workers-local').innerText({ timeout: 20_000 })).toBe(t('workersLocal'));
    // The open page keeps its tab; once workers.list has answered (above), the jobs page has three.
    expect(await navLabels(page)).toContain(t('navWorkers'));
    await page.locator('.topnav a', { hasText: t('navJobs') }).click();
    await page.getByTestId('workers-local').waitFor({ state: 'detached' });
    expect(await navLabels(page)).toEqual([t('navJobs'), t('newMigration'), t('migrateMyMailbox')]);
    await page.goto(`${DASHBOARD}#/workers`);
    await page.getByTestId('workers-local').waitFor();
    expect(await page.getByTestId('workers-table').count()).toBe(0);
  });

  it('in queue mode the page lists each worker and what it runs; rows and drawer name the worker', async () => {
    await bridge.close();
    bridge = await startBridge({
      port,
      stateDir,
      stderr: null,
      queue: { url: redis.url, clusterKeyFile: keyFile, hostConnections: 8 },
    });
    for (const name of WORKER_NAMES) {
      workers.push(
        await startQueueWorker({
          redis: parseRedisUrl(redis.url),
          clusterKey: loadClusterKey(keyFile),
          stateDir: mkdtempSync(path.join(workDir, `${name}-`)),
          concurrency: 1,
          name,
          log: (line) => workerLog.push(line),
        }),
      );
    }
    // The extension reconnects to the restarted bridge and asks again whether it has a queue.
    await page.goto(`${DASHBOARD}#/`);
    await expect.poll(() => navLabels(page), { timeout: 30_000 }).toContain(t('navWorkers'));
    await page.locator('[data-testid="bridge-chip"][data-state="connected"]').waitFor({ timeout: 30_000 });

    const server = (port: number) => ({ host: '127.0.0.1', port, security: 'plain', allowPlaintext: true });
    const jobId = await createJobInPage(page, {
      name: '队列工作节点',
      source: { ...server(src.imapPort), protocol: 'imap' },
      target: server(link.port),
      concurrency: 1,
      batchMessages: 2,
      accounts: [{ mode: 'admin-with-passwords', rows: SRC.map((s, i) => [s.user, TGT[i]!.user, s.password, TGT[i]!.password]) }],
    });
    const passStarted = Date.now();

    // While the passes run: each row names a worker, and the two accounts went to the two workers.
    await page.goto(`${DASHBOARD}#/jobs/${jobId}`);
    const workerOf = new Map<string, string>();
    for (const u of SRC) {
      const tag = row(page, u.user).getByTestId('row-worker');
      await tag.waitFor({ timeout: 30_000 });
      const text = (await tag.innerText()).trim();
      const name = WORKER_NAMES.find((n) => text === t('accountOnWorker', { worker: n }));
      expect(name, text).toBeDefined();
      workerOf.set(u.user, name!);
    }
    expect(new Set(workerOf.values()).size, JSON.stringify([...workerOf])).toBe(2);
    expect(await row(page, SRC[0]!.user).getAttribute('data-status')).toBe('in_progress');

    // The workers page, opened anew until a heartbeat names the running accounts (workers beat every 5 s).
    await page.goto(`${DASHBOARD}#/workers`);
    const workersTab = page.locator('.topnav a', { hasText: t('navWorkers') });
    expect(await workersTab.getAttribute('aria-current')).toBe('page');
    const runningText = async (name: string) => {
      await page.goto(`${DASHBOARD}#/`);
      await page.goto(`${DASHBOARD}#/workers`);
      return workerRow(page, name).getByTestId('worker-running').innerText({ timeout: 10_000 });
    };
    for (const u of SRC) {
      const name = workerOf.get(u.user)!;
      let seen = '';
      for (const deadline = Date.now() + 15_000; !seen.includes(encodeURIComponent(u.user)) && Date.now() < deadline; ) seen = await runningText(name);
      // A pass outlasts a heartbeat; if it ended unseen, the message says when this gave up.
      expect(seen, `${name}, ${Date.now() - passStarted} ms after the job was created`).toContain(encodeURIComponent(u.user));
      expect(seen).toContain(t('workerRunningOf', { running: 1, slots: 1 }));
    }
    const queueLine = await page.getByTestId('workers-queue').innerText();
    expect(queueLine).toBe(t('workersQueue', { queue: `redis://:***@127.0.0.1:${redis.port}/0` }));
    expect(await page.locator('[data-testid="workers-table"] tbody tr').count()).toBe(2);
    for (const name of WORKER_NAMES) {
      const cells = await workerRow(page, name).locator('td').allInnerTexts();
      expect(cells[0]).toBe(name);
      expect(cells[1]).toBe(os.hostname());
      expect(cells[2]).toBe(MAILMOVER_VERSION);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workers-running-zh.png') });

    // The passes end; each row and drawer still names the worker that ran it.
    await page.goto(`${DASHBOARD}#/jobs/${jobId}`);
    for (const u of SRC) await row(page, u.user).and(page.locator('[data-status="first_pass_done"], [data-status="syncing"]')).waitFor({ timeout: 60_000 });
    for (const u of SRC) {
      expect((await row(page, u.user).getByTestId('row-worker').innerText()).trim()).toBe(t('accountOnWorker', { worker: workerOf.get(u.user)! }));
      await row(page, u.user).getByRole('button', { name: t('openDetails', { account: u.user }) }).click();
      const drawer = page.getByTestId('details-drawer');
      expect(await drawer.getByTestId('drawer-worker').innerText()).toBe(workerOf.get(u.user));
      expect(await drawer.locator('dt', { hasText: t('accountWorker') }).count()).toBe(1);
      await drawer.getByRole('button', { name: t('close'), exact: true }).click();
      await drawer.waitFor({ state: 'detached' });
    }

    // After a heartbeat: nothing running, one account done each, a throughput above zero, a heartbeat seconds old.
    const after = async (name: string) => {
      await page.goto(`${DASHBOARD}#/`);
      await page.goto(`${DASHBOARD}#/workers`);
      const r = workerRow(page, name);
      return { running: await r.getByTestId('worker-running').innerText({ timeout: 10_000 }), throughput: await r.getByTestId('worker-throughput').innerText() };
    };
    for (const name of WORKER_NAMES) {
      await expect.poll(async () => (await after(name)).running, { timeout: 15_000, interval: 500 }).toBe(t('workerRunningOf', { running: 0, slots: 1 }));
      const { throughput } = await after(name);
      expect(throughput).toContain(t('workerTotals', { done: 1, failed: 0, messages: MESSAGES }));
      const rate = /每秒 ([\d.]+) 封/.exec(throughput);
      expect(rate, throughput).not.toBeNull();
      expect(Number(rate![1])).toBeGreaterThan(0);
      // Workers beat every 5 s: the age shown is seconds, never a minute or more.
      const beat = (await workerRow(page, name).getByTestId('worker-heartbeat').innerText()).trim();
      const age = /^(\d+)秒钟前$/.exec(beat);
      expect(beat === '现在' || (age !== null && Number(age[1]) < 30), beat).toBe(true);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workers-done-zh.png') });
    expect(workerLog.filter((l) => l.startsWith('Running ')).length, workerLog.join('\n')).toBe(2);
  }, 120_000);
});
