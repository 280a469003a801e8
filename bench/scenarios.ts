/**
 * The bench's scenarios. Each sets up the state it needs itself (an empty target account,
 * a finished migration, new mail on the source) and ends with the correctness check.
 * The scenarios with more moving parts live in files of their own (scenario-*.ts) and use
 * this class's helpers (runTool, record, allocTarget, settle).
 *
 * Servers: one source and one target Dovecot from the test harness (fsync on by default,
 * maildirs on disk). Every run that needs an empty target gets a fresh target account, so
 * runs never see each other's mail; an account's maildir is removed once it is checked.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type DovecotServer, type DovecotUser } from '../test/harness/dovecot';
import { createFolder, seedFolder } from '../test/harness/mailbox';
import { BENCH_FOLDERS, INCREMENT_FOLDERS, bigMessage, generateFolder, planCounts, type FolderSpec } from './corpus';
import { fsType, machineInfo, settle, waitQuiet, type MachineInfo } from './measure';
import type { BenchConfig } from './options';
import { summarizeProfile, type ProfileSummary } from './profile';
import type { AccountPair, BenchServers, ToolName, ToolRun } from './tools/common';
import { runDsync } from './tools/dsync';
import { imapsyncPath, runImapsync } from './tools/imapsync';
import { CLI_COMMAND_TEXT, REPO_ROOT, cliStartSeconds, runMailmover, runMailmoverVerify, setCliMode } from './tools/mailmover';
import { runMbsync } from './tools/mbsync';
import { compareSnapshots, snapshot, type CheckResult, type Snapshot } from './verify';

export interface RunRecord {
  scenario: string;
  tool: ToolName;
  /** which run: "round 1", "c=4 b=200", "run 2" */
  label: string;
  /** extra mailmover CLI options of this run */
  args: string[];
  /** messages and bytes the run had to move (what the check expects on the target) */
  messages: number;
  bytes: number;
  wallS: number;
  msgsPerS: number;
  mbPerS: number;
  peakRssMB: number;
  /** peak RSS of the run's first and second half (measure.ts): does memory grow with the work? */
  rssHalvesMB?: { first: number; second: number };
  cpuS: number;
  userS: number;
  sysS: number;
  sourceServerCpuS: number;
  targetServerCpuS: number;
  targetServerSysS: number;
  /** share of the machine's CPU (all cores) busy during the run, 0..1 */
  machineBusyShare: number;
  machineIowaitS: number;
  /** CPU seconds spent by anything else on the machine during the run (see ToolRun.otherCpuS) */
  otherCpuS: number;
  /** other load above 10% of the machine during the run: the run is repeated and not used as "best" while an undisturbed one exists */
  disturbed: boolean;
  /** machine CPU busy share in the second before the run (0..1) and how long the bench waited for quiet */
  before: { busyShare: number; waitedS: number };
  ok: boolean;
  error?: string;
  /** Dovecot Panic/Fatal log lines during the run, and mailmover's retry lines */
  serverPanics: string[];
  retries: string[];
  /** mailmover's own report */
  copied?: number;
  alreadyPresent?: number;
  check: CheckResult;
  /** the cluster scenario's runs: workers, their memory and CPU, Redis's CPU, who ran what */
  cluster?: ClusterRunDetails;
}

/**
 * One run of the cluster scenario. The record's CPU is the CLI's plus every worker's, and its
 * peak RSS the largest worker's (the engine runs there); the CLI batch's own figures are here.
 */
export interface ClusterRunDetails {
  /** worker processes (0: the same accounts in-process, without --queue) */
  workers: number;
  /** accounts each worker ran at once (worker --concurrency); in-process: --account-concurrency */
  concurrency: number;
  accounts: number;
  /** wall / accounts */
  perAccountMs: number;
  /** each worker's peak RSS (VmHWM, from its start to the end of the run), MB */
  workerPeakRssMB: number[];
  /** each worker's CPU seconds during the run */
  workerCpuS: number[];
  /** seconds from spawning the workers until every one said it takes jobs (not in the wall time) */
  workerStartS: number;
  /** the enqueuing CLI (`migrate --accounts --queue --json`) alone */
  cliPeakRssMB: number;
  cliCpuS: number;
  redisCpuS: number;
  /** accounts per worker name, from the JSON summary's worker field */
  accountsPerWorker: Record<string, number>;
  /** the machine's 1-minute load average when the run started */
  loadAvg1: number;
}

