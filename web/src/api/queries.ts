/** React Query hooks over the typed client: one per API call the pages make. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { ACTIVE_JOB_STATUSES } from './protocol';
import type { DatasetPatch, DeploymentMapping, FeaturePlan, InferenceOutput, JobCreate, LineageNodeType, PredictRequest, Stage } from './types';

const ACTIVE = new Set<string>(ACTIVE_JOB_STATUSES);

// ---- datasets ----
export function useDatasets(params: { page: number; size: number; q: string }) {
  return useQuery({
    queryKey: ['datasets', params],
    queryFn: () => unwrap(api.GET('/api/datasets', { params: { query: { page: params.page, pageSize: params.size, q: params.q || null } } })),
    placeholderData: keepPreviousData,
  });
}

/** Datasets for pickers (the newest 200). */
export function useDatasetOptions() {
  return useQuery({
    queryKey: ['datasets', 'options'],
    queryFn: () => unwrap(api.GET('/api/datasets', { params: { query: { page: 1, pageSize: 200 } } })),
  });
}

export function useDataset(id: string | undefined) {
  return useQuery({
    queryKey: ['dataset', id],
    queryFn: () => unwrap(api.GET('/api/datasets/{dataset_id}', { params: { path: { dataset_id: id! } } })),
    enabled: !!id,
  });
}

export function useDatasetRows(id: string | undefined, limit = 50) {
  return useQuery({
    queryKey: ['dataset', id, 'rows', limit],
    queryFn: () => unwrap(api.GET('/api/datasets/{dataset_id}/preview', { params: { path: { dataset_id: id! }, query: { limit } } })),
    enabled: !!id,
  });
}

export function useQuality(id: string | undefined) {
  return useQuery({
    queryKey: ['dataset', id, 'quality'],
    queryFn: () => unwrap(api.GET('/api/datasets/{dataset_id}/quality', { params: { path: { dataset_id: id! } } })),
    enabled: !!id,
    retry: false,
  });
}

export function useUpdateDataset(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: DatasetPatch) => unwrap(api.PATCH('/api/datasets/{dataset_id}', { params: { path: { dataset_id: id } }, body })),
    onSuccess: (data) => {
      qc.setQueryData(['dataset', id], data);
      void qc.invalidateQueries({ queryKey: ['datasets'] });
      void qc.invalidateQueries({ queryKey: ['dataset', id, 'quality'] });
    },
  });
}

export function useDeleteDataset() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, force }: { id: string; force?: boolean }) =>
      unwrap(api.DELETE('/api/datasets/{dataset_id}', { params: { path: { dataset_id: id }, query: force ? { force } : {} } })),
    onSuccess: (_, { id }) => {
      qc.removeQueries({ queryKey: ['dataset', id] });
      void qc.invalidateQueries({ queryKey: ['datasets'] });
    },
  });
}

// ---- explore ----
export function useExplorePreview(datasetId: string | undefined) {
  return useQuery({
    queryKey: ['explore', 'preview', datasetId],
    queryFn: () => unwrap(api.GET('/api/explore/preview', { params: { query: { datasetId: datasetId! } } })),
    enabled: !!datasetId,
    staleTime: 60_000,
  });
}

export function useExploreSuggest(datasetId: string | undefined, target: string | undefined) {
  return useQuery({
    queryKey: ['explore', 'suggest', datasetId, target],
    queryFn: () => unwrap(api.POST('/api/explore/suggest', { body: { datasetId: datasetId!, ...(target ? { target } : {}) } })),
    enabled: !!datasetId,
    staleTime: 60_000,
  });
}

// ---- feature plans ----
export function usePlans(datasetId?: string) {
  return useQuery({
    queryKey: ['plans', datasetId ?? null],
    queryFn: () => unwrap(api.GET('/api/features/plans', { params: { query: { pageSize: 200, ...(datasetId ? { datasetId } : {}) } } })),
  });
}

