/**
 * The bench's command line: commander parses, zod checks (numbers in range, lists known),
 * --quick fills in a small variant and --check a tiny one (the self-check, bench/check.ts).
 */
import { Command, Option } from 'commander';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

export const TOOL_NAMES = ['mailmover', 'dsync', 'mbsync', 'imapsync'] as const;
export const SCENARIO_NAMES = ['startup', 'full', 'no-change', 'verify', 'incremental', 'link', '100k', 'batch', 'big-message', 'cluster'] as const;
export const CLI_MODES = ['readme', 'npm', 'bundle'] as const;
/** Scenarios `--check` runs only when named with --scenario. */
export const CHECK_LEAVES_OUT: ReadonlyArray<(typeof SCENARIO_NAMES)[number]> = ['cluster'];

const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const BenchOptionsSchema = z
  .object({
    quick: z.boolean().default(false),
    check: z.boolean().default(false),
    messages: int(1, 200_000).optional(),
    accounts: int(1, 5000).optional(),
    batchConcurrency: int(1, 32).optional(),
    linkMessages: int(1, 200_000).optional(),
    linkRttMs: z.coerce.number().min(0).max(2000).optional(),
    linkMbit: z.string().optional(),
    folderMessages: int(1, 1_000_000).optional(),
    cli: z.enum(CLI_MODES).default('readme'),
    accountMessages: int(1, 100_000).optional(),
    bigMb: int(1, 200).optional(),
    clusterAccounts: int(1, 1000).optional(),
    clusterWorkers: z.string().optional(),
    workerConcurrency: int(1, 64).optional(),
    clusterOneMessages: int(1, 100_000).optional(),
    increment: int(1, 10_000).optional(),
    rounds: int(1, 10).optional(),
    repeat: int(1, 10).optional(),
    seed: int(0, 2 ** 31 - 1).default(42),
    tools: list(TOOL_NAMES).optional(),
    scenarios: list(SCENARIO_NAMES).optional(),
    scenario: list(SCENARIO_NAMES).optional(),
    tmpRoot: z.string().optional(),
    fsync: z.boolean().default(true),
    mailmoverArgs: z.string().default(''),
    profile: z.boolean().default(false),
    sweep: z.boolean().default(false),
    sweepConcurrency: z.string().default('2,4,8'),
    sweepBatch: z.string().default('50,200,500'),
    compareFsync: z.boolean().default(false),
    quietWait: z.coerce.number().min(0).max(3600).optional(),
    quietThreshold: z.coerce.number().gt(0).max(1).default(0.15),
    retryDisturbed: int(0, 10).optional(),
    freeTargets: z.boolean().default(false),
    jsonOut: z.string().optional(),
    note: z.string().optional(),
  })
  .strict();
export type BenchOptionsInput = z.input<typeof BenchOptionsSchema>;

/** Options with every default resolved (the --quick ones when quick). */
export interface BenchConfig {
  quick: boolean;
  /** the self-check: a tiny corpus through every scenario, results asserted (bench/check.ts) */
  check: boolean;
  messages: number;
  accounts: number;
  accountMessages: number;
  /** accounts at a time in the batch scenario: mailmover's --account-concurrency and parallel dsync runs */
  batchConcurrency: number;
  /** messages of the link scenario's source (the main corpus's generator, a smaller count) */
  linkMessages: number;
  /** round trip the latency proxies add, ms */
  linkRttMs: number;
  /** one link run per bandwidth cap, Mbit/s per direction (0 = unlimited) */
  linkMbit: number[];
  /** messages in the one folder of the 100k scenario */
  folderMessages: number;
  /** the command the mailmover runs use: README's (`npm run --silent bridge --`) or the bundle */
  cli: (typeof CLI_MODES)[number];
  bigMb: number;
  /** accounts of --account-messages each in the cluster scenario (queue mode) */
  clusterAccounts: number;
  /** one cluster run per count of worker processes */
  clusterWorkers: number[];
  /** accounts each worker runs at once (worker --concurrency) */
  workerConcurrency: number;
  /** messages of the one account migrated with and without the queue (queue mode's overhead) */
  clusterOneMessages: number;
  increment: number;
  rounds: number;
  repeat: number;
  seed: number;
  tools: Array<(typeof TOOL_NAMES)[number]>;
  scenarios: Array<(typeof SCENARIO_NAMES)[number]>;
  /** where the Dovecot instances keep their maildirs; undefined = the harness default */
  tmpRoot: string | undefined;
  fsync: boolean;
  mailmoverArgs: string[];
  profile: boolean;
  sweep: boolean;
  sweepConcurrency: number[];
  sweepBatch: number[];
  compareFsync: boolean;
  /** seconds to wait at most for a quiet machine before each measured run (0 = do not wait) */
  quietWait: number;
  /** machine CPU busy share below which it counts as quiet */
  quietThreshold: number;
  /** full-migration and no-change runs disturbed by other load are run again up to this many times */
  retryDisturbed: number;
  /** delete each checked target account's maildir right away (saves disk, costs the next runs) */
  freeTargets: boolean;
  jsonOut: string;
  note?: string;
}

