/**
 * Shared pieces of the e2e tests: the extension build, Debian's Chromium with the extension
 * loaded (playwright-core, never `playwright install`), and the real bridge as a child process.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { NODE_FLAGS } from '../../../bridge/cli/node-flags';
import { DEFAULT_BRIDGE_PORT } from '../../../shared/bridge-defaults';
import { getFreePort } from '../../harness/free-port';
import { EXTENSION_DIR as PRODUCTION_EXTENSION_DIR } from './extension-builds';

const execFileAsync = promisify(execFile);

/**
 * Headless Chromium as root on this closed network (background networking off, or its
 * connection attempts are refused many at a time), with one unpacked extension loaded. One
 * renderer process where Chromium may share one (site isolation still separates what it must):
 * a renderer per page and frame cost these files 3 to 15% more CPU (process accounting, each
 * file run alone twice each way), on a suite whose time follows its CPU.
 */
export function chromiumArgs(locale: string, extensionDir: string): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--renderer-process-limit=1',
    `--lang=${locale}`,
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
  ];
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export { EXTENSION_DIR, TEST_EXTENSION_DIR, ensureExtensionBuilt, ensureTestExtensionBuilt } from './extension-builds';
export const CHROMIUM = process.env.MAILMOVER_CHROMIUM ?? '/usr/bin/chromium';
/** The bridge's launcher (package.json "bin"): runs the bundled build. */
export const LAUNCHER = path.join(ROOT, 'bridge', 'cli', 'bin.mjs');
export const SCREENSHOTS = process.env.MAILMOVER_SCREENSHOTS ?? '/tmp/mailmover-screens';

export async function launchWithExtension(
  locale: string,
  viewport = { width: 1360, height: 900 },
  extensionDir = PRODUCTION_EXTENSION_DIR,
): Promise<{ context: BrowserContext; worker: Worker; userDataDir: string }> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'mailmover-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    locale,
    viewport,
    deviceScaleFactor: 1,
    acceptDownloads: true,
    args: chromiumArgs(locale, extensionDir),
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  return { context, worker, userDataDir };
}

/**
 * A Chromium launch started ahead of the block that uses it, e.g. beside a file's mail servers
 * and bridge (they and Chromium start in parallel): the block's beforeAll take()s it. discard()
 * closes it when no block took it (the file's setup failed first); a block that took it closes it.
 */
export class EarlyLaunch<T extends { context: BrowserContext; userDataDir: string }> {
  private taken = false;
  private readonly launch: Promise<T>;

  constructor(start: () => Promise<T>) {
    this.launch = start();
    this.launch.catch(() => undefined); // taken (and its failure seen) later
  }

  take(): Promise<T> {
    this.taken = true;
    return this.launch;
  }

  async discard(): Promise<void> {
    if (this.taken) return;
    const launched = await this.launch.catch(() => undefined);
    await launched?.context.close();
    if (launched) await rm(launched.userDataDir, { recursive: true, force: true });
  }
}

interface WorkerChrome {
  storage?: { local?: { set(items: Record<string, unknown>): Promise<void> } };
}

export async function setBridgePort(worker: Worker, port: number): Promise<void> {
  // The worker target can appear a moment before chrome.* is bound into it.
  const deadline = Date.now() + 10_000;
  while ((await worker.evaluate(() => typeof (globalThis as { chrome?: WorkerChrome }).chrome?.storage?.local)) !== 'object') {
    if (Date.now() > deadline) throw new Error('chrome.storage never appeared in the service worker');
    await new Promise((r) => setTimeout(r, 100));
  }
  await worker.evaluate(async (bridgePort) => {
    await (globalThis as { chrome?: WorkerChrome }).chrome!.storage!.local!.set({ bridgePort });
  }, port);
}

/**
 * The real bridge as `npm run bridge` runs it: `node bridge/cli/bin.mjs start` with the
 * project's node flags. The launcher runs the esbuild bundle (rebuilt first when a source under
 * bridge/ or shared/ changed), so each start costs about a second less CPU than compiling the
 * sources through tsx. Its pairing code is read from stdout.
 */
