/**
 * How a record to add is written for the admin, in the terms of Chinese DNS hosts' forms
 * (主机记录 / 记录类型 / 记录值 / 优先级 / TTL) and their English equivalents.
 */
import type { DnsRecordCheck } from '../../shared/protocol/dns-check';

export type RecordToAdd = DnsRecordCheck['add'][number];

/** TTL suggested for records added at the cut-over: short, so a mistake is corrected quickly. */
export const CUTOVER_TTL = 600;

export function addRecord(host: string, type: RecordToAdd['type'], value: string, priority: number | null = null, ttl = CUTOVER_TTL): RecordToAdd {
  return { host, type, value, priority, ttl };
}

export function recordZh(r: RecordToAdd): string {
  return `主机记录 ${r.host}，记录类型 ${r.type}，记录值 ${r.value}${r.priority === null ? '' : `，优先级 ${r.priority}`}，TTL ${r.ttl}`;
}

export function recordEn(r: RecordToAdd): string {
  return `Host ${r.host}, Type ${r.type}, Value ${r.value}${r.priority === null ? '' : `, Priority ${r.priority}`}, TTL ${r.ttl}`;
}

/** The relative host (主机记录) of a full name under the domain: the apex is '@'. */
export function relativeHost(name: string, domain: string): string {
  const n = name.toLowerCase().replace(/\.$/, '');
  const d = domain.toLowerCase();
  if (n === d) return '@';
  return n.endsWith(`.${d}`) ? n.slice(0, -(d.length + 1)) : n;
}

export const NOTHING_TO_DO = { zh: '无需修改。', en: 'Nothing to change.' };
