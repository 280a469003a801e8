import type { EventData, EventName } from '../../shared/protocol/events';
import type { Logger } from './logger';

export interface ServiceEvent<E extends EventName = EventName> {
  event: E;
  data: EventData<E>;
}

/**
 * The events the WebSocket pushes. A listener that throws is logged and skipped; job status
 * events can be coalesced (an import changes hundreds of accounts at once).
 */
export class ServiceEvents {
  private readonly listeners = new Set<(e: ServiceEvent) => void>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly log: Logger) {}

  on(listener: (e: ServiceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, data: EventData<E>): void {
    for (const l of this.listeners) {
      try {
        l({ event, data } as ServiceEvent);
      } catch (err) {
        this.log.error({ err }, 'event listener failed');
      }
    }
  }

  /** Calls `send` once 100 ms after the first call for this key (later calls in between are folded into it). */
  coalesce(key: string, send: () => void): void {
    if (this.pending.has(key) || this.closed) return;
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        if (!this.closed) send();
      }, 100),
    );
  }

  close(): void {
    this.closed = true;
    for (const t of this.pending.values()) clearTimeout(t);
  }
}
