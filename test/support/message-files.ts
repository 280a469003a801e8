import { chmodSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
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

/**
 * Puts a directory in place of a message file: the server opens it and its first read fails
 * (EISDIR), also for a server running as root, which a file's mode does not stop. The returned
 * repair puts the file back with its times (Maildir servers report the mtime as INTERNALDATE);
 * a second call does nothing.
 */
export function replaceWithDirectory(path: string): () => void {
  return replaceFile(path, () => mkdirSync(path), () => rmdirSync(path));
}

/** Empties a message file (a delivery cut short); the returned repair as replaceWithDirectory's. */
export function emptyFile(path: string): () => void {
  return replaceFile(path, () => writeFileSync(path, ''), () => unlinkSync(path));
}

function replaceFile(path: string, damage: () => void, undo: () => void): () => void {
  const bytes = readFileSync(path);
  const { atime, mtime } = statSync(path);
  unlinkSync(path);
  damage();
  let repaired = false;
  return () => {
    if (repaired) return;
    repaired = true;
    undo();
    writeFileSync(path, bytes);
    utimesSync(path, atime, mtime);
  };
}

/** Makes a file unreadable to the server's own user; the returned repair gives it its mode back. */
export function makeUnreadable(path: string): () => void {
  const { mode } = statSync(path);
  chmodSync(path, 0o000);
  return () => chmodSync(path, mode);
}
