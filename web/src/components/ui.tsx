/** The console's building blocks: cards, headers, states, badges, dialogs. */
import { useEffect, useState, type CSSProperties, type ReactNode } from 'react';
import { useI18n, type MessageKey } from '../i18n/i18n';
import { describeError } from '../lib/describeError';
import { Icon, type IconName } from './icons';

export function PageHeader({ title, subtitle, actions, crumb }: {
  title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; crumb?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        {crumb && <div className="breadcrumb">{crumb}</div>}
        <h1>{title}</h1>
        {subtitle && <p>{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

export function Card({ title, subtitle, actions, children, flush, className, testId }: {
  title?: ReactNode; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode; flush?: boolean;
  className?: string; testId?: string;
}) {
  return (
    <section className={`card ${className ?? ''}`} data-testid={testId}>
      {(title || actions) && (
        <div className="card-head">
          <div>
            {title && <h2>{title}</h2>}
            {subtitle && <p>{subtitle}</p>}
          </div>
          {actions && <div className="row">{actions}</div>}
        </div>
      )}
      <div className={`card-body ${flush ? 'flush' : ''}`}>{children}</div>
    </section>
  );
}

/** A listing's frame: the scrolling wrap, the table, its head row(s) and its body rows, and
 * what follows the wrap (a pager). */
export function Table({ head, children, dense, testId, style, footer }: {
  head: ReactNode; children: ReactNode; dense?: boolean; testId?: string; style?: CSSProperties;
  footer?: ReactNode;
}) {
  return (
    <>
      <div className="table-wrap" style={style}>
        <table className={dense ? 'table dense' : 'table'} data-testid={testId}>
          <thead>{head}</thead>
          <tbody>{children}</tbody>
        </table>
      </div>
      {footer}
    </>
  );
}

/** The product's mark and name, as the sidebar and the sign-in page show them. */
export function Brand() {
  return (
    <div className="brand">
      <span className="brand-mark">
        <svg width="16" height="16" viewBox="0 0 32 32" aria-hidden="true"><path d="M5 23l7-9 6 5 9-11" stroke="white" strokeWidth="3.5" fill="none" strokeLinecap="round" strokeLinejoin="round" /></svg>
      </span>
      Loadstar
    </div>
  );
}

export function Stat({ label, value, sub }: { label: ReactNode; value: ReactNode; sub?: ReactNode }) {
  return (
    <div className="card stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub && <div className="stat-sub">{sub}</div>}
    </div>
  );
}

export function Skeleton({ height = 14, width = '100%', style }: { height?: number; width?: number | string; style?: React.CSSProperties }) {
  return <div className="skeleton" style={{ height, width, ...style }} aria-hidden="true" />;
}

export function SkeletonLines({ lines = 4 }: { lines?: number }) {
  return (
    <div className="stack" style={{ gap: 10 }} aria-busy="true">
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} width={`${90 - ((i * 17) % 35)}%`} />
      ))}
    </div>
  );
}

export function SkeletonTable({ rows = 5, cols = 4 }: { rows?: number; cols?: number }) {
  return (
    <div className="stack" style={{ gap: 12, padding: 16 }} aria-busy="true" data-testid="skeleton">
      {Array.from({ length: rows }, (_, r) => (
        <div key={r} style={{ display: 'grid', gridTemplateColumns: `repeat(${cols}, 1fr)`, gap: 16 }}>
          {Array.from({ length: cols }, (_, c) => <Skeleton key={c} width={`${70 + ((r + c) * 13) % 30}%`} />)}
        </div>
      ))}
    </div>
  );
}

export function SkeletonPage() {
  return (
    <div className="stack" aria-busy="true" data-testid="skeleton">
      <Skeleton height={26} width={240} />
      <div className="grid cols-4">{[0, 1, 2, 3].map((i) => <Skeleton key={i} height={74} />)}</div>
      <Skeleton height={280} />
    </div>
  );
}

export function EmptyState({ icon = 'inbox', title, text, action }: {
  icon?: IconName; title: ReactNode; text?: ReactNode; action?: ReactNode;
}) {
  return (
    <div className="empty" data-testid="empty">
      <div className="empty-icon"><Icon name={icon} size={20} /></div>
      <h3>{title}</h3>
      {text && <p>{text}</p>}
      {action && <div className="row">{action}</div>}
    </div>
  );
}

