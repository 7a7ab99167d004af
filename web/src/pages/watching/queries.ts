/** React Query hooks of the Monitor page: series, events, accuracy, acknowledge, comment. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { BodyOf, ResponseOf } from '../../api/types';

export type MonitorSeries = ResponseOf<'/api/deployments/{deployment_id}/series'>;
export type WatchEvent = ResponseOf<'/api/watching/events/{event_id}'>;
export type Accuracy = ResponseOf<'/api/deployments/{deployment_id}/accuracy'>;

export function useSeries(id: string, step: number) {
  return useQuery({
    queryKey: ['watching', id, 'series', step],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/series', {
      params: { path: { deployment_id: id }, query: { step, points: 600 } },
    })),
    refetchInterval: 30_000,
  });
}

export function useEvents(id: string) {
  return useQuery({
    queryKey: ['watching', id, 'events'],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/events', {
      params: { path: { deployment_id: id }, query: { limit: 200 } },
    })),
    refetchInterval: 30_000,
  });
}

export function useAccuracy(id: string, days: number) {
  return useQuery({
    queryKey: ['watching', id, 'accuracy', days],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/accuracy', {
      params: { path: { deployment_id: id }, query: { days } },
    })),
    refetchInterval: 60_000,
  });
}

export function useAcknowledge(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (eventId: number) => unwrap(api.POST('/api/watching/events/{event_id}/acknowledge', {
      params: { path: { event_id: eventId } },
    })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['watching', id, 'events'] }),
  });
}

export function useComment(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ eventId, text }: { eventId: number; text: string }) => unwrap(api.POST('/api/watching/events/{event_id}/comments', {
      params: { path: { event_id: eventId } }, body: { text },
    })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['watching', id, 'events'] }),
  });
}

export type AlertRule = ResponseOf<'/api/deployments/{deployment_id}/alert-rules'>[number];
export type AlertDelivery = ResponseOf<'/api/deployments/{deployment_id}/alert-deliveries'>[number];

export function useAlertRules(id: string) {
  return useQuery({
    queryKey: ['watching', id, 'rules'],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/alert-rules', { params: { path: { deployment_id: id } } })),
  });
}

export function useDeliveries(id: string) {
  return useQuery({
    queryKey: ['watching', id, 'deliveries'],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/alert-deliveries', {
      params: { path: { deployment_id: id }, query: { limit: 50 } },
    })),
    refetchInterval: 30_000,
  });
}

export type AlertRuleBody = BodyOf<'/api/deployments/{deployment_id}/alert-rules'>;

export function useAddRule(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AlertRuleBody) => unwrap(api.POST('/api/deployments/{deployment_id}/alert-rules', {
      params: { path: { deployment_id: id } }, body,
    })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['watching', id, 'rules'] }),
  });
}

export function useDeleteRule(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (ruleId: number) => unwrap(api.DELETE('/api/watching/alert-rules/{rule_id}', {
      params: { path: { rule_id: ruleId } },
    })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['watching', id, 'rules'] }),
  });
}

export function useAccuracyOverTime(id: string, bucket: 'hour' | 'day', days: number) {
  return useQuery({
    queryKey: ['watching', id, 'accuracy-over-time', bucket, days],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/accuracy', {
      params: { path: { deployment_id: id }, query: { days, bucket } },
    })),
    refetchInterval: 60_000,
  });
}
