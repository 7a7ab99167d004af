/** The user manual (one page per task), the FAQ, the API guide and the changelog. */
import { useEffect, useState } from 'react';
import { NavLink, useParams } from 'react-router';
import { Markdown } from '../../components/Markdown';
import { Card, EmptyState, PageHeader, Skeleton } from '../../components/ui';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { loadDoc, PAGES } from './docs';
import './home.css';

export default function DocsPage() {
  const { t } = useI18n();
  const params = useParams();
  const slug = params['*'] || 'manual/import-data';
  const [text, setText] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    setText(undefined);
    void loadDoc(slug).then((s) => { if (live) setText(s); });
    return () => { live = false; };
  }, [slug]);
  return (
    <>
      <PageHeader title={t('docs.title')} subtitle={t('docs.subtitle')} />
      <div className="docs-layout">
        <nav className="docs-nav card" aria-label={t('docs.title')} data-testid="docs-nav" style={{ padding: 8 }}>
          <div className="nav-section">{t('docs.manual')}</div>
          {PAGES.filter((p) => p.section === 'manual').map((p) => <NavLink key={p.slug} to={`/docs/${p.slug}`}>{t(p.titleKey as MessageKey)}</NavLink>)}
          <div className="nav-section">{t('docs.reference')}</div>
          {PAGES.filter((p) => p.section === 'reference').map((p) => <NavLink key={p.slug} to={`/docs/${p.slug}`}>{t(p.titleKey as MessageKey)}</NavLink>)}
        </nav>
        <Card testId="docs-page">
          {text === undefined ? <Skeleton height={240} /> : text === null ? <EmptyState title={t('docs.missing')} /> : <Markdown source={text} testId="docs-markdown" />}
        </Card>
      </div>
    </>
  );
}
