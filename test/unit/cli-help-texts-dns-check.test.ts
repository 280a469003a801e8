/** `dns-check --help` shows that --target-provider is required; leaving it out stays a usage error (exit 2). */
import { describe, expect, it } from 'vitest';
import { describeRun, runCliInProcess } from '../support/cli-runner';

describe('dns-check --help', () => {
  it('names --target-provider as required in the usage line and in its own text; leaving it out is still exit 2', async () => {
    const r = await runCliInProcess(['--help'], { command: 'dns-check' });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mailmover-bridge dns-check <domain> --target-provider <id> \[options\]$/m);
    expect(r.stdout).toMatch(/^ {2}--target-provider <id> +required: the new provider/m);

    // What it does is unchanged: without it, exit 2 and commander says it is required.
    const without = await runCliInProcess(['example.com'], { command: 'dns-check' });
    expect(without.code, describeRun(without)).toBe(2);
    expect(without.stderr).toMatch(/required option '--target-provider <id>' not specified/);
  });
});
