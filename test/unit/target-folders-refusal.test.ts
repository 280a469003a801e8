/**
 * How createTargetFolders reads a refused CREATE. The CREATE goes out through exec(), whose
 * rejections carry only the parsed tagged response; the response code in it (RFC 5530:
 * ALREADYEXISTS, LIMIT, NOPERM…) decides between "try a safer name" and "report the
 * folder". The connection is a stand-in: what is tested is reading the server's answer.
 */
import type { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import type { FolderMapping } from '../../shared/folders/map-folders';
import { createTargetFolders } from '../../bridge/engine/target-folders';

/** A tagged NO as imapflow's parser hands it to the rejected command. */
function refusal(code: string | undefined, text: string): Error {
  const err = new Error('Command failed') as Error & { response: unknown; responseStatus: string; responseText: string };
  err.response = { tag: 'A1', command: 'NO', attributes: [{ type: 'ATOM', value: '', section: code ? [{ type: 'ATOM', value: code }] : undefined }, { type: 'TEXT', value: text }] };
  err.responseStatus = 'NO';
  err.responseText = text;
  return err;
}

/** A target that refuses CREATE of `refused` with `err`, and takes every other CREATE. */
function target(refused: string, err: Error): { client: ImapFlow; created: string[] } {
  const created: string[] = [];
  const client = {
    capabilities: new Map<string, boolean>(),
    enabled: new Set<string>(),
    namespace: { prefix: '', delimiter: '/' },
    exec: async (command: string, attributes: Array<{ value: string }>) => {
      expect(command).toBe('CREATE');
      const name = attributes[0]!.value;
      if (name === refused) throw err;
      created.push(name);
      return { response: { attributes: [] }, next: () => undefined };
    },
  };
  return { client: client as unknown as ImapFlow, created };
}

const mapping = (path: string): FolderMapping => ({ source: path, target: path, selectable: true, sanitized: [], reason: 'custom' });
const layout = { delimiter: '/', prefix: '', folders: [], capabilities: [] };

describe('a CREATE the target refuses', () => {
  it('[LIMIT] is not about the name: the folder is reported, no look-alike is made', async () => {
    const { client, created } = target('Q3.Reports', refusal('LIMIT', 'Mailbox cannot be created'));
    const result = await createTargetFolders(client, layout, [mapping('Q3.Reports')]);
    expect(created).toEqual([]);
    expect(result.renamed).toEqual([]);
    expect(result.failed.get('Q3.Reports')?.code).toBe('FOLDER_CREATE_FAILED');
    expect(result.toSubscribe).toEqual([]);
  });

  it('a refusal without a code may be about the name: the safer name is made and subscribed later', async () => {
    const mappings = [mapping('Q3.Reports')];
    const { client, created } = target('Q3.Reports', refusal(undefined, 'Invalid mailbox name'));
    const result = await createTargetFolders(client, layout, mappings);
    // The look-alike of '.' is not ASCII, so it goes out in modified UTF-7 (RFC 3501 5.1.3).
    expect(mappings[0]!.target).toBe('Q3\uFF0EReports');
    expect(created).toEqual(['Q3&,w4-Reports']);
    expect(result.renamed.map((r) => r.code)).toEqual(['FOLDER_RENAMED']);
    expect(result.toSubscribe).toEqual(['Q3\uFF0EReports']);
  });

  it('[ALREADYEXISTS] counts as made (someone else made it since the listing) and is subscribed', async () => {
    const { client, created } = target('Work', refusal('ALREADYEXISTS', 'Mailbox is there'));
    const result = await createTargetFolders(client, layout, [mapping('Work'), mapping('Work/2024')]);
    expect(created).toEqual(['Work/2024']);
    expect(result.failed.size).toBe(0);
    expect(result.toSubscribe).toEqual(['Work', 'Work/2024']);
  });
});