export function usePlan(id: string | undefined) {
  return useQuery({
    queryKey: ['plan', id],
    queryFn: () => unwrap(api.GET('/api/features/plans/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
  });
}

export function useSavePlan() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, plan }: { id?: string; plan: FeaturePlan }) =>
      id
        ? unwrap(api.PUT('/api/features/plans/{id}', { params: { path: { id } }, body: plan }))
        : unwrap(api.POST('/api/features/plans', { body: plan })),
    onSuccess: (rec) => {
      qc.setQueryData(['plan', rec.id], rec);
      void qc.invalidateQueries({ queryKey: ['plans'] });
      void qc.invalidateQueries({ queryKey: ['plan', rec.id, 'preview'] });
    },
  });
}

export function usePlanPreview(id: string | undefined) {
  return useQuery({
    queryKey: ['plan', id, 'preview'],
    queryFn: () => unwrap(api.GET('/api/features/plans/{id}/preview', { params: { path: { id: id! }, query: { rows: 20 } } })),
    enabled: !!id,
  });
}

export function useAutoPlan() {
  return useMutation({
    mutationFn: (body: { datasetId: string; target: string }) => unwrap(api.POST('/api/features/auto', { body })),
  });
}

// ---- training ----
export function useAlgorithms() {
  return useQuery({
    queryKey: ['algorithms'],
    queryFn: () => unwrap(api.GET('/api/training/algorithms')),
    staleTime: Infinity,
  });
}

export function useJobs(page = 1) {
  return useQuery({
    queryKey: ['jobs', page],
    queryFn: () => unwrap(api.GET('/api/training/jobs', { params: { query: { page, pageSize: 20 } } })),
    refetchInterval: (q) => (q.state.data?.items.some((j) => ACTIVE.has(j.status)) ? 5000 : false),
    placeholderData: keepPreviousData,
  });
}

export function useJob(id: string | undefined) {
  return useQuery({
    queryKey: ['job', id],
    queryFn: () => unwrap(api.GET('/api/training/jobs/{job_id}', { params: { path: { job_id: id! } } })),
    enabled: !!id,
    refetchInterval: (q) => (q.state.data && ACTIVE.has(q.state.data.status) ? 4000 : false),
  });
}

export function useSubmitJob() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: JobCreate) => unwrap(api.POST('/api/training/jobs', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['jobs'] }),
  });
}

export function useControlJob(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (action: 'stop' | 'pause' | 'resume') =>
      unwrap(api.POST('/api/training/jobs/{job_id}/control', { params: { path: { job_id: id } }, body: { action } })),
    onSuccess: (job) => qc.setQueryData(['job', id], job),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['job', id] }),
  });
}

/** Register a finished job's model; answers with the new version's name and number. */
export function useRegisterJob(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (modelName: string) => {
      const raw = await unwrap(api.POST('/api/training/jobs/{job_id}/register', { params: { path: { job_id: id } }, body: { modelName } }));
      const v = raw as { name?: unknown; version?: unknown; modelId?: unknown };
      return { name: String(v.name ?? v.modelId ?? modelName), version: Number(v.version) };
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['models'] }),
  });
}

// ---- registry ----
export function useModels() {
  return useQuery({
    queryKey: ['models'],
    queryFn: () => unwrap(api.GET('/api/registry/models', { params: { query: { pageSize: 200 } } })),
  });
}

export function useModel(name: string | undefined) {
  return useQuery({
    queryKey: ['model', name],
    queryFn: () => unwrap(api.GET('/api/registry/models/{name}', { params: { path: { name: name! } } })),
    enabled: !!name,
  });
}

export function useVersions(name: string | undefined) {
  return useQuery({
    queryKey: ['model', name, 'versions'],
    queryFn: () => unwrap(api.GET('/api/registry/models/{name}/versions', { params: { path: { name: name! }, query: { pageSize: 200 } } })),
    enabled: !!name,
  });
}

