import { spawnSync } from 'node:child_process';
import { applyPlan, describePlan, installPlan, statusCommand, uninstallPlan } from '../service/install/install';
import { serviceSpec } from '../service/install/service-spec';

/**
 * `mailmover-bridge service install|uninstall|status`: a systemd user unit on
 * Linux, a launchd agent on macOS, a logon scheduled task on Windows. The service
 * runs `start` with the same port and state dir.
 */
export function runService(
  action: 'install' | 'uninstall' | 'status',
  o: { port: number; stateDir: string; dryRun?: boolean; unitDir?: string },
  out: (line: string) => void,
): number {
  const spec = serviceSpec({ port: o.port, stateDir: o.stateDir });
  if (action === 'status') {
    const cmd = statusCommand();
    const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: 'inherit' });
    if (r.error) {
      out(`Could not run ${cmd.join(' ')}: ${r.error.message}`);
      return 1;
    }
    return r.status ?? 1;
  }
  const plan = action === 'install' ? installPlan(spec, { unitDir: o.unitDir }) : uninstallPlan(spec, { unitDir: o.unitDir });
  if (o.dryRun) {
    out(describePlan(plan));
    return 0;
  }
  const { failed } = applyPlan(plan, out);
  for (const n of plan.notes) out(n);
  if (failed.length) {
    out(`Some commands failed; the files are in place. Run them yourself once the service manager is available:\n  ${failed.join('\n  ')}`);
    return 1;
  }
  return 0;
}
