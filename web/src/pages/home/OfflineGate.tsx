/** The offline page: while the browser is offline, or the control plane stops answering,
 * the page is replaced by a notice that retries on its own and comes back with the line. */
import { useEffect, useState, type ReactNode } from 'react';
import { EmptyState } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import './home.css';

const PROBE_MS = 5_000;

async function serverAnswers(): Promise<boolean> {
  try {
    const resp = await fetch('/healthz', { cache: 'no-store' });
    return resp.ok;
  } catch {
    return false;
  }
}

export function useOnline(): [boolean, () => void] {
  const [online, setOnline] = useState(() => navigator.onLine);
  const check = () => void serverAnswers().then(setOnline);
  useEffect(() => {
    const up = () => check();
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => { window.removeEventListener('online', up); window.removeEventListener('offline', down); };
  }, []);
  useEffect(() => {
    if (online) return undefined;
    const timer = window.setInterval(check, PROBE_MS);
    return () => window.clearInterval(timer);
  }, [online]);
  return [online, check];
}

export function OfflineGate({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [online, check] = useOnline();
  if (online) return <>{children}</>;
  return (
    <div className="offline" data-testid="offline">
      <EmptyState icon="alert" title={t('offline.title')} text={t('offline.text')} action={<button className="btn" onClick={check}>{t('offline.retry')}</button>} />
    </div>
  );
}
