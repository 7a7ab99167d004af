/** React Query hooks of the model lab (runs, experiments, designs, weights, projects). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { BodyOf, ResponseOf } from '../../api/types';

export type RunRow = ResponseOf<'/api/runs'>['items'][number];
export type RunPage = ResponseOf<'/api/runs'>;
export type Comparison = ResponseOf<'/api/runs/compare'>;
export type Architecture = ResponseOf<'/api/models/architectures/{arch_id}'>;
export type ArchitectureBody = BodyOf<'/api/models/architectures'>;
export type ShapeReport = ResponseOf<'/api/models/architectures/validate', 'post'>;
export type Block = ResponseOf<'/api/models/architectures/blocks'>[number];
export type Augmentation = ResponseOf<'/api/augmentation/{aug_id}'>;
export type AugmentationBody = BodyOf<'/api/augmentation'>;
export type AugmentationStep = AugmentationBody['pipeline'][number];
export type Preview = ResponseOf<'/api/augmentation/preview', 'post'>;
export type Weight = ResponseOf<'/api/models/weights/{weight_id}'>;
export type Experiment = ResponseOf<'/api/experiments/{experiment_id}'>;
export type ExperimentCreate = BodyOf<'/api/experiments'>;
export type Project = ResponseOf<'/api/projects/{project_id}'>;

export function useRuns(query: { experimentId?: string; status?: string; q?: string; sort: string; order: 'asc' | 'desc'; page: number }) {
  return useQuery({
    queryKey: ['lab', 'runs', query],
    queryFn: () => unwrap(api.GET('/api/runs', { params: { query: { ...query, pageSize: 50, experimentId: query.experimentId || null, status: query.status || null, q: query.q || null } } })),
    placeholderData: keepPreviousData,
    refetchInterval: 3000,
  });
}

export function useCompare(ids: string[]) {
  return useQuery({
    queryKey: ['lab', 'compare', ids],
    queryFn: () => unwrap(api.GET('/api/runs/compare', { params: { query: { ids: ids.join(',') } } })),
    enabled: ids.length > 0,
  });
}

export function useExperiments() {
  return useQuery({ queryKey: ['lab', 'experiments'], queryFn: () => unwrap(api.GET('/api/experiments', { params: { query: {} } })), refetchInterval: 3000 });
}

export function useCreateExperiment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ExperimentCreate) => unwrap(api.POST('/api/experiments', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['lab'] }),
  });
}

export function useArchitectures() {
  return useQuery({ queryKey: ['lab', 'architectures'], queryFn: () => unwrap(api.GET('/api/models/architectures')) });
}

export function useBlocks() {
  return useQuery({ queryKey: ['lab', 'blocks'], queryFn: () => unwrap(api.GET('/api/models/architectures/blocks')), staleTime: Infinity });
}

export function validateArchitecture(body: ArchitectureBody) {
  return unwrap(api.POST('/api/models/architectures/validate', { body }));
}

export function useSaveArchitecture() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: ArchitectureBody }) => id
      ? unwrap(api.PUT('/api/models/architectures/{arch_id}', { params: { path: { arch_id: id } }, body }))
      : unwrap(api.POST('/api/models/architectures', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['lab', 'architectures'] }),
  });
}

export function useAugmentations() {
  return useQuery({ queryKey: ['lab', 'augmentations'], queryFn: () => unwrap(api.GET('/api/augmentation')) });
}

export function useSaveAugmentation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AugmentationBody) => unwrap(api.POST('/api/augmentation', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['lab', 'augmentations'] }),
  });
}

export function previewAugmentation(pipeline: AugmentationStep[]) {
  return unwrap(api.POST('/api/augmentation/preview', { body: { pipeline, count: 3, lookback: 48, horizon: 12 } }));
}

export function useWeights() {
  return useQuery({ queryKey: ['lab', 'weights'], queryFn: () => unwrap(api.GET('/api/models/weights', { params: { query: {} } })) });
}

export function useDeleteWeight() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/models/weights/{weight_id}', { params: { path: { weight_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['lab', 'weights'] }),
  });
}

export function useProjects() {
  return useQuery({ queryKey: ['lab', 'projects'], queryFn: () => unwrap(api.GET('/api/projects')) });
}

export function useCreateProject() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, isPrivate }: { name: string; isPrivate: boolean }) => unwrap(api.POST('/api/projects', { body: { name, private: isPrivate } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['lab', 'projects'] }),
  });
}

export function useProjectMembers() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: ['lab'] });
  const set = useMutation({
    mutationFn: ({ id, username, role }: { id: string; username: string; role: 'owner' | 'editor' | 'viewer' }) =>
      unwrap(api.PUT('/api/projects/{project_id}/members', { params: { path: { project_id: id } }, body: { username, role } })),
    onSuccess: done,
  });
  const remove = useMutation({
    mutationFn: ({ id, username }: { id: string; username: string }) =>
      unwrap(api.DELETE('/api/projects/{project_id}/members/{username}', { params: { path: { project_id: id, username } } })),
    onSuccess: done,
  });
  return { set, remove };
}

export function useDeleteRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/runs/{run_id}', { params: { path: { run_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['lab'] }),
  });
}

export function useRegisterWeight() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, modelName, featurePlanId }: { id: string; modelName: string; featurePlanId: string }) =>
      unwrap(api.POST('/api/models/weights/{weight_id}/register', { params: { path: { weight_id: id } }, body: { modelName, featurePlanId } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['registry'] }),
  });
}
