/** Names for the generated API shapes; every type here is derived from schema.d.ts. */
import type { paths } from './schema';

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Success<R> = R[Extract<keyof R, 200 | 201 | 202>];

/** The JSON body of the success response of `M P`. */
export type ResponseOf<P extends keyof paths, M extends Method = 'get'> = JsonOf<
  Success<Op<P, M> extends { responses: infer R } ? R : never>
>;
/** The JSON request body of `M P`. */
export type BodyOf<P extends keyof paths, M extends Method = 'post'> =
  Op<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

type Elem<T> = T extends readonly (infer E)[] ? E : never;

export type Dataset = ResponseOf<'/api/datasets/{dataset_id}'>;
export type DatasetPage = ResponseOf<'/api/datasets'>;
export type DatasetPatch = BodyOf<'/api/datasets/{dataset_id}', 'patch'>;
export type DatasetRows = ResponseOf<'/api/datasets/{dataset_id}/preview'>;
export type ImportPreview = ResponseOf<'/api/datasets/inspect', 'post'>;
export type QualityReport = ResponseOf<'/api/datasets/{dataset_id}/quality'>;
export type ExplorePreview = ResponseOf<'/api/explore/preview'>;
export type ColumnStats = ExplorePreview['stats'][string];
export type SuggestResponse = ResponseOf<'/api/explore/suggest', 'post'>;
export type ChartSuggestion = Elem<SuggestResponse['charts']>;
export type FeatureSuggestion = Elem<SuggestResponse['features']>;
export type FeaturePlan = BodyOf<'/api/features/plans'>;
export type FeatureOp = Elem<NonNullable<FeaturePlan['ops']>>;
export type AutoPlan = ResponseOf<'/api/features/auto', 'post'>;
export type Algorithm = Elem<ResponseOf<'/api/training/algorithms'>>;
export type JobCreate = BodyOf<'/api/training/jobs'>;
export type Job = ResponseOf<'/api/training/jobs/{job_id}'>;
export type MetricPoint = Elem<ResponseOf<'/api/training/jobs/{job_id}/metrics'>>;
export type LogPage = ResponseOf<'/api/training/jobs/{job_id}/logs'>;
export type RegisteredModel = ResponseOf<'/api/registry/models/{name}'>;
export type ModelPage = ResponseOf<'/api/registry/models'>;
export type ModelVersion = ResponseOf<'/api/registry/models/{name}/versions/{version}'>;
export type Stage = ModelVersion['stage'];
export type Lineage = ResponseOf<'/api/lineage/{node_type}/{node_id}'>;
export type LineageNodeType = Lineage['root']['type'];
export type Deployment = ResponseOf<'/api/deployments/{deployment_id}'>;
export type DeploymentContract = Deployment['contract'];
export type DeploymentCreated = ResponseOf<'/api/deployments', 'post'>;
export type DeploymentMapping = BodyOf<'/api/deployments/{deployment_id}/mapping', 'put'>;
export type DeploymentContractView = ResponseOf<'/api/deployments/{deployment_id}/contract'>;
export type DeploymentMetrics = ResponseOf<'/api/deployments/{deployment_id}/metrics'>;
export type LatencySeries = Elem<DeploymentMetrics['series']>;
export type PredictRequest = BodyOf<'/api/inference/predict'>;
export type PredictAnswer = ResponseOf<'/api/inference/predict', 'post'>;
/** One forecast (the answer to a single window; a batch answers `{outputs}`). */
export type InferenceOutput = Exclude<PredictAnswer, { outputs: unknown }>;
export type SystemStats = ResponseOf<'/api/system/stats'>;

/** One event on `/ws/training/{jobId}` (the TrainingEvent contract). */
export interface TrainingEvent {
  type: 'log' | 'metric' | 'artifact' | 'done' | 'error' | 'status';
  payload: Record<string, unknown>;
  seq: number;
  ts: string;
}