export function useStageHistory(name: string | undefined) {
  return useQuery({
    queryKey: ['model', name, 'history'],
    queryFn: () => unwrap(api.GET('/api/registry/models/{name}/stage-history', { params: { path: { name: name! } } })),
    enabled: !!name,
  });
}

export function useTransitionStage(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ version, stage, comment, archiveExisting }: { version: number; stage: Stage; comment?: string; archiveExisting?: boolean }) =>
      unwrap(api.POST('/api/registry/models/{name}/versions/{version}/stage', {
        params: { path: { name, version } },
        body: { stage, ...(comment ? { comment } : {}), ...(archiveExisting ? { archiveExisting } : {}) },
      })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['model', name] }),
  });
}

export function useSetAlias(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ alias, version }: { alias: string; version: number }) =>
      unwrap(api.PUT('/api/registry/models/{name}/aliases/{alias}', { params: { path: { name, alias } }, body: { version } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['model', name] }),
  });
}

export function useLineage(nodeType: LineageNodeType, id: string | undefined) {
  return useQuery({
    queryKey: ['lineage', nodeType, id],
    queryFn: () => unwrap(api.GET('/api/lineage/{node_type}/{node_id}', { params: { path: { node_type: nodeType, node_id: id! } } })),
    enabled: !!id,
  });
}

// ---- deployments ----
export function useDeployments(modelId?: string) {
  return useQuery({
    queryKey: ['deployments', modelId ?? null],
    queryFn: () => unwrap(api.GET('/api/deployments', { params: { query: modelId ? { modelId } : {} } })),
  });
}

export function useDeployment(id: string | undefined) {
  return useQuery({
    queryKey: ['deployment', id],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}', { params: { path: { deployment_id: id! } } })),
    enabled: !!id,
  });
}

export function useDeploymentHistory(id: string | undefined) {
  return useQuery({
    queryKey: ['deployment', id, 'history'],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/history', { params: { path: { deployment_id: id! } } })),
    enabled: !!id,
  });
}

export function useCreateDeployment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { modelId: string; version?: number; alias?: string; assetId?: string }) =>
      unwrap(api.POST('/api/deployments', { body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['deployments'] }),
  });
}

function invalidateDeployment(qc: ReturnType<typeof useQueryClient>, id: string) {
  void qc.invalidateQueries({ queryKey: ['deployment', id] });
  void qc.invalidateQueries({ queryKey: ['deployments'] });
}

export function useSaveMapping(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: DeploymentMapping) =>
      unwrap(api.PUT('/api/deployments/{deployment_id}/mapping', { params: { path: { deployment_id: id } }, body })),
    onSuccess: (dep) => {
      qc.setQueryData(['deployment', id], dep);
      invalidateDeployment(qc, id);
    },
  });
}

export function useRollback(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (version: number) =>
      unwrap(api.POST('/api/deployments/{deployment_id}/rollback', { params: { path: { deployment_id: id } }, body: { version } })),
    onSuccess: () => invalidateDeployment(qc, id),
  });
}

export function useRotateToken(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/deployments/{deployment_id}/token', { params: { path: { deployment_id: id } } })),
    onSuccess: () => invalidateDeployment(qc, id),
  });
}

export function useContract(id: string | undefined, revision?: number) {
  return useQuery({
    queryKey: ['deployment', id, 'contract', revision ?? null],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/contract', { params: { path: { deployment_id: id! } } })),
    enabled: !!id,
  });
}

export function useDeploymentMetrics(id: string | undefined) {
  return useQuery({
    queryKey: ['deployment', id, 'metrics'],
    queryFn: () => unwrap(api.GET('/api/deployments/{deployment_id}/metrics', { params: { path: { deployment_id: id! } } })),
    enabled: !!id,
    refetchInterval: 5_000,
  });
}

export function usePredict() {
  return useMutation({
    // a single window (the deployment page's) is answered with one forecast
    mutationFn: async (body: PredictRequest) => (await unwrap(api.POST('/api/inference/predict', { body }))) as InferenceOutput,
  });
}
