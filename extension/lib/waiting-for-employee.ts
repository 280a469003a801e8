import type { AccountStatus, AccountView, ImportMode } from '../../shared/protocol';

/** The accounts whose old password the employee supplies (员工自助搬家, or the admin's batch without passwords). */
export const EMPLOYEE_MODES: ReadonlySet<ImportMode> = new Set<ImportMode>(['self-service', 'admin-without-passwords']);

/** Still an invitation: nothing ran yet. */
export const INVITED: ReadonlySet<AccountStatus> = new Set<AccountStatus>(['not_started', 'not_enabled']);

/**
 * Waiting for its employee to enter the old password: an invitation nobody answered yet. An
 * account the admin imported with passwords but did not start waits for the admin, not for an
 * employee, although its status (未开始) is the same.
 */
export function waitsForEmployee(a: Pick<AccountView, 'mode' | 'status'>): boolean {
  return EMPLOYEE_MODES.has(a.mode) && INVITED.has(a.status);
}
