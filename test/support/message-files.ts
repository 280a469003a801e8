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

/** The file of the message whose Message-ID is `<id@...>` in the cur/ or new/ of a Maildir folder. */
export function maildirMessageFile(maildir: string, id: string): string {
  for (const dir of ['cur', 'new']) {
    for (const name of readdirSync(join(maildir, dir))) {
      const path = join(maildir, dir, name);
      if (readFileSync(path, 'latin1').includes(`Message-ID: <${id}@`)) return path;
    }
  }
  throw new Error(`no Maildir file in ${maildir} holds message ${id}`);
}
