import { useLiveQuery } from 'dexie-react-hooks';
import { useEffect } from 'react';
import { db } from '../db/schema';
import { bridgeCommand } from '../lib/page-client';
import type { BridgeState } from '../lib/runtime-messages';

/**
 * The bridge state as the background last wrote it to Dexie (live), after asking the
 * background once, which also wakes a stopped worker. undefined until the first read.
 */
export function useBridgeState(): BridgeState | undefined {
  useEffect(() => {
    bridgeCommand({ kind: 'bridge.status' }).catch(() => undefined);
  }, []);
  return useLiveQuery(async () => (await db().settings.get('bridge'))?.value as BridgeState | undefined);
}