export interface CorpusInfo {
  seed: number;
  messages: number;
  bytes: number;
  folders: Array<{ path: string; messages: number; bytes: number }>;
  bigMessages: number;
  seedSeconds: number;
  batch: { accounts: number; messagesPerAccount: number; bytes: number };
  bigMessageBytes: number;
  /** the link scenario's source (same generator as the main corpus, fewer messages) */
  link?: { messages: number; bytes: number };
  /** the 100k scenario's one folder */
  bulk?: { messages: number; bytes: number; writeSeconds: number };
  /** the cluster scenario's accounts, and its one account for queue mode's overhead */
  cluster?: {
    accounts: number;
    messagesPerAccount: number;
    bytes: number;
    oneAccountMessages: number;
    oneAccountBytes: number;
    /** Redis after the scenario: its used_memory, the job records kept (finished jobs stay 24 h) and their average size */
    redis?: { usedMemoryMB: number; jobs: number; bytesPerJob: number };
  };
}

/**
 * Version 2 (issue 14): runs of every tool in every scenario (startup, link at each bandwidth,
 * 100k and its re-run, batch and its re-run, no-change and incremental for dsync and mbsync
 * too), `scenarioNotes`, and `cli` (the command mailmover was started with). Version 1 files
 * have the same fields minus these and read the same way.
 */
export interface BenchResult {
  version: 2;
  startedAt: string;
  finishedAt: string;
  config: Omit<BenchConfig, 'jsonOut'>;
  machine: MachineInfo;
  corpus: CorpusInfo;
  /** process start + module loading of the CLI alone (`migrate --help`) */
  cliStart: { wallS: number; peakRssMB: number };
  /** the command line mailmover runs used, e.g. `npm run --silent bridge -- migrate ...` */
  cli?: string;
  /** per scenario, what the reader must know to read its rows (e.g. which side of the link dsync crosses) */
  scenarioNotes?: Record<string, string>;
  runs: RunRecord[];
  profile?: ProfileSummary & { savedAs?: string };
  note?: string;
}

type Log = (line: string) => void;

/**
 * Both bench servers offer COMPRESS=DEFLATE (RFC 4978; Dovecot's imap_zlib plugin), as many
 * providers do: a client uses it only when it asks (mailmover with --compress, the link
 * scenario's extra runs).
 */
const OFFER_COMPRESS = 'protocol imap {\n  mail_plugins = $mail_plugins imap_zlib\n}\n';

export const SOURCE_MAIN: DovecotUser = { user: 'alice@old.example.com', password: 'Alice-src-pw-7Hq' };
const SOURCE_BIG: DovecotUser = { user: 'big@old.example.com', password: 'Big-src-pw-3Xk' };
export const SOURCE_LINK: DovecotUser = { user: 'link@old.example.com', password: 'Link-src-pw-5Rt' };
export const SOURCE_BULK: DovecotUser = { user: 'bulk@old.example.com', password: 'Bulk-src-pw-8Wz' };
export const batchSource = (i: number): DovecotUser => ({ user: `batch${String(i).padStart(4, '0')}@old.example.com`, password: `Batch${i}-src-pw` });
export const clusterSource = (i: number): DovecotUser => ({ user: `cluster${String(i).padStart(4, '0')}@old.example.com`, password: `Cluster${i}-src-pw` });
export const SOURCE_CLUSTER_ONE: DovecotUser = { user: 'one@old.example.com', password: 'One-src-pw-2Vb' };
const targetUser = (i: number): DovecotUser => ({ user: `t${String(i).padStart(4, '0')}@new.example.com`, password: `T${i}-tgt-pw-9Lm` });

/** A tool's finished migration of the main corpus, kept for the re-run scenarios. */
interface Finished {
  target: DovecotUser;
  /** mailmover's state dir */
  stateDir: string;
  /** mbsync's config and state dir */
  mbsyncDir: string;
  mapping?: Map<string, string>;
}

