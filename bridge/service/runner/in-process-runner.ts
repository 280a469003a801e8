import type { AccountResult } from '../../../shared/migration';
import { migrate } from '../../engine/migrate';
import type { StateStore } from '../../engine/state-store';
import type { AccountRunner, PassCallbacks, PassRequest } from './account-runner';

/** The engine run inside the bridge's process, on the bridge's own state store. */
export class InProcessRunner implements AccountRunner {
  constructor(private readonly store: StateStore) {}

  run(request: PassRequest, callbacks: PassCallbacks, signal: AbortSignal): Promise<AccountResult> {
    return migrate(request.job, this.store, {
      signal,
      onProgress: (p) => callbacks.onProgress(p),
      onRetry: (err, attempt, delayMs) => callbacks.onRetry({ code: err.code, message: err.message }, attempt, delayMs),
    });
  }
}
