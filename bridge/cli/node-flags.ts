/**
 * Options every mailmover process is started with (npm scripts, the bin launcher's
 * shebang, the service units, the bench); test/unit/node-flags.test.ts keeps them in step.
 *
 * --single-threaded: V8 runs no background tasks, so garbage collection and optimizing
 * compilation happen on the main thread. A migration allocates a buffer per message, so
 * V8 collects often; its parallel GC helper threads then cost more CPU than they save, and
 * on a machine shared with the mail servers that CPU is taken from them (measured with
 * --single-threaded-gc on the bench corpus, 5,000 messages, 2 cores: 25% less CPU for the
 * bridge, about 10% less wall time). Without background compile threads too, their
 * freed compiler memory no longer stays behind in per-thread malloc arenas: a full
 * migration's peak RSS went from 197-217 to 173-177 MB at the same speed (in the same
 * runs, MALLOC_ARENA_MAX=1 gave the same). V8 cannot switch these on at run time
 * (setFlagsFromString crashes in the next incremental marking), so they have to be on
 * node's command line.
 *
 * --max-semi-space-size=2 (MB; V8's default is 16): single-threaded, V8 frees the
 * buffers of copied messages later, since a message's memory goes back only when the
 * scavenge that finds its buffer dead runs; a small young generation runs it sooner.
 * Full migration of the bench corpus (5,000 messages, 380 MB, 3 runs each, same
 * session): 8 MB 173-190 MB peak RSS, 2 MB 146-159 MB, 1 MB 151-154 MB, with the same
 * wall time and CPU within the runs' spread; one folder of 100,000 small messages 48.1 s
 * at 2 MB against 49.6 s at 8 MB.
 */
export const NODE_FLAGS: readonly string[] = ['--single-threaded', '--max-semi-space-size=2'];