export class BridgeProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(
    /** The port asked for; a new free one after "already in use" (see start). */
    public port: number,
    readonly stateDir: string,
    private readonly env: Record<string, string> = {},
  ) {}

  /**
   * Starts the bridge and resolves with its pairing code. A port found free a moment ago can be
   * taken by another test's server before the bridge binds it: the bridge then exits saying the
   * port is in use, and it is started again on another free port (never the default 7878).
   */
  async start(): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce();
      } catch (err) {
        if (attempt >= 5 || !/is already in use/.test(this.output)) throw err;
        do this.port = await getFreePort();
        while (this.port === DEFAULT_BRIDGE_PORT);
      }
    }
  }

  private async startOnce(): Promise<string> {
    this.output = '';
    const child = spawn(process.execPath, [...NODE_FLAGS, LAUNCHER, 'start', '--port', String(this.port), '--state-dir', this.stateDir], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // Read as the lines come, not on a timer: the code is there the moment the bridge listens.
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => fail('did not print a pairing code in 60 s'), 60_000);
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`the bridge did not start (${why}):\n${this.output}`));
      };
      const read = (d: Buffer) => {
        this.output += d.toString();
        const m = /Pairing code: ([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code, signal) => fail(`exited with ${signal ?? code}`));
    });
  }

  /** A new one-time code from `bridge pair` on the same state dir. */
  pairCode(): string {
    return pairingCodeIn(execFileSync(process.execPath, [...NODE_FLAGS, LAUNCHER, 'pair', '--state-dir', this.stateDir], { cwd: ROOT, encoding: 'utf8' }));
  }

  /** The same without blocking the test's event loop (Chromium can start meanwhile). */
  async newPairCode(): Promise<string> {
    const { stdout } = await execFileAsync(process.execPath, [...NODE_FLAGS, LAUNCHER, 'pair', '--state-dir', this.stateDir], { cwd: ROOT, encoding: 'utf8' });
    return pairingCodeIn(stdout);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    this.child = undefined;
  }
}

function pairingCodeIn(out: string): string {
  const m = /([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(out);
  if (!m) throw new Error(`no pairing code in: ${out}`);
  return m[1]!;
}

/** Pairs the loaded extension through its popup, as a user types the code the bridge printed. */
export async function pairInPopup(context: BrowserContext, extensionId: string, code: string, labels: { code: string; button: string }): Promise<void> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await popup.locator('[data-testid="bridge-status"][data-state="unpaired"]').waitFor({ timeout: 20_000 });
  await popup.getByLabel(labels.code).fill(code);
  await popup.getByRole('button', { name: labels.button }).click();
  await popup.locator('[data-testid="bridge-status"][data-state="connected"]').waitFor({ timeout: 20_000 });
  await popup.close();
}

/**
 * Chromium with the extension in `locale`, paired with the bridge on `port` through the popup
 * (`code`: the code the bridge printed), and its dashboard's migrations list open once the
 * bridge is connected.
 */
export async function openPairedDashboard(
  locale: string,
  port: number,
  code: string,
  labels: { code: string; button: string },
  extensionId: string,
): Promise<{ context: BrowserContext; userDataDir: string; page: Page }> {
  const { context, worker, userDataDir } = await launchWithExtension(locale);
  await setBridgePort(worker, port);
  await pairInPopup(context, extensionId, code, labels);
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/dashboard.html#/jobs`);
  await page.locator('[data-testid="bridge-chip"][data-state="connected"]').waitFor({ timeout: 30_000 });
  return { context, userDataDir, page };
}

/**
 * Creates a job from the extension's page, as the dashboard does (chrome.runtime to the service
 * worker, `job.createWithAccounts` to the bridge); each account group's rows become the CSV the
 * bridge imports. Returns the job's id.
 */
export async function createJobInPage(
  page: Page,
  params: { name: string; source: Record<string, unknown>; target: Record<string, unknown>; concurrency?: number; batchMessages?: number; accounts: Array<{ mode: string; rows: string[][] }> },
): Promise<string> {
  return page.evaluate(async ({ accounts, ...rest }) => {
    type Send = (m: unknown) => Promise<{ ok: boolean; result: { job: { id: string } | null }; error?: unknown }>;
    const send = (globalThis as unknown as { chrome: { runtime: { sendMessage: Send } } }).chrome.runtime.sendMessage;
    const csv = (rows: string[][]) => btoa(['source,target,source_password,target_password', ...rows.map((r) => r.join(','))].join('\r\n') + '\r\n');
    const r = await send({ kind: 'bridge.request', type: 'job.createWithAccounts', params: { ...rest, accounts: accounts.map((a) => ({ mode: a.mode, csvBase64: csv(a.rows) })) } });
    if (!r.ok || !r.result.job) throw new Error(JSON.stringify(r));
    return r.result.job.id;
  }, params);
}

/** The end of a suite that ran Chromium, the bridge and two mail servers: each part that started, stopped, and its folders removed. */
export async function tearDownSuite(parts: {
  context?: BrowserContext;
  userDataDir?: string;
  bridge?: { stop(): Promise<unknown> };
  servers?: ReadonlyArray<{ stop(): Promise<unknown> } | undefined>;
  stateDir?: string;
}): Promise<void> {
  await parts.context?.close();
  if (parts.userDataDir) await rm(parts.userDataDir, { recursive: true, force: true });
  await parts.bridge?.stop();
  await Promise.all((parts.servers ?? []).map((s) => s?.stop()));
  if (parts.stateDir) await rm(parts.stateDir, { recursive: true, force: true });
}