export const DEFAULT_JSON_OUT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'results', 'latest.json');

function numbers(s: string, what: string, min = 1): number[] {
  const out = s.split(',').map((x) => Number(x.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < min)) throw new Error(`${what}: expected a comma-separated list of positive integers, got "${s}"`);
  return out;
}

export function resolveConfig(input: BenchOptionsInput): BenchConfig {
  const o = BenchOptionsSchema.parse(input);
  // The self-check is smaller still than --quick: it only has to prove every scenario runs and is checked.
  const c = o.check;
  const q = o.quick || c;
  const tools = o.tools ?? (['mailmover', 'dsync', 'mbsync', ...(process.env.IMAPSYNC ? (['imapsync'] as const) : [])] as BenchConfig['tools']);
  if (!tools.includes('mailmover')) tools.unshift('mailmover');
  return {
    quick: o.quick,
    check: c,
    messages: o.messages ?? (c ? 60 : q ? 300 : 5000),
    accounts: o.accounts ?? (c ? 4 : q ? 20 : 1000),
    accountMessages: o.accountMessages ?? 5,
    batchConcurrency: o.batchConcurrency ?? 2,
    linkMessages: o.linkMessages ?? (c ? 40 : q ? 150 : 1500),
    linkRttMs: o.linkRttMs ?? 40,
    linkMbit: numbers(o.linkMbit ?? '0,100', '--link-mbit', 0),
    folderMessages: o.folderMessages ?? (c ? 500 : q ? 5000 : 100_000),
    cli: o.cli,
    bigMb: o.bigMb ?? (c ? 2 : q ? 8 : 30),
    clusterAccounts: o.clusterAccounts ?? (c ? 4 : 20),
    clusterWorkers: numbers(o.clusterWorkers ?? (c ? '1,2' : '1,2,4'), '--cluster-workers'),
    workerConcurrency: o.workerConcurrency ?? 2,
    clusterOneMessages: o.clusterOneMessages ?? (c ? 30 : q ? 300 : 1000),
    increment: o.increment ?? (c ? 10 : 100),
    rounds: o.rounds ?? (q ? 1 : 2),
    repeat: o.repeat ?? (q ? 1 : 3),
    seed: o.seed,
    tools,
    // The self-check leaves the cluster out unless asked for (`--check --scenario cluster`): its worker
    // processes and CLI starts cost 16 s on a quiet 2-core machine (68 s at load 12) even at the tiny size.
    scenarios: o.scenario ?? o.scenarios ?? SCENARIO_NAMES.filter((x) => !c || !CHECK_LEAVES_OUT.includes(x)),
    // Timings want a real disk (fsync on tmpfs is free); the quick variant wants speed.
    tmpRoot: o.tmpRoot ?? (q ? undefined : tmpdir()),
    fsync: o.fsync,
    mailmoverArgs: o.mailmoverArgs.split(/\s+/).filter(Boolean),
    profile: o.profile,
    sweep: o.sweep,
    sweepConcurrency: numbers(o.sweepConcurrency, '--sweep-concurrency'),
    sweepBatch: numbers(o.sweepBatch, '--sweep-batch'),
    compareFsync: o.compareFsync,
    quietWait: o.quietWait ?? (q ? 0 : 120),
    quietThreshold: o.quietThreshold,
    retryDisturbed: o.retryDisturbed ?? (q ? 0 : 2),
    freeTargets: o.freeTargets,
    jsonOut: o.jsonOut ?? DEFAULT_JSON_OUT,
    note: o.note,
  };
}