/** Where one tool run writes its own state (a fresh one, or a finished run's to re-run it). */
export interface RunPlace {
  stateDir?: string;
  mbsyncDir?: string;
}

export function bytesOf(s: Snapshot): number {
  let n = 0;
  for (const msgs of s.values()) for (const m of msgs) n += m.size;
  return n;
}
export function countOf(s: Snapshot): number {
  let n = 0;
  for (const msgs of s.values()) n += msgs.length;
  return n;
}

export class Bench {
  readonly runs: RunRecord[] = [];
  servers!: BenchServers;
  private readonly extraServers: DovecotServer[] = [];
  readonly scratch: string;
  private nextTarget = 1;
  private poolSize = 0;
  private sourceSnap: Snapshot = new Map();
  private readonly finished = new Map<ToolName, Finished>();
  private incrementNo = 0;
  private runNo = 0;
  readonly scenarioNotes: Record<string, string> = {};
  corpus!: CorpusInfo;
  machine!: MachineInfo;
  cliStart = { wallS: 0, peakRssMB: 0 };
  private lastQuiet = { waitedS: 0, busyShare: 0 };
  profile?: BenchResult['profile'];

  constructor(
    readonly cfg: BenchConfig,
    readonly log: Log,
  ) {
    this.scratch = mkdtempSync(join(tmpdir(), 'mailmover-bench-'));
    setCliMode(cfg.cli);
  }

  private get hasImapsync(): boolean {
    return this.cfg.tools.includes('imapsync') && imapsyncPath() !== undefined;
  }

  comparedTools(): ToolName[] {
    return this.cfg.tools.filter((t) => t !== 'imapsync' || this.hasImapsync);
  }

  // ------------------------------------------------------------------------------------------
  // servers and corpus

  async start(): Promise<void> {
    const cfg = this.cfg;
    const tools = this.comparedTools().length;
    const has = (x: (typeof cfg.scenarios)[number]) => cfg.scenarios.includes(x);
    const runsNeeded =
      cfg.rounds * tools +
      (cfg.sweep ? cfg.sweepConcurrency.length * cfg.sweepBatch.length * cfg.rounds : 0) +
      (has('link') ? (cfg.rounds * cfg.linkMbit.length + 1) * tools : 0) +
      (has('100k') ? tools : 0) +
      (has('batch') ? 2 * cfg.accounts : 0) +
      (has('cluster') ? cfg.rounds * (cfg.clusterWorkers.length + 1) * cfg.clusterAccounts + 2 * cfg.repeat : 0) +
      tools +
      8;
    this.poolSize = runsNeeded;
    // Every account is in the passwd-files from the start: adding a thousand one by one waits a second each.
    const targets = Array.from({ length: runsNeeded }, (_, i) => targetUser(i + 1));
    const sources = [
      SOURCE_MAIN,
      SOURCE_BIG,
      SOURCE_LINK,
      SOURCE_BULK,
      SOURCE_CLUSTER_ONE,
      ...Array.from({ length: has('batch') ? cfg.accounts : 0 }, (_, i) => batchSource(i + 1)),
      ...Array.from({ length: has('cluster') ? cfg.clusterAccounts : 0 }, (_, i) => clusterSource(i + 1)),
    ];
    this.log(`Starting source and target Dovecot (fsync ${cfg.fsync ? 'on' : 'off'}, maildirs under ${cfg.tmpRoot ?? 'the harness default'})`);
    const [source, target] = await Promise.all([
      startDovecot({ name: 'bench-src', users: sources, fsync: cfg.fsync, processPerConnection: true, tmpRoot: cfg.tmpRoot, extraConfig: OFFER_COMPRESS }),
      startDovecot({ name: 'bench-tgt', users: targets, fsync: cfg.fsync, processPerConnection: true, tmpRoot: cfg.tmpRoot, extraConfig: OFFER_COMPRESS }),
    ]);
    this.servers = { source, target };
    this.machine = machineInfo(source.baseDir);
    this.machine.mailStorage = { dir: cfg.tmpRoot ?? source.baseDir, fsType: fsType(source.baseDir) };
  }

