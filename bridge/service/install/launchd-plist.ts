import { join } from 'node:path';
import type { ServiceSpec } from './service-spec';

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The launchd agent (~/Library/LaunchAgents/com.mailmover.bridge.plist): started
 * at login, restarted when it exits with an error, stopped with SIGTERM (the
 * graceful stop) and given 90 s for it.
 */
/** EnvironmentVariables (the worker's queue URL): the plist is then written readable by the user only. */
function environment(env: Record<string, string> | undefined): string {
  if (!env) return '';
  const pairs = Object.entries(env).map(([k, v]) => `    <key>${xml(k)}</key>\n    <string>${xml(v)}</string>`);
  return `  <key>EnvironmentVariables</key>\n  <dict>\n${pairs.join('\n')}\n  </dict>\n`;
}

export function launchdPlist(spec: ServiceSpec): string {
  const strings = (items: string[]) => items.map((s) => `    <string>${xml(s)}</string>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${xml(spec.launchdLabel)}</string>
  <key>ProgramArguments</key>
  <array>
${strings([spec.node, ...spec.args])}
  </array>
${environment(spec.env)}  <key>WorkingDirectory</key>
  <string>${xml(spec.workingDirectory)}</string>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ExitTimeOut</key>
  <integer>90</integer>
  <key>Umask</key>
  <integer>63</integer>
  <key>StandardOutPath</key>
  <string>${xml(join(spec.logDir, 'launchd.out.log'))}</string>
  <key>StandardErrorPath</key>
  <string>${xml(join(spec.logDir, 'launchd.err.log'))}</string>
</dict>
</plist>
`;
}