export function buildProgram(action: (opts: BenchOptionsInput) => Promise<void>): Command {
  return new Command('bench')
    .description(
      'Benchmark mailmover, started as README says, against dsync (doveadm backup over imapc) and mbsync on two local Dovecot servers: ' +
        'start-up, full migration, no-change re-run, incremental, over a slow link, one folder of 100,000 messages, a CSV batch of 1,000 accounts, a 30 MB message, ' +
        'and queue mode (20 accounts through Redis with 1, 2 and 4 worker processes). ' +
        'Prints a Markdown table and writes JSON (bench/results/latest.json).',
    )
    .option('--check', 'self-check: a tiny corpus through every scenario but cluster (add it with --scenario); fails (exit 1) unless every run is correct and every figure is printed')
    .option('--quick', 'a small variant: 300 messages, 20 batch accounts, a 5,000-message folder, one round, maildirs on tmpfs')
    .option('--messages <n>', 'messages in the main corpus (default 5000, about 400 MB)')
    .option('--accounts <n>', 'accounts in the batch scenario, one CSV (default 1000)')
    .option('--account-messages <n>', 'messages per batch account (default 5)')
    .option('--batch-concurrency <n>', 'accounts at a time in the batch scenario: mailmover --account-concurrency and parallel dsync runs (default 2, the CLI default)')
    .option('--link-messages <n>', 'messages of the link scenario (default 1500, about 120 MB of the corpus)')
    .option('--link-rtt-ms <ms>', 'round trip the latency proxies add in the link scenario (default 40)')
    .option('--link-mbit <list>', 'one link run per bandwidth cap, Mbit/s per direction, 0 = unlimited (default 0,100)')
    .option('--folder-messages <n>', 'messages in the one folder of the 100k scenario (default 100000)')
    .addOption(new Option('--cli <how>', 'how mailmover is started: readme = `./mailmover-bridge` as README says (default), npm = README\'s portable `npm run --silent bridge --`, bundle = node bridge/cli/load-bundle.mjs (the bundle without the launcher\'s staleness check)').choices([...CLI_MODES]))
    .option('--big-mb <n>', 'size of the single big message, MB (default 30)')
    .option('--cluster-accounts <n>', 'accounts (of --account-messages each) in the cluster scenario, through the queue (default 20)')
    .option('--cluster-workers <list>', 'one cluster run per number of worker processes (default 1,2,4)')
    .option('--worker-concurrency <n>', 'accounts each worker runs at once, worker --concurrency (default 2, the worker default)')
    .option('--cluster-one-messages <n>', 'messages of the one account migrated with and without --queue: queue mode\'s overhead (default 1000)')
    .option('--increment <n>', 'new messages for the incremental scenario (default 100)')
    .option('--rounds <n>', 'interleaved rounds of the full-migration comparison (A B C C B A = 2) and of the cluster settings (default 2)')
    .option('--repeat <n>', 'runs of the no-change and incremental scenarios and of each mode of the cluster one-account run, best counts (default 3)')
    .option('--seed <n>', 'PRNG seed of the corpus (default 42)')
    .option('--tools <list>', 'comma-separated: mailmover,dsync,mbsync,imapsync (default: all available; imapsync needs IMAPSYNC=/path/to/imapsync)')
    .option('--scenarios <list>', `comma-separated: ${SCENARIO_NAMES.join(',')} (default all)`)
    .option('--scenario <list>', 'same as --scenarios')
    .option('--tmp-root <dir>', 'directory for the Dovecot instances and their maildirs (default: the OS temp dir, on disk)')
    .addOption(new Option('--no-fsync', 'run both Dovecots with mail_fsync=never (default: fsync on)'))
    .option('--mailmover-args <args>', 'extra CLI options for every mailmover run, e.g. "--concurrency 8 --batch-messages 500"')
    .option('--profile', 'also run one full migration under node --cpu-prof and summarise where the time goes')
    .option('--sweep', 'also run the full migration for each --concurrency x --batch-messages setting')
    .option('--sweep-concurrency <list>', 'concurrency values of the sweep (default 2,4,8)')
    .option('--sweep-batch <list>', 'batch sizes of the sweep (default 50,200,500)')
    .option('--compare-fsync', 'also run mailmover and dsync into a target without fsync (what fsync costs)')
    .option('--quiet-wait <s>', 'before each measured run, wait up to this long for the machine to be quiet (default 120; 0 = never wait; --quick: 0)')
    .option('--quiet-threshold <share>', 'CPU busy share (0..1) under which the machine counts as quiet (default 0.15)')
    .option('--retry-disturbed <n>', 'run a full-migration or no-change run again when other load took over 10% of the machine during it, up to n times (default 2; --quick: 0)')
    .option('--free-targets', 'delete each target account once it is checked (less disk; deleting on ext4 slows the following runs)')
    .option('--json-out <file>', 'where to write the JSON results (default bench/results/latest.json)')
    .option('--note <text>', 'free text stored with the results (e.g. what machine this is)')
    .action(action);
}