export function ErrorMessage({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const { t } = useI18n();
  const e = describeError(error);
  return (
    <div className="alert error" role="alert" data-testid="error">
      <Icon name="alert" />
      <div style={{ flex: 1 }}>
        <strong>{title ?? t(e.titleKey)}</strong>
        <div>{e.message}</div>
        {e.code && <div className="code">{e.code}</div>}
      </div>
      {onRetry && <button className="btn sm" onClick={onRetry}>{t('common.retry')}</button>}
    </div>
  );
}

export function Alert({ kind = 'info', title, children }: { kind?: 'info' | 'warn' | 'ok' | 'error'; title?: ReactNode; children?: ReactNode }) {
  return (
    <div className={`alert ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <div>
        {title && <strong>{title}</strong>}
        {children}
      </div>
    </div>
  );
}

/** Loading skeleton, plain-words error, or the content: the three states of every query. */
export function QueryView<T>({ query, skeleton, children }: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  skeleton?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <>{skeleton ?? <SkeletonLines />}</>;
  if (query.error || query.data === undefined) return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}

export type Tone = 'ok' | 'warn' | 'danger' | 'info' | 'neutral';
export function Badge({ tone = 'neutral', children, plain }: { tone?: Tone; children: ReactNode; plain?: boolean }) {
  return <span className={`badge ${tone === 'neutral' ? '' : tone} ${plain ? 'plain' : ''}`}>{children}</span>;
}

export function Tabs<K extends string>({ tabs, value, onChange }: {
  tabs: { key: K; label: ReactNode }[]; value: K; onChange: (k: K) => void;
}) {
  return (
    <div className="tabs" role="tablist">
      {tabs.map((tab) => (
        <button key={tab.key} role="tab" aria-selected={tab.key === value} className={tab.key === value ? 'active' : ''}
          onClick={() => onChange(tab.key)}>
          {tab.label}
        </button>
      ))}
    </div>
  );
}

export function Pager({ page, size, total, onPage }: { page: number; size: number; total: number; onPage: (p: number) => void }) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(total / size));
  const from = total === 0 ? 0 : (page - 1) * size + 1;
  const to = Math.min(total, page * size);
  return (
    <div className="pager">
      <span>{t('common.showing', { from, to, total })}</span>
      <div className="row">
        <button className="btn sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('common.prev')}</button>
        <span>{page} / {pages}</span>
        <button className="btn sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t('common.next')}</button>
      </div>
    </div>
  );
}

export function Modal({ title, children, footer, onClose, wide }: {
  title: ReactNode; children: ReactNode; footer?: ReactNode; onClose: () => void; wide?: boolean;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal ${wide ? 'wide' : ''}`} role="dialog" aria-modal="true">
        <div className="modal-head"><h2>{title}</h2></div>
        <div className="modal-body">{children}</div>
        {footer && <div className="modal-foot">{footer}</div>}
      </div>
    </div>
  );
}

export function ConfirmDialog({ title, text, confirmLabel, danger, busy, error, onConfirm, onCancel }: {
  title: ReactNode; text: ReactNode; confirmLabel: ReactNode; danger?: boolean; busy?: boolean; error?: unknown;
  onConfirm: () => void; onCancel: () => void;
}) {
  const { t } = useI18n();
  return (
    <Modal title={title} onClose={onCancel} footer={
      <>
        <button className="btn" onClick={onCancel}>{t('common.cancel')}</button>
        <button className={`btn ${danger ? 'danger solid' : 'primary'}`} disabled={busy} onClick={onConfirm} data-testid="confirm">
          {busy && <span className="spinner" />} {confirmLabel}
        </button>
      </>
    }>
      <div className="stack">
        <div>{text}</div>
        {error ? <ErrorMessage error={error} /> : null}
      </div>
    </Modal>
  );
}

export function CopyButton({ text, label }: { text: string; label?: ReactNode }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API refused (no permission or plain http): fall back to a hidden textarea.
      const ta = document.createElement('textarea');
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    setDone(true);
    window.setTimeout(() => setDone(false), 1500);
  };
  return (
    <button className="btn sm" onClick={() => void copy()} type="button">
      <Icon name={done ? 'check' : 'copy'} size={14} /> {done ? t('common.copied') : (label ?? t('common.copy'))}
    </button>
  );
}

export function CodeBlock({ code, testId }: { code: string; testId?: string }) {
  return (
    <div className="code-wrap">
      <pre className="code-block" data-testid={testId}><code>{code}</code></pre>
      <div className="copy-float"><CopyButton text={code} /></div>
    </div>
  );
}

export function Field({ label, hint, error, children }: { label: ReactNode; hint?: ReactNode; error?: ReactNode; children: ReactNode }) {
  return (
    <label className={`field ${error ? 'error' : ''}`}>
      <span>{label} {hint && <span className="hint">{hint}</span>}</span>
      {children}
      {error && <span className="err">{error}</span>}
    </label>
  );
}

export function Progress({ value }: { value: number }) {
  const pct = Math.max(0, Math.min(1, value)) * 100;
  return (
    <div className="progress" role="progressbar" aria-valuenow={Math.round(pct)} aria-valuemin={0} aria-valuemax={100}>
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}

export function Kv({ items }: { items: [MessageKey | string, ReactNode][] }) {
  const { t } = useI18n();
  return (
    <dl className="kv">
      {items.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k.includes('.') ? t(k as MessageKey) : k}</dt>
          <dd>{v ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}
