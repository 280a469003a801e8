/** Number, size, rate and time formatting for the monitor (locale-aware, no dependencies). */
import type { Locale } from '../i18n';

const intl = (locale: Locale) => (locale === 'zh-CN' ? 'zh-CN' : 'en-US');

export function formatCount(n: number, locale: Locale): string {
  return new Intl.NumberFormat(intl(locale)).format(n);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${UNITS[u]}`;
}

/** 3725 → "1 h 2 min" / "1小时2分". */
export function formatDuration(seconds: number, locale: Locale): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (locale === 'zh-CN') {
    if (h > 0) return `${h}小时${m}分`;
    if (m > 0) return `${m}分${sec}秒`;
    return `${sec}秒`;
  }
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}

export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(intl(locale), { dateStyle: 'short', timeStyle: 'short' }).format(d);
}

/**
 * How long ago `iso` was, from `nowMs`: "3 seconds ago" / "3秒钟前", then minutes, hours, days.
 * A time a little ahead of `nowMs` (another machine's clock) reads as "now".
 */
export function formatAgo(iso: string, nowMs: number, locale: Locale): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '—';
  const seconds = Math.max(0, Math.round((nowMs - t) / 1000));
  const f = new Intl.RelativeTimeFormat(intl(locale), { numeric: 'auto' });
  if (seconds < 60) return f.format(-seconds, 'second');
  if (seconds < 3600) return f.format(-Math.floor(seconds / 60), 'minute');
  if (seconds < 86_400) return f.format(-Math.floor(seconds / 3600), 'hour');
  return f.format(-Math.floor(seconds / 86_400), 'day');
}

export function percent(done: number, total: number): number {
  if (total <= 0) return done > 0 ? 100 : 0;
  return Math.round((done / total) * 1000) / 10;
}

/** The usual port of a protocol for its security mode: IMAP 993 (TLS) / 143, POP3 995 (TLS) / 110. */
const USUAL_PORTS: Record<'imap' | 'pop3', Record<'tls' | 'starttls' | 'plain', number>> = {
  imap: { tls: 993, starttls: 143, plain: 143 },
  pop3: { tls: 995, starttls: 110, plain: 110 },
};

/**
 * A server as a short label: its host alone on the protocol's usual port for its security, else
 * host:port, so two jobs on one host (two test servers on 127.0.0.1) can be told apart. An IPv6
 * address is put in brackets before its port.
 */
export function serverLabel(server: { host: string; port: number; security: 'tls' | 'starttls' | 'plain' }, protocol: 'imap' | 'pop3' = 'imap'): string {
  if (server.port === USUAL_PORTS[protocol][server.security]) return server.host;
  return `${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`;
}
