#!/usr/bin/env node
/**
 * Stand-alone entry of `test-connection` (tests spawn it: `node --import tsx
 * bridge/cli/test-connection-main.ts test-connection URL ...`). bridge/cli/main.ts registers the
 * same subcommand through registerTestConnection().
 */
import { Command, CommanderError } from 'commander';
import { registerTestConnection } from './test-connection-command';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('mailmover-bridge')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerTestConnection(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // --help exits 0; anything else commander rejects (unknown option, missing argument) is a usage error.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`mailmover-bridge: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
