/**
 * `npx tsx bench/render.ts <result.json>`: prints the Markdown report of a stored bench run
 * (bench/results/latest.json, reference.json) again, with the current report code.
 */
import { readFileSync } from 'node:fs';
import { renderMarkdown } from './report';
import type { BenchResult } from './scenarios';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: npx tsx bench/render.ts <result.json>\n');
  process.exitCode = 2;
} else {
  process.stdout.write(renderMarkdown(JSON.parse(readFileSync(file, 'utf8')) as BenchResult) + '\n');
}
