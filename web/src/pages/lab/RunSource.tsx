/** Where a run of the run table came from: a notebook run links back to its notebook (at the
 * version it started from) and names the model version it logged. */
import { Link } from 'react-router';
import { useI18n } from '../../i18n/i18n';
import type { RunRow } from './labApi';

export function RunSource({ run }: { run: RunRow }) {
  const { t } = useI18n();
  if (run.kind !== 'notebook' || !run.notebookId) return null;
  return (
    <div className="small muted" data-testid={`run-source-${run.id}`}>
      <span className="badge">{t('lab.experiments.kindNotebook')}</span>{' '}
      <Link to={`/notebooks/${run.notebookId}`}>
        {t('lab.experiments.fromNotebook', { id: run.notebookId, version: run.notebookVersion ?? '' })}
      </Link>
      {run.modelName ? (
        <>
          {' · '}
          <Link to={`/registry/${encodeURIComponent(run.modelName)}`}>
            {t('lab.experiments.loggedModel', { model: run.modelName, version: run.modelVersion ?? '' })}
          </Link>
        </>
      ) : null}
    </div>
  );
}
