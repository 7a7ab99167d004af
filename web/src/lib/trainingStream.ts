/** The live state of one training job, folded from its events (history replay, then live). */
import { TERMINAL_JOB_EVENTS } from '../api/protocol';
import type { TrainingEvent } from '../api/types';
import { toLogLine, type LogLine } from './logs';

export interface StreamState {
  lastSeq: number;
  logs: LogLine[];
  metrics: Record<string, unknown>[];
  artifacts: Record<string, unknown>[];
  status: string | null;
  progress: number | null;
  done: Record<string, unknown> | null;
  error: string | null;
  traceback: string[];
  /** How many metric events arrived over the socket (not counting a refetched history). */
  liveMetricCount: number;
}

export const initialStream: StreamState = {
  lastSeq: -1, logs: [], metrics: [], artifacts: [], status: null, progress: null, done: null, error: null, traceback: [], liveMetricCount: 0,
};

const MAX_LOGS = 5000;

export function parseEvent(raw: unknown): TrainingEvent | null {
  if (!raw || typeof raw !== 'object') return null;
  const e = raw as Record<string, unknown>;
  if (typeof e.type !== 'string' || typeof e.seq !== 'number') return null;
  return {
    type: e.type as TrainingEvent['type'],
    seq: e.seq,
    ts: typeof e.ts === 'string' ? e.ts : new Date().toISOString(),
    payload: e.payload && typeof e.payload === 'object' ? (e.payload as Record<string, unknown>) : {},
  };
}

/** The last event of a job: the server closes the socket after it. */
export function isTerminal(e: TrainingEvent): boolean {
  const final: readonly string[] = TERMINAL_JOB_EVENTS;
  return final.includes(e.type) || (e.type === 'status' && e.payload.status === 'cancelled');
}

/** Apply a batch of events; events at or below the last seen seq are ignored (replays). */
export function applyEvents(state: StreamState, events: readonly TrainingEvent[], live = true): StreamState {
  const fresh = events.filter((e) => e.seq > state.lastSeq).sort((a, b) => a.seq - b.seq);
  if (fresh.length === 0) return state;
  const next: StreamState = { ...state, logs: state.logs, metrics: state.metrics, artifacts: state.artifacts };
  const logs: LogLine[] = [];
  const metrics: Record<string, unknown>[] = [];
  const artifacts: Record<string, unknown>[] = [];
  for (const ev of fresh) {
    next.lastSeq = ev.seq;
    const p = ev.payload as Record<string, unknown>;
    const line = toLogLine(ev);
    if (line) logs.push(line);
    switch (ev.type) {
      case 'metric':
        metrics.push(p);
        if (live) next.liveMetricCount += 1;
        if (typeof p.progress === 'number') next.progress = p.progress;
        break;
      case 'artifact':
        artifacts.push(p);
        break;
      case 'status':
        if (typeof p.status === 'string') next.status = p.status;
        if (typeof p.progress === 'number') next.progress = p.progress;
        break;
      case 'done':
        next.done = p;
        next.status = typeof p.status === 'string' ? p.status : 'succeeded';
        next.progress = 1;
        break;
      case 'error':
        next.error = String(p.message ?? p.error ?? 'failed');
        next.status = 'failed';
        if (Array.isArray(p.traceback)) next.traceback = p.traceback.map(String);
        break;
      default:
        break;
    }
  }
  if (logs.length) next.logs = [...state.logs, ...logs].slice(-MAX_LOGS);
  if (metrics.length) next.metrics = [...state.metrics, ...metrics];
  if (artifacts.length) next.artifacts = [...state.artifacts, ...artifacts];
  return next;
}
