/** Log levels a subscription can ask for, lowest first. */
export const LOG_LEVELS = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/** What one connection asked to be pushed: one job's events (or every job's), and log lines from a level up. */
export interface Subscription {
  jobId?: string;
  logs: boolean;
  logLevel: keyof typeof LOG_LEVELS;
}