  /** The servers' last log lines, for a failure message. */
  logTails(lines = 20): string {
    const all = [this.servers?.source, this.servers?.target, ...this.extraServers].filter((x): x is DovecotServer => !!x);
    return all.map((s) => `--- ${s.name} (${s.logPath}) ---\n${s.logTail(lines)}`).join('\n');
  }

  async stop(): Promise<void> {
    // The harness unrefs its Dovecot child processes and waits for their 'exit' event; when a
    // master needs longer than its 2 s grace period, nothing else keeps the event loop alive
    // and node would end with "unsettled top-level await" (exit 13) instead of finishing.
    const keepAlive = setInterval(() => undefined, 500);
    try {
      await Promise.all([this.servers?.source.stop(), this.servers?.target.stop(), ...this.extraServers.map((s) => s.stop())]);
    } finally {
      clearInterval(keepAlive);
      rmSync(this.scratch, { recursive: true, force: true });
    }
  }

  async seedAccount(user: DovecotUser, folders: readonly FolderSpec[], total: number, label: string, from?: Date, to?: Date): Promise<void> {
    for (const f of planCounts(total, folders).folders) {
      if (f.count === 0) {
        await createFolder(this.servers.source, user, f.path);
        continue;
      }
      for (const slice of generateFolder(f.path, f.count, { seed: this.cfg.seed, label, from, to })) {
        await seedFolder(this.servers.source, user, f.path, slice);
      }
    }
  }

  async seed(): Promise<void> {
    const cfg = this.cfg;
    const t0 = performance.now();
    this.log(`Seeding ${cfg.messages} messages into ${BENCH_FOLDERS.length} folders (seed ${cfg.seed})`);
    await this.seedAccount(SOURCE_MAIN, BENCH_FOLDERS, cfg.messages, 'main');
    let bigBytes = 0;
    if (cfg.scenarios.includes('big-message')) {
      const big = bigMessage(cfg.bigMb * 1024 * 1024, 'big-attachment');
      bigBytes = big.raw.length;
      await seedFolder(this.servers.source, SOURCE_BIG, 'INBOX', [big]);
    }
    const seedSeconds = (performance.now() - t0) / 1000;
    this.sourceSnap = await snapshot(this.servers.source, SOURCE_MAIN);
    const folders = [...this.sourceSnap.entries()].map(([path, msgs]) => ({ path, messages: msgs.length, bytes: msgs.reduce((s, m) => s + m.size, 0) }));
    this.corpus = {
      seed: cfg.seed,
      messages: countOf(this.sourceSnap),
      bytes: bytesOf(this.sourceSnap),
      folders,
      bigMessages: [...this.sourceSnap.values()].flat().filter((m) => m.size >= 1024 * 1024).length,
      seedSeconds: Math.round(seedSeconds * 10) / 10,
      // filled in by the batch scenario when it runs
      batch: { accounts: 0, messagesPerAccount: cfg.accountMessages, bytes: 0 },
      bigMessageBytes: bigBytes,
    };
    this.log(`Corpus: ${this.corpus.messages} messages, ${(this.corpus.bytes / 1048576).toFixed(1)} MB in ${folders.length} folders, seeded in ${seedSeconds.toFixed(1)} s`);
    this.cliStart = await cliStartSeconds(3);
    this.log(`CLI start alone (migrate --help, ${{ readme: "README's command", npm: "README's npm form", bundle: 'the bundle' }[cfg.cli]}): ${this.cliStart.wallS.toFixed(2)} s, ${this.cliStart.peakRssMB.toFixed(0)} MB`);
  }

  // ------------------------------------------------------------------------------------------
  // runs

  async allocTarget(server: DovecotServer = this.servers.target): Promise<DovecotUser> {
    if (server !== this.servers.target) {
      const u = targetUser(1000 + this.nextTarget++);
      await server.addUser(u);
      return u;
    }
    const u = targetUser(this.nextTarget++);
    if (this.nextTarget - 1 > this.poolSize) await server.addUser(u);
    return u;
  }

  /**
   * Removes a checked target account's maildir (nothing is logged in any more) only with
   * --free-targets: deleting thousands of files on ext4 (mounted with discard here) made the
   * next runs' file creation cost the target up to twice the kernel CPU, so by default the
   * maildirs stay until the servers stop (about 400 MB per full run).
   */
  freeTarget(server: DovecotServer, user: DovecotUser): void {
    if (this.cfg.freeTargets) rmSync(server.userHome(user.user), { recursive: true, force: true });
  }

