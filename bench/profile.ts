/**
 * Summary of a V8 CPU profile (`node --cpu-prof`): self time per function and per area
 * (imapflow, the engine, SQLite, node internals, GC, idle), to say where a migration's CPU
 * goes without opening DevTools.
 */
import { readFileSync } from 'node:fs';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** ms of samples where the main thread was idle (waiting for I/O) */
  idleMs: number;
  gcMs: number;
  byArea: Array<{ area: string; ms: number; share: number }>;
  topFunctions: Array<{ fn: string; where: string; ms: number; share: number }>;
}

function area(url: string, fn: string): string {
  if (fn === '(idle)') return 'idle (waiting for I/O)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'native / V8 (program)';
  if (!url) return 'native / V8 (program)';
  if (url.includes('/node_modules/imapflow/')) return 'imapflow (IMAP parser/compiler)';
  if (url.includes('/node_modules/better-sqlite3/')) return 'better-sqlite3 (state store)';
  if (url.includes('/node_modules/tsx/') || url.includes('/node_modules/esbuild/')) return 'tsx (TypeScript loading)';
  if (url.includes('/node_modules/')) return `other dependencies (${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? '?'})`;
  if (url.startsWith('node:')) return 'node internals (streams, sockets, buffers)';
  // the bench runs the esbuild bundle, whose chunks mix engine, CLI and shared code
  if (url.includes('/.output/bridge/')) return 'mailmover (bundled: engine, CLI, shared)';
  if (url.includes('/bridge/engine/')) return 'mailmover engine';
  if (url.includes('/bridge/') || url.includes('/shared/')) return 'mailmover cli/shared';
  return 'other';
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const m = /\/(bridge|shared)\/.*$/.exec(url);
  return m ? m[0].slice(1) : url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    selfMs.set(p.samples[i]!, (selfMs.get(p.samples[i]!) ?? 0) + dt);
  }
  const areas = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; ms: number }>();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = functionName || '(anonymous)';
    total += ms;
    if (fn === '(idle)') idle += ms;
    if (fn === '(garbage collector)') gc += ms;
    const a = area(url, fn);
    areas.set(a, (areas.get(a) ?? 0) + ms);
    if (fn === '(idle)') continue;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${fn} ${where}`;
    const e = fns.get(key) ?? { fn, where, ms: 0 };
    e.ms += ms;
    fns.set(key, e);
  }
  const busy = total - idle;
  return {
    file,
    totalMs: Math.round(total),
    idleMs: Math.round(idle),
    gcMs: Math.round(gc),
    byArea: [...areas.entries()]
      .map(([a, ms]) => ({ area: a, ms: Math.round(ms), share: Math.round((ms / total) * 1000) / 10 }))
      .sort((x, y) => y.ms - x.ms),
    topFunctions: [...fns.values()]
      .sort((x, y) => y.ms - x.ms)
      .slice(0, top)
      .map((f) => ({ ...f, ms: Math.round(f.ms), share: busy > 0 ? Math.round((f.ms / busy) * 1000) / 10 : 0 })),
  };
}
