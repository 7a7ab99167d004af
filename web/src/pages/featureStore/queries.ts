/** React Query hooks of the feature store, sensor sources and live streams pages. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { ResponseOf } from '../../api/types';

export type Group = ResponseOf<'/api/v2/feature-store/groups/{id}'>;
export type Run = ResponseOf<'/api/v2/feature-store/runs/{id}'>;
export type Device = ResponseOf<'/api/inference/devices/{id}'>;
export type Stream = ResponseOf<'/api/inference/streams'>[number];
export type StreamEvent = ResponseOf<'/api/inference/stream/events'>[number];

export function useGroups() {
  return useQuery({ queryKey: ['fs', 'groups'], queryFn: () => unwrap(api.GET('/api/v2/feature-store/groups', { params: { query: {} } })) });
}

export function useMonitoring(id: string | undefined) {
  return useQuery({
    queryKey: ['fs', 'monitoring', id],
    queryFn: () => unwrap(api.GET('/api/v2/feature-store/groups/{id}/monitoring', { params: { path: { id: id! }, query: {} } })),
    enabled: !!id,
    refetchInterval: 10_000,
  });
}

export function useRuns(group: string | undefined) {
  return useQuery({
    queryKey: ['fs', 'runs', group],
    queryFn: () => unwrap(api.GET('/api/v2/feature-store/runs', { params: { query: { group: group ?? null } } })),
    enabled: !!group,
    refetchInterval: 5_000,
  });
}

export function useSchedules(group: string | undefined) {
  return useQuery({
    queryKey: ['fs', 'schedules', group],
    queryFn: () => unwrap(api.GET('/api/v2/feature-store/schedules', { params: { query: { group: group ?? null } } })),
    enabled: !!group,
  });
}

export function useDevices() {
  return useQuery({ queryKey: ['devices'], queryFn: () => unwrap(api.GET('/api/inference/devices')), refetchInterval: 3_000 });
}

export function useStreams() {
  return useQuery({ queryKey: ['streams'], queryFn: () => unwrap(api.GET('/api/inference/streams')), refetchInterval: 5_000 });
}