  /** Before each measured run: write back dirty pages, then wait for a quiet machine. */
  async settle(): Promise<void> {
    await settle();
    if (this.cfg.quietWait > 0) {
      this.lastQuiet = await waitQuiet(this.cfg.quietWait, this.cfg.quietThreshold);
      if (this.lastQuiet.busyShare >= this.cfg.quietThreshold) {
        this.log(`  (machine still ${(this.lastQuiet.busyShare * 100).toFixed(0)}% busy after waiting ${this.lastQuiet.waitedS.toFixed(0)} s; measuring anyway)`);
      } else if (this.lastQuiet.waitedS > 2) {
        this.log(`  (waited ${this.lastQuiet.waitedS.toFixed(0)} s for the machine to be quiet)`);
      }
    }
  }

  stateDir(): string {
    const d = join(this.scratch, `state-${++this.runNo}`);
    mkdirSync(d, { recursive: true });
    return d;
  }

  record(scenario: string, label: string, run: ToolRun, args: string[], messages: number, bytes: number, check: CheckResult): RunRecord {
    const m = run.measure;
    const rec: RunRecord = {
      scenario,
      tool: run.tool,
      label,
      args,
      messages,
      bytes,
      wallS: round(m.wallS, 3),
      msgsPerS: messages > 0 ? round(messages / m.wallS, 1) : 0,
      mbPerS: bytes > 0 ? round(bytes / 1048576 / m.wallS, 2) : 0,
      peakRssMB: round(m.peakRssMB, 1),
      rssHalvesMB: m.rssHalvesMB && { first: round(m.rssHalvesMB.first, 1), second: round(m.rssHalvesMB.second, 1) },
      cpuS: round(m.cpuS, 2),
      userS: round(m.userS, 2),
      sysS: round(m.sysS, 2),
      sourceServerCpuS: round(run.sourceServerCpuS, 2),
      targetServerCpuS: round(run.targetServerCpuS, 2),
      targetServerSysS: round(run.targetServerSysS, 2),
      machineBusyShare: round(run.machineBusyShare, 3),
      machineIowaitS: round(run.machineIowaitS, 2),
      otherCpuS: round(run.otherCpuS, 2),
      disturbed: isDisturbed(run.otherCpuS, m.wallS, this.machine.nproc),
      before: { busyShare: round(this.lastQuiet.busyShare, 3), waitedS: round(this.lastQuiet.waitedS, 1) },
      ok: run.ok,
      error: run.error,
      serverPanics: run.serverPanics,
      retries: run.retries ?? [],
      copied: run.copied,
      alreadyPresent: run.alreadyPresent,
      check,
    };
    this.runs.push(rec);
    const verdict =
      (check.exact ? 'exact' : `NOT exact (${check.differing} differ, ${check.missing} missing, ${check.extra} extra)`) +
      (rec.retries.length ? `, ${rec.retries.length} retr${rec.retries.length > 1 ? 'ies' : 'y'}` : '') +
      (rec.serverPanics.length ? `, ${rec.serverPanics.length} Dovecot panic/fatal line(s): ${rec.serverPanics[0]}` : '');
    this.log(
      `  ${scenario} ${run.tool} ${label}: ${rec.wallS.toFixed(2)} s, ${rec.msgsPerS} msg/s, ${rec.peakRssMB.toFixed(0)} MB RSS, ${rec.cpuS} s CPU` +
        ` (servers ${rec.sourceServerCpuS}/${rec.targetServerCpuS} s, machine ${(rec.machineBusyShare * 100).toFixed(0)}% busy, other load ${rec.otherCpuS} s CPU), ${run.ok ? '' : `FAILED: ${run.error}; `}${verdict}`,
    );
    return rec;
  }

