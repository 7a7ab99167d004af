/** The shell: sidebar navigation, header with language switch and the signed-in user. */
import { Suspense, useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { LANGS, useI18n, type MessageKey } from '../i18n/i18n';
import { OfflineGate } from '../pages/home/OfflineGate';
import { ErrorBoundary } from './ErrorBoundary';
import { Icon, type IconName } from './icons';
import { Brand, SkeletonPage } from './ui';

const NAV: { section: MessageKey; items: { to: string; icon: IconName; label: MessageKey }[] }[] = [
  {
    section: 'nav.start',
    items: [{ to: '/', icon: 'system', label: 'home.nav' }],
  },
  {
    section: 'nav.build',
    items: [
      { to: '/datasets', icon: 'datasets', label: 'nav.datasets' },
      { to: '/quality', icon: 'check', label: 'quality.nav' },
      { to: '/explore', icon: 'explore', label: 'nav.explore' },
      { to: '/features', icon: 'features', label: 'nav.features' },
      { to: '/feature-store', icon: 'features', label: 'featureStore.nav' },
      { to: '/notebooks', icon: 'features', label: 'notebooks.nav' },
    ],
  },
  {
    section: 'nav.lab',
    items: [
      { to: '/training', icon: 'training', label: 'nav.training' },
      { to: '/lab/experiments', icon: 'explore', label: 'lab.nav.experiments' },
      { to: '/lab/projects', icon: 'inbox', label: 'lab.nav.projects' },
      { to: '/lab/builder', icon: 'deployments', label: 'lab.nav.builder' },
      { to: '/lab/augmentation', icon: 'features', label: 'lab.nav.augmentation' },
      { to: '/lab/weights', icon: 'registry', label: 'lab.nav.weights' },
    ],
  },
  {
    section: 'nav.ship',
    items: [
      { to: '/registry', icon: 'registry', label: 'nav.registry' },
      { to: '/deployments', icon: 'deployments', label: 'nav.deployments' },
      { to: '/sources', icon: 'system', label: 'featureStore.navSources' },
      { to: '/lineage', icon: 'registry', label: 'lineage.nav' },
    ],
  },
  {
    section: 'nav.operate',
    items: [
      { to: '/system', icon: 'system', label: 'nav.system' },
      { to: '/logs', icon: 'search', label: 'logs.nav' },
      { to: '/admin/users', icon: 'system', label: 'admin.nav' },
      { to: '/docs', icon: 'inbox', label: 'docs.nav' },
    ],
  },
];

export function LangSwitch() {
  const { lang, setLang } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label="Language" data-testid="lang-switch">
      {LANGS.map((l) => (
        <button key={l} className={l === lang ? 'active' : ''} aria-pressed={l === lang} onClick={() => setLang(l)}>
          {l === 'en' ? 'EN' : '中文'}
        </button>
      ))}
    </div>
  );
}

export function Layout() {
  const { t } = useI18n();
  const { user, logout } = useAuth();
  // On a phone the sidebar is a drawer behind the menu button; a new page closes it.
  const [menuOpen, setMenuOpen] = useState(false);
  const { pathname } = useLocation();
  useEffect(() => setMenuOpen(false), [pathname]);
  return (
    <div className={`shell ${menuOpen ? 'menu-open' : ''}`}>
      {menuOpen && <div className="drawer-backdrop" onClick={() => setMenuOpen(false)} />}
      <aside className="sidebar" id="sidebar">
        <Brand />
        <nav className="nav" aria-label={t('nav.main')}>
          {NAV.map((group) => (
            <div key={group.section} className="nav">
              <div className="nav-section">{t(group.section)}</div>
              {group.items.map((item) => (
                <NavLink key={item.to} to={item.to} end={item.to === '/'} data-testid={`nav-${item.to === '/' ? 'home' : item.to.slice(1)}`}>
                  <Icon name={item.icon} /> {t(item.label)}
                </NavLink>
              ))}
            </div>
          ))}
        </nav>
        <div className="sidebar-foot">{t('app.tagline')}</div>
      </aside>
      <div className="main">
        <header className="topbar">
          <button className="btn ghost sm menu-button" onClick={() => setMenuOpen(!menuOpen)} aria-expanded={menuOpen} aria-controls="sidebar"
            aria-label={t('screens.menu')} data-testid="menu-button">
            <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 6h16M4 12h16M4 18h16" stroke="currentColor" strokeWidth="2" strokeLinecap="round" /></svg>
          </button>
          <span className="spacer" />
          <LangSwitch />
          <div className="user" data-testid="current-user">
            <span className="avatar">{user?.username.slice(0, 2)}</span>
            <span>{user?.username}</span>
            <span className="badge plain info" data-testid="role">{user ? t(`roles.${user.role}`) : ''}</span>
          </div>
          <button className="btn ghost sm" onClick={logout} title={t('auth.logout')}>
            <Icon name="logout" /> {t('auth.logout')}
          </button>
        </header>
        <main className="content">
          <ErrorBoundary>
            <Suspense fallback={<SkeletonPage />}>
              <OfflineGate><Outlet /></OfflineGate>
            </Suspense>
          </ErrorBoundary>
        </main>
      </div>
    </div>
  );
}
