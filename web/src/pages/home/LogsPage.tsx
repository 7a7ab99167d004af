/** Every service's log lines (`/api/system/logs?type=&limit=`), searchable, following new
 * lines every 2 seconds while "follow" is on. */
import { useMemo, useState } from 'react';
import { LogViewer } from '../../components/LogViewer';
import { ErrorMessage, PageHeader } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import type { LogLine } from '../../lib/logs';
import { useSystemLogs, type LogEntry } from './queries';
import './home.css';

const TYPES = ['all', 'backend', 'gateway', 'worker', 'inference', 'storage'];
const LIMITS = [100, 200, 500, 1000, 5000];
const LEVELS = new Set(['DEBUG', 'INFO', 'WARNING', 'ERROR']);

export function toLogLines(entries: readonly LogEntry[]): LogLine[] {
  return entries.map((e, i) => ({
    seq: i,
    ts: e.time ?? '',
    level: (e.level && LEVELS.has(e.level) ? e.level : e.level === 'CRITICAL' ? 'ERROR' : 'INFO') as LogLine['level'],
    message: `[${e.service}] ${e.msg}`,
  }));
}

export default function LogsPage() {
  const { t } = useI18n();
  const [type, setType] = useState('all');
  const [limit, setLimit] = useState(200);
  const [q, setQ] = useState('');
  const [follow, setFollow] = useState(true);
  const logs = useSystemLogs({ type, limit, q, level: '' }, follow);
  const lines = useMemo(() => toLogLines(logs.data ?? []), [logs.data]);
  return (
    <>
      <PageHeader title={t('logs.title')} subtitle={t('logs.subtitle')} />
      <div className="row" style={{ marginBottom: 12, alignItems: 'flex-end' }}>
        <label className="field-inline">{t('logs.type')}
          <select value={type} onChange={(e) => setType(e.target.value)} data-testid="logs-type">
            {TYPES.map((x) => <option key={x} value={x}>{t(`logs.types.${x}` as 'logs.types.all')}</option>)}
          </select>
        </label>
        <label className="field-inline">{t('logs.limit')}
          <select value={limit} onChange={(e) => setLimit(Number(e.target.value))} data-testid="logs-limit">
            {LIMITS.map((x) => <option key={x} value={x}>{x}</option>)}
          </select>
        </label>
        <label className="field-inline">{t('logs.serverSearch')}
          <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="job-…" data-testid="logs-q" />
        </label>
        <label className="check small"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} data-testid="logs-follow" /> {t('logs.follow')}</label>
      </div>
      {logs.error ? <ErrorMessage error={logs.error} onRetry={() => void logs.refetch()} /> : <LogViewer lines={lines} live={follow} />}
    </>
  );
}