  /** Runs `tool` once for `pair` against `servers`, in `place` (a fresh state dir when not given). */
  async runTool(
    tool: ToolName,
    servers: BenchServers,
    pair: AccountPair,
    opts: { args?: string[]; nodeArgs?: string[]; place?: RunPlace } = {},
  ): Promise<{ run: ToolRun; place: Required<RunPlace> }> {
    const place = { stateDir: opts.place?.stateDir ?? '', mbsyncDir: opts.place?.mbsyncDir ?? '' };
    switch (tool) {
      case 'mailmover':
        place.stateDir ||= this.stateDir();
        return { run: await runMailmover(servers, { pair }, { stateDir: place.stateDir, extraArgs: opts.args, nodeArgs: opts.nodeArgs }), place };
      case 'dsync':
        return { run: await runDsync(servers, pair), place };
      case 'mbsync':
        place.mbsyncDir ||= mkdtempSync(join(this.scratch, 'mbsync-'));
        return { run: await runMbsync(servers, pair, place.mbsyncDir), place };
      case 'imapsync':
        return { run: await runImapsync(servers, pair, imapsyncPath()!), place };
    }
  }

  /** One full migration of the main corpus into a fresh target account. */
  private async fullRun(
    tool: ToolName,
    scenario: string,
    label: string,
    opts: { args?: string[]; nodeArgs?: string[]; keep?: boolean; target?: DovecotServer } = {},
  ): Promise<RunRecord> {
    const targetServer = opts.target ?? this.servers.target;
    const servers: BenchServers = { source: this.servers.source, target: targetServer };
    const target = await this.allocTarget(targetServer);
    const pair: AccountPair = { source: SOURCE_MAIN, target };
    const args = tool === 'mailmover' ? [...this.cfg.mailmoverArgs, ...(opts.args ?? [])] : [];
    await this.settle();
    const { run, place } = await this.runTool(tool, servers, pair, { args, nodeArgs: opts.nodeArgs });
    const check = compareSnapshots(this.sourceSnap, await snapshot(targetServer, target), run.mapping);
    const rec = this.record(scenario, label, run, args, countOf(this.sourceSnap), bytesOf(this.sourceSnap), check);
    if (opts.keep) this.finished.set(tool, { target, ...place, mapping: run.mapping });
    else this.freeTarget(targetServer, target);
    return rec;
  }

  /** Full migration, tools interleaved (A B C C B A ...), each from an empty target. */
  async full(): Promise<void> {
    const tools = this.comparedTools();
    if (this.cfg.tools.includes('imapsync') && !this.hasImapsync) this.log('imapsync: IMAPSYNC is not set (or not readable); left out');
    this.log(`Full migration: ${tools.join(', ')} in ${this.cfg.rounds} interleaved round(s)`);
    for (let r = 1; r <= this.cfg.rounds; r++) {
      const order = r % 2 === 1 ? tools : [...tools].reverse();
      for (const tool of order) {
        // Each tool's last target stays for the no-change and incremental scenarios.
        const keep = r === this.cfg.rounds;
        let rec = await this.fullRun(tool, 'full', `round ${r}`, { keep });
        for (let again = 1; rec.disturbed && again <= this.cfg.retryDisturbed; again++) {
          this.log(`  (round ${r} of ${tool} was disturbed by ${rec.otherCpuS} s of other CPU load: running it again)`);
          rec = await this.fullRun(tool, 'full', `round ${r} again${again > 1 ? ` ${again}` : ''}`, { keep });
        }
      }
    }
  }

  /** `tool`'s finished migration to re-run against: its last full run's, or one made now (not measured as full). */
  private async ensureFinished(tool: ToolName = 'mailmover'): Promise<Finished> {
    if (!this.finished.has(tool)) {
      this.log(`  (setting up: a full ${tool} migration for the re-run scenarios)`);
      const rec = await this.fullRun(tool, 'setup', 'setup', { keep: true });
      if (!rec.ok) {
        this.finished.delete(tool);
        throw new Error(`setup migration with ${tool} failed: ${rec.error}`);
      }
    }
    return this.finished.get(tool)!;
  }

  /** The tools that have (or can make) a finished migration; a tool that cannot is left out with a note. */
  private async rerunTools(): Promise<ToolName[]> {
    const out: ToolName[] = [];
    for (const tool of this.comparedTools()) {
      try {
        await this.ensureFinished(tool);
        out.push(tool);
      } catch (err) {
        if (tool === 'mailmover') throw err;
        this.log(`  ${tool}: left out of the re-run scenarios (${(err as Error).message})`);
      }
    }
    return out;
  }

