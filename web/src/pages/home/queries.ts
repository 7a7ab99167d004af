/** Hooks for the home dashboard, the lineage explorer, the log viewer and system alerts. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';

export type LineagePage = components['schemas']['LineagePage'];
export type LineageNodeOut = components['schemas']['LineageNode'];
export type LogEntry = components['schemas']['LogEntry'];
export type AlertRule = components['schemas']['SystemAlertRuleOut'];
export type SystemAlertRuleIn = components['schemas']['SystemAlertRuleIn'];
export type AlertEvent = components['schemas']['SystemAlertEventOut'];

export interface GraphQuery { rootType?: string; rootId?: string; depth?: number; types?: string; offset?: number; limit?: number }

export function useLineageGraph(q: GraphQuery) {
  return useQuery({
    queryKey: ['lineage-graph', q],
    queryFn: () => unwrap(api.GET('/api/v2/lineage/graph', {
      params: { query: { rootType: q.rootType || null, rootId: q.rootId || null, depth: q.depth ?? null, types: q.types || null, offset: q.offset ?? 0, limit: q.limit ?? 200 } },
    })),
  });
}

export function useSystemLogs(q: { type: string; limit: number; q: string; level: string }, follow: boolean) {
  return useQuery({
    queryKey: ['system-logs', q],
    queryFn: async () => (await unwrap(api.GET('/api/system/logs', {
      params: { query: { type: q.type || null, limit: q.limit, q: q.q || null, level: q.level || null } },
    }))) as LogEntry[],
    refetchInterval: follow ? 2_000 : false,
  });
}

export function useAlertRules() {
  return useQuery({ queryKey: ['alert-rules'], queryFn: () => unwrap(api.GET('/api/system/alerts/rules')) });
}

export function useAlertEvents(openOnly = false, limit = 20) {
  return useQuery({
    queryKey: ['alert-events', openOnly, limit],
    queryFn: () => unwrap(api.GET('/api/system/alerts/events', { params: { query: { open: openOnly, limit } } })),
    refetchInterval: 15_000,
  });
}

export function useAddAlertRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: SystemAlertRuleIn) => unwrap(api.POST('/api/system/alerts/rules', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['alert-rules'] }),
  });
}

export function useRemoveAlertRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/system/alerts/rules/{rule_id}', { params: { path: { rule_id: id } } })),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: ['alert-rules'] }); void qc.invalidateQueries({ queryKey: ['alert-events'] }); },
  });
}

export function useEvaluateAlerts() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/system/alerts/evaluate')),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['alert-events'] }),
  });
}
