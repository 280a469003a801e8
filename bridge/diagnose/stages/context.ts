import type { Endpoint } from '../../engine/endpoint';
import type { TestConnectionOptions } from '../options';
import type { ReportBuilder } from '../report-builder';

/** What every stage of the connection test reads, and the report it writes to. */
export interface StageContext {
  endpoint: Endpoint;
  /** Endpoint.protocol is optional (undefined = IMAP), as bridge/engine/endpoint.ts defines it. */
  protocol: 'imap' | 'pop3';
  /** host:port, for messages. */
  where: string;
  account: string;
  /** The side of the migration the tested server is on (TestConnectionOptions.side). */
  side: 'source' | 'target';
  opts: TestConnectionOptions;
  /** Per network step. */
  timeoutMs: number;
  now: Date;
  report: ReportBuilder;
}