  private async rerun(tool: ToolName, scenario: string, label: string, expectCopied: number, expectBytes: number): Promise<RunRecord> {
    const f = await this.ensureFinished(tool);
    const args = tool === 'mailmover' ? this.cfg.mailmoverArgs : [];
    await this.settle();
    const { run } = await this.runTool(tool, this.servers, { source: SOURCE_MAIN, target: f.target }, { args, place: f });
    const check = compareSnapshots(this.sourceSnap, await snapshot(this.servers.target, f.target), run.mapping.size ? run.mapping : f.mapping);
    if (tool === 'mailmover' && run.ok && run.copied !== expectCopied) {
      run.ok = false;
      run.error = `copied ${run.copied} messages, expected ${expectCopied}`;
    }
    return this.record(scenario, label, run, args, expectCopied, expectBytes, check);
  }

  /** Re-running each tool's finished migration with nothing new on the source. */
  async noChange(): Promise<void> {
    this.log('No-change re-run');
    const tools = await this.rerunTools();
    for (let i = 1; i <= this.cfg.repeat; i++) {
      for (const tool of i % 2 === 1 ? tools : [...tools].reverse()) {
        let rec = await this.rerun(tool, 'no-change', `run ${i}`, 0, 0);
        for (let again = 1; rec.disturbed && again <= this.cfg.retryDisturbed; again++) rec = await this.rerun(tool, 'no-change', `run ${i} again`, 0, 0);
      }
    }
  }

  /**
   * `verify` of the finished migration, metadata (best of --repeat) and once --deep: what an
   * admin runs before switching MX. Both sides are read again; nothing is copied.
   */
  async verify(): Promise<void> {
    this.log('Verify of the finished migration');
    const finished = await this.ensureFinished('mailmover');
    const { target, stateDir } = finished;
    const pair = { source: SOURCE_MAIN, target };
    for (const deep of [false, true]) {
      for (let i = 1; i <= (deep ? 1 : this.cfg.repeat); i++) {
        await this.settle();
        const run = await runMailmoverVerify(this.servers, pair, { stateDir, deep });
        // The correctness column of the record: the bench's own check of the same target, unchanged by verify.
        const check = compareSnapshots(this.sourceSnap, await snapshot(this.servers.target, target), finished.mapping);
        if (run.ok && run.copied !== countOf(this.sourceSnap)) {
          run.ok = false;
          run.error = `matched ${run.copied} messages, expected ${countOf(this.sourceSnap)}`;
        }
        this.record(deep ? 'verify --deep' : 'verify', `run ${i}`, run, deep ? ['--deep'] : [], countOf(this.sourceSnap), deep ? bytesOf(this.sourceSnap) : 0, check);
      }
    }
  }

  /** +N new messages on the source (INBOX, Sent, Work/Projects), then a re-run of each tool's finished migration. */
  async incremental(): Promise<void> {
    this.log(`Incremental: +${this.cfg.increment} messages`);
    const tools = await this.rerunTools();
    for (let i = 1; i <= this.cfg.repeat; i++) {
      const k = ++this.incrementNo;
      const from = new Date(Date.UTC(2025, 0, k));
      const to = new Date(Date.UTC(2025, 0, k, 23, 59, 59));
      await this.seedAccount(SOURCE_MAIN, INCREMENT_FOLDERS, this.cfg.increment, `inc${k}`, from, to);
      const before = bytesOf(this.sourceSnap);
      const changed = INCREMENT_FOLDERS.map((f) => f.path);
      const fresh = await snapshot(this.servers.source, SOURCE_MAIN, { only: changed });
      for (const [p, msgs] of fresh) this.sourceSnap.set(p, msgs);
      for (const tool of i % 2 === 1 ? tools : [...tools].reverse()) await this.rerun(tool, 'incremental', `run ${i}`, this.cfg.increment, bytesOf(this.sourceSnap) - before);
    }
  }

