/** Live events of a training job over `/ws/training/{jobId}`, with reconnects and a polling fallback. */
import { useEffect, useReducer, useRef, useState } from 'react';
import { api, openSocket, unwrap } from '../api/client';
import type { TrainingEvent } from '../api/types';
import { applyEvents, initialStream, isTerminal, parseEvent, type StreamState } from './trainingStream';

type Action = { kind: 'events'; events: TrainingEvent[]; live: boolean } | { kind: 'reset' };

function reducer(state: StreamState, a: Action): StreamState {
  return a.kind === 'reset' ? initialStream : applyEvents(state, a.events, a.live);
}

export type Connection = 'connecting' | 'live' | 'ended' | 'closed' | 'polling';

export function useTrainingStream(jobId: string | undefined, finished: boolean): {
  state: StreamState; connection: Connection; socketError: string | null;
} {
  const [state, dispatch] = useReducer(reducer, initialStream);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [socketError, setSocketError] = useState<string | null>(null);
  const [fallback, setFallback] = useState(false);
  const ended = useRef(false);

  useEffect(() => {
    dispatch({ kind: 'reset' });
    setFallback(false);
    setSocketError(null);
    ended.current = false;
  }, [jobId]);

  useEffect(() => {
    if (!jobId || fallback) return;
    let ws: WebSocket | null = null;
    let stopped = false;
    let failures = 0;
    let timer = 0;
    const connect = () => {
      setConnection('connecting');
      const openedAt = Date.now();
      let opened = false;
      ws = openSocket(`/ws/training/${jobId}`);
      ws.onopen = () => { opened = true; failures = 0; setConnection('live'); };
      ws.onmessage = (msg) => {
        let data: unknown;
        try {
          data = JSON.parse(String(msg.data));
        } catch {
          return;
        }
        const raw = Array.isArray(data) ? data : [data];
        const errorFrame = raw.find((r) => r && typeof r === 'object' && 'code' in r && 'message' in r && !('type' in r)) as { message?: string } | undefined;
        if (errorFrame) setSocketError(String(errorFrame.message));
        const list = raw.map(parseEvent).filter((e): e is TrainingEvent => e !== null);
        if (list.some(isTerminal)) ended.current = true;
        // History replayed on connect is not "live": only events stamped after the socket opened are.
        const live = list.filter((e) => Date.parse(e.ts) >= openedAt - 1000);
        const replay = list.filter((e) => !live.includes(e));
        if (replay.length) dispatch({ kind: 'events', events: replay, live: false });
        if (live.length) dispatch({ kind: 'events', events: live, live: true });
      };
      ws.onclose = (ev) => {
        if (stopped) return;
        // The server closes after the last event of a finished job, or on a bad token/job (4401/4404).
        if (ended.current || ev.code === 4401 || ev.code === 4404) {
          setConnection('ended');
          return;
        }
        setConnection('closed');
        if (!opened) failures += 1;
        if (failures >= 3) {
          setFallback(true);
          return;
        }
        timer = window.setTimeout(connect, Math.min(8000, 800 * 2 ** failures));
      };
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      ws?.close();
    };
  }, [jobId, fallback]);

  // Without a socket, read the stored events over HTTP until the job ends.
  useEffect(() => {
    if (!jobId || !fallback) return;
    setConnection('polling');
    let cancelled = false;
    const poll = async () => {
      try {
        const [metrics, logs] = await Promise.all([
          unwrap(api.GET('/api/training/jobs/{job_id}/metrics', { params: { path: { job_id: jobId } } })),
          unwrap(api.GET('/api/training/jobs/{job_id}/logs', { params: { path: { job_id: jobId }, query: { pageSize: 500 } } })),
        ]);
        const events: TrainingEvent[] = [
          ...metrics.map((m) => ({ type: 'metric' as const, seq: m.seq, ts: m.ts, payload: m.payload })),
          ...logs.items.map((l) => ({ type: 'log' as const, seq: l.seq, ts: l.ts, payload: { level: l.level, message: l.message } })),
        ];
        if (!cancelled) dispatch({ kind: 'events', events, live: false });
      } catch {
        // keep the last state; the page shows the job's own status
      }
    };
    void poll();
    const id = finished ? 0 : window.setInterval(() => void poll(), 3000);
    return () => { cancelled = true; window.clearInterval(id); };
  }, [jobId, fallback, finished]);

  return { state, connection, socketError };
}
