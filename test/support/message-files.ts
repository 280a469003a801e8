import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CyrusServer } from '../harness/servers';

/** The spool file of the message whose Message-ID is `<id@...>` under a Cyrus instance's tree. */
export function cyrusMessageFile(server: CyrusServer, id: string): string {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : /^\d+\.$/.test(name) ? [path] : [];
    });
  const found = walk(join(server.root, 'run', 'mm', 'spool')).find((path) => readFileSync(path, 'latin1').includes(`Message-ID: <${id}@`));
  if (!found) throw new Error(`no spool file holds message ${id}`);
  return found;
}
