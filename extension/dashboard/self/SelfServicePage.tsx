import type { BridgeState } from '../../lib/runtime-messages';
import { EmployeeFlow } from '../../panel/EmployeeFlow';
import type { PanelContext } from '../../panel/messages';

/**
 * 员工自助搬家 in the dashboard: the same flow as the webmail panel (the new address, the old
 * address and password with the provider's hint, a test, the start, then the account's live
 * progress to done, or the error with its remedy and the form again). The dashboard cannot see
 * a logged-in address, so the employee types it.
 */
export function SelfServicePage({ bridge, onOpenWizard }: { bridge: BridgeState | undefined; onOpenWizard(): void }) {
  const context: PanelContext = { kind: 'webmail', siteId: 'dashboard', presetId: null, origin: location.origin, address: null };
  return (
    <div data-testid="self-service-page">
      <EmployeeFlow context={context} bridge={bridge} onOwnMigration={onOpenWizard} />
    </div>
  );
}
