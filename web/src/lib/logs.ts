/** Training log lines: read from events, filtered by level and text, highlighted. */
import type { TrainingEvent } from '../api/types';

export const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type Level = (typeof LEVELS)[number];

export interface LogLine {
  seq: number;
  ts: string;
  level: Level;
  message: string;
  /** The server's message code and parameters, rendered in the reader's language. */
  code?: string;
  params?: Record<string, string>;
}

export function normalizeLevel(raw: unknown): Level {
  const s = String(raw ?? 'INFO').toUpperCase();
  if (s === 'WARN') return 'WARNING';
  if (s === 'CRITICAL' || s === 'FATAL') return 'ERROR';
  return (LEVELS as readonly string[]).includes(s) ? (s as Level) : 'INFO';
}

/** A log event as a line; other events give null (a job's `error` event also logs an ERROR line). */
export function toLogLine(ev: Pick<TrainingEvent, 'type' | 'payload' | 'seq' | 'ts'>): LogLine | null {
  if (ev.type !== 'log') return null;
  const p = ev.payload;
  const message = String(p.message ?? p.msg ?? p.line ?? '');
  const line: LogLine = { seq: ev.seq, ts: ev.ts, level: normalizeLevel(p.level), message };
  if (typeof p.code === 'string' && p.code) {
    line.code = p.code;
    line.params = p.params && typeof p.params === 'object' ? (p.params as Record<string, string>) : {};
  }
  return line;
}

export interface LogFilter {
  /** The lowest level shown ('ALL' shows every line). */
  level: Level | 'ALL';
  q: string;
}

export function filterLogs(lines: readonly LogLine[], f: LogFilter): LogLine[] {
  const min = f.level === 'ALL' ? 0 : LEVELS.indexOf(f.level);
  const q = f.q.trim().toLowerCase();
  return lines.filter((l) => LEVELS.indexOf(l.level) >= min && (!q || l.message.toLowerCase().includes(q)));
}

/** Split text around case-insensitive matches of q, for <mark> highlighting. */
export function splitMatches(text: string, q: string): { text: string; match: boolean }[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return [{ text, match: false }];
  const out: { text: string; match: boolean }[] = [];
  const hay = text.toLowerCase();
  let i = 0;
  for (let j = hay.indexOf(needle); j !== -1; j = hay.indexOf(needle, i)) {
    if (j > i) out.push({ text: text.slice(i, j), match: false });
    out.push({ text: text.slice(j, j + needle.length), match: true });
    i = j + needle.length;
  }
  if (i < text.length) out.push({ text: text.slice(i), match: false });
  return out;
}
