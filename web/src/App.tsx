/** Routes: the login page eagerly, every other page as its own lazily loaded chunk. */
import { lazy } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useAuth } from './auth/AuthContext';
import { Layout } from './components/Layout';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';

const DatasetsPage = lazy(() => import('./pages/datasets/DatasetsPage'));
const DatasetDetailPage = lazy(() => import('./pages/datasets/DatasetDetailPage'));
const ExplorePage = lazy(() => import('./pages/explore/ExplorePage'));
const FeaturesPage = lazy(() => import('./pages/features/FeaturesPage'));
const TrainingPage = lazy(() => import('./pages/training/TrainingPage'));
const TrainingJobPage = lazy(() => import('./pages/training/TrainingJobPage'));
const RegistryPage = lazy(() => import('./pages/registry/RegistryPage'));
const ModelPage = lazy(() => import('./pages/registry/ModelPage'));
const DeploymentsPage = lazy(() => import('./pages/deployments/DeploymentsPage'));
const DeploymentPage = lazy(() => import('./pages/deployments/DeploymentPage'));
const SystemPage = lazy(() => import('./pages/system/SystemPage'));

// watching: monitor, live accuracy, anomaly events, alerts
const MonitorPage = lazy(() => import('./pages/watching/MonitorPage'));

// quality rules and the administrator's desk
const QualityPage = lazy(() => import('./pages/quality/QualityPage'));
const UsersPage = lazy(() => import('./pages/admin/UsersPage'));

// model lab: projects, experiments, weights, architectures, augmentation
const LabProjectsPage = lazy(() => import('./pages/lab/ProjectsPage'));
const LabExperimentsPage = lazy(() => import('./pages/lab/ExperimentsPage'));
const LabBuilderPage = lazy(() => import('./pages/lab/BuilderPage'));
const LabAugmentationPage = lazy(() => import('./pages/lab/AugmentationPage'));
const LabWeightsPage = lazy(() => import('./pages/lab/WeightsPage'));

// feature store and sensor streams
const FeatureStorePage = lazy(() => import('./pages/featureStore/FeatureStorePage'));
const SourcesPage = lazy(() => import('./pages/featureStore/SourcesPage'));
const LivePage = lazy(() => import('./pages/featureStore/LivePage'));

// notebooks
const NotebooksPage = lazy(() => import('./pages/notebooks/NotebooksPage'));
const NotebookPage = lazy(() => import('./pages/notebooks/NotebookPage'));

// home dashboard, lineage graph, system logs, docs
const HomePage = lazy(() => import('./pages/home/HomePage'));
const LineagePage = lazy(() => import('./pages/home/LineagePage'));
const LogsPage = lazy(() => import('./pages/home/LogsPage'));
const DocsPage = lazy(() => import('./pages/home/DocsPage'));


function RequireAuth({ children }: { children: React.ReactNode }) {
  const { user } = useAuth();
  const location = useLocation();
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireAuth><Layout /></RequireAuth>}>
        <Route index element={<HomePage />} />
        <Route path="datasets" element={<DatasetsPage />} />
        <Route path="datasets/:id" element={<DatasetDetailPage />} />
        <Route path="explore" element={<ExplorePage />} />
        <Route path="features" element={<FeaturesPage />} />
        <Route path="training" element={<TrainingPage />} />
        <Route path="training/:jobId" element={<TrainingJobPage />} />
        <Route path="registry" element={<RegistryPage />} />
        <Route path="registry/:modelId" element={<ModelPage />} />
        <Route path="deployments" element={<DeploymentsPage />} />
        <Route path="deployments/:id" element={<DeploymentPage />} />
        <Route path="system" element={<SystemPage />} />

        {/* watching: monitor, live accuracy, anomaly events, alerts */}
        <Route path="deployments/:id/monitor" element={<MonitorPage />} />

        {/* quality rules and the administrator's desk */}
        <Route path="quality" element={<QualityPage />} />
        <Route path="admin/users" element={<UsersPage />} />

        {/* model lab: projects, experiments, weights, architectures, augmentation */}
        <Route path="lab/projects" element={<LabProjectsPage />} />
        <Route path="lab/experiments" element={<LabExperimentsPage />} />
        <Route path="lab/builder" element={<LabBuilderPage />} />
        <Route path="lab/augmentation" element={<LabAugmentationPage />} />
        <Route path="lab/weights" element={<LabWeightsPage />} />

        {/* feature store and sensor streams */}
        <Route path="feature-store" element={<FeatureStorePage />} />
        <Route path="sources" element={<SourcesPage />} />
        <Route path="live/:deploymentId" element={<LivePage />} />

        {/* notebooks */}
        <Route path="notebooks" element={<NotebooksPage />} />
        <Route path="notebooks/:id" element={<NotebookPage />} />

        {/* home dashboard, lineage graph, system logs, docs */}
        <Route path="home" element={<HomePage />} />
        <Route path="lineage" element={<LineagePage />} />
        <Route path="logs" element={<LogsPage />} />
        <Route path="docs/*" element={<DocsPage />} />

        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