  /** One big message (memory). */
  async bigMessage(): Promise<void> {
    this.log(`Single ${this.cfg.bigMb} MB message`);
    const target = await this.allocTarget();
    const args = this.cfg.mailmoverArgs;
    await this.settle();
    const run = await runMailmover(this.servers, { pair: { source: SOURCE_BIG, target } }, { stateDir: this.stateDir(), extraArgs: args });
    const src = await snapshot(this.servers.source, SOURCE_BIG);
    const check = compareSnapshots(src, await snapshot(this.servers.target, target), run.mapping);
    this.record('big-message', `${this.cfg.bigMb} MB`, run, args, countOf(src), bytesOf(src), check);
    this.freeTarget(this.servers.target, target);
  }

  // ------------------------------------------------------------------------------------------
  // diagnostics

  /** One full migration under `node --cpu-prof`, summarised. */
  async profileRun(resultsDir: string): Promise<void> {
    this.log('Profile: full migration under node --cpu-prof');
    const dir = mkdtempSync(join(this.scratch, 'prof-'));
    await this.fullRun('mailmover', 'profile', '--cpu-prof', { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) {
      this.log('  no .cpuprofile written');
      return;
    }
    const summary = summarizeProfile(join(dir, file));
    let savedAs: string | undefined;
    try {
      mkdirSync(resultsDir, { recursive: true });
      savedAs = join(resultsDir, 'mailmover-full.cpuprofile');
      cpSync(join(dir, file), savedAs);
    } catch {
      savedAs = undefined;
    }
    this.profile = { ...summary, file: savedAs ?? summary.file, savedAs };
    const busy = summary.totalMs - summary.idleMs;
    this.log(`  profile: ${(summary.totalMs / 1000).toFixed(2)} s, idle ${(summary.idleMs / 1000).toFixed(2)} s, busy ${(busy / 1000).toFixed(2)} s, GC ${(summary.gcMs / 1000).toFixed(2)} s`);
    for (const a of summary.byArea.slice(0, 8)) this.log(`    ${a.share.toFixed(1).padStart(5)}%  ${a.area}`);
  }

  /** --concurrency x --batch-messages grid, interleaved forward/backward per round. */
  async sweep(): Promise<void> {
    const grid: string[][] = [];
    for (const c of this.cfg.sweepConcurrency) for (const b of this.cfg.sweepBatch) grid.push(['--concurrency', String(c), '--batch-messages', String(b)]);
    this.log(`Sweep: ${grid.length} settings x ${this.cfg.rounds} round(s)`);
    for (let r = 1; r <= this.cfg.rounds; r++) {
      for (const args of r % 2 === 1 ? grid : [...grid].reverse()) {
        await this.fullRun('mailmover', 'sweep', `c=${args[1]} b=${args[3]}`, { args });
      }
    }
  }

  /** mailmover and dsync into a target without fsync: what the target's fsync costs each. */
  async compareFsync(): Promise<void> {
    this.log('Target without fsync (mail_fsync=never): mailmover and dsync');
    const nofsync = await startDovecot({ name: 'bench-tgt-nofsync', users: [], fsync: false, processPerConnection: true, tmpRoot: this.cfg.tmpRoot });
    this.extraServers.push(nofsync);
    const tools: ToolName[] = ['mailmover', 'dsync'];
    for (let r = 1; r <= this.cfg.rounds; r++) {
      for (const tool of r % 2 === 1 ? tools : [...tools].reverse()) await this.fullRun(tool, 'full, target fsync off', `round ${r}`, { target: nofsync });
    }
  }

  result(startedAt: Date): BenchResult {
    const { jsonOut: _jsonOut, ...config } = this.cfg;
    return {
      version: 2,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      config,
      machine: this.machine,
      corpus: this.corpus,
      cliStart: { wallS: round(this.cliStart.wallS, 3), peakRssMB: round(this.cliStart.peakRssMB, 1) },
      cli: `${CLI_COMMAND_TEXT[this.cfg.cli]} migrate ...`,
      scenarioNotes: this.scenarioNotes,
      runs: this.runs,
      profile: this.profile,
      note: this.cfg.note,
    };
  }
}

/** More than 10% of the machine (and over 0.5 CPU-s) went to something else during the run. */
export function isDisturbed(otherCpuS: number, wallS: number, nproc: number): boolean {
  return otherCpuS > 0.5 && otherCpuS > 0.1 * nproc * wallS;
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export { REPO_ROOT };
