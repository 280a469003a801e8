import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// npm 11.16 added package.json's allowScripts: npm 11 only warns about a dependency whose
// install script has no entry there, npm 12 skips that script (docs.npmjs.com, "npm
// approve-scripts"). better-sqlite3 builds its native binding in its install script, so
// without an entry `npm install && npm start` would fail on npm 12 at the first state-store
// open.

const ROOT = join(import.meta.dirname, '..', '..');

const ManifestSchema = z.object({ allowScripts: z.record(z.string(), z.boolean()).default({}) });
const LockSchema = z.object({
  packages: z.record(z.string(), z.object({ version: z.string().optional(), hasInstallScript: z.boolean().optional() })),
});

const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
const lock = LockSchema.parse(JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')));

/** Packages of the lockfile that run an install script, as name@version. */
function withInstallScripts(): Array<{ name: string; version: string }> {
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
    .map(([path, entry]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: entry.version ?? '' }));
}

/** allowScripts' decision for a package: a name@version key before a name-only one, as npm reads them. */
function decisionFor(name: string, version: string): boolean | undefined {
  return manifest.allowScripts[`${name}@${version}`] ?? manifest.allowScripts[name];
}

describe('package.json allowScripts', () => {
  it('decides on every dependency that has an install script', () => {
    const scripted = withInstallScripts();
    expect(scripted.map((p) => p.name)).toContain('better-sqlite3');
    const undecided = scripted.filter((p) => decisionFor(p.name, p.version) === undefined).map((p) => `${p.name}@${p.version}`);
    expect(undecided).toEqual([]);
  });

  it('lets better-sqlite3 build its native binding', () => {
    const sqlite = withInstallScripts().find((p) => p.name === 'better-sqlite3');
    expect(sqlite).toBeDefined();
    expect(decisionFor(sqlite!.name, sqlite!.version)).toBe(true);
  });

  it('names no package the lockfile does not install with a script', () => {
    const scripted = new Set(withInstallScripts().map((p) => p.name));
    const stale = Object.keys(manifest.allowScripts).filter((key) => !scripted.has(key.replace(/(?<=.)@[^@]*$/, '')));
    expect(stale).toEqual([]);
  });
});
