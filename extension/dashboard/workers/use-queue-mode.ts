import { useEffect, useState } from 'react';
import type { BridgeState } from '../../lib/runtime-messages';
import { bridgeRequest } from '../../lib/page-client';

/**
 * Whether the connected bridge hands its passes to queue workers (bridge start --queue): the
 * Workers tab is shown only then, so a bridge that runs passes itself keeps its three tabs.
 * Asked once per connection; a bridge of an older version (no workers.list) counts as local.
 */
export function useQueueMode(bridge: BridgeState | undefined): boolean {
  const connected = bridge?.phase === 'connected';
  const [queued, setQueued] = useState(false);
  useEffect(() => {
    if (!connected) return;
    let live = true;
    bridgeRequest('workers.list', {}).then(
      (l) => live && setQueued(l.queue !== null),
      () => live && setQueued(false),
    );
    return () => {
      live = false;
    };
  }, [connected, bridge?.lastConnectedAt]);
  return queued;
}
