/**
 * `npm run package`: store-ready archives of the extension in dist/ — one zip for the Chrome
 * Web Store and Microsoft Edge Add-ons (both take the same Manifest V3 package), one for
 * Firefox Add-ons plus the sources archive Mozilla's review asks for. A script rather than
 * `VAR=1 wxt zip` in package.json so that it also runs from Windows' cmd.exe.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const env = { ...process.env, MAILMOVER_STORE_BUILD: '1' };
for (const args of [['zip', '-b', 'chrome'], ['zip', '-b', 'firefox']]) {
  const run = spawnSync('npx', ['wxt', ...args], { stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
const archives = readdirSync('dist').filter((f) => f.endsWith('.zip'));
process.stdout.write(`\nStore-ready archives in dist/:\n${archives.map((f) => `  dist/${f}`).join('\n')}\n`);
