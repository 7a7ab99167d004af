import { Link } from 'react-router';
import { EmptyState } from '../components/ui';
import { useI18n } from '../i18n/i18n';

export function NotFoundPage() {
  const { t } = useI18n();
  return <EmptyState icon="alert" title={t('errors.pageNotFound')} action={<Link className="btn" to="/datasets">{t('nav.datasets')}</Link>} />;
}
