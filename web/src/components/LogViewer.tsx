/** Training logs: level filter, search with highlighting, ERROR lines marked, auto-scroll. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { coded } from '../lib/serverText';
import { filterLogs, LEVELS, splitMatches, type Level, type LogLine } from '../lib/logs';
import { fmtTime } from '../lib/format';
import { Icon } from './icons';

const SHOWN = 2000;

export function LogViewer({ lines, live }: { lines: readonly LogLine[]; live?: boolean }) {
  const { t, lang } = useI18n();
  const [level, setLevel] = useState<Level | 'ALL'>('ALL');
  const [q, setQ] = useState('');
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  // each line in the reader's language (by its message code), searched as it is shown
  const spoken = useMemo(() => lines.map((l) => (l.code ? { ...l, message: coded(lang, 'trainingLog', l.code, l.params, l.message) } : l)), [lines, lang]);
  const shown = useMemo(() => filterLogs(spoken, { level, q }), [spoken, level, q]);
  const errors = useMemo(() => lines.filter((l) => l.level === 'ERROR').length, [lines]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown, follow]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== follow) setFollow(atBottom);
  };

  return (
    <div className="card" data-testid="logs">
      <div className="card-head">
        <div className="row" style={{ gap: 8 }}>
          <h2>{t('training.logs')}</h2>
          {live && <span className="live-dot" title={t('training.live')} />}
          {errors > 0 && <span className="badge danger">{t('training.errorCount', { n: errors })}</span>}
        </div>
        <div className="row" style={{ gap: 8 }}>
          <select className="sm" value={level} onChange={(e) => setLevel(e.target.value as Level | 'ALL')} aria-label={t('training.level')} data-testid="log-level">
            <option value="ALL">{t('training.allLevels')}</option>
            {LEVELS.map((l) => <option key={l} value={l}>{l}+</option>)}
          </select>
          <div className="search">
            <Icon name="search" />
            <input className="sm" style={{ width: 180, paddingLeft: 30, height: 28 }} placeholder={t('training.searchLogs')} value={q} onChange={(e) => setQ(e.target.value)} data-testid="log-search" />
          </div>
          <label className="check small"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> {t('training.autoScroll')}</label>
        </div>
      </div>
      <div className="logs" ref={box} onScroll={onScroll} role="log" aria-live="off">
        {shown.length === 0 ? (
          <div style={{ padding: '8px 12px', color: '#64748b' }}>{lines.length ? t('training.noLogMatch') : t('training.noLogs')}</div>
        ) : (
          shown.slice(-SHOWN).map((l) => (
            <div key={l.seq} className={`log-line ${l.level}`}>
              <span className="ts">{fmtTime(l.ts)}</span>
              <span className="lvl">{l.level}</span>
              <span className="msg">{splitMatches(l.message, q).map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}</span>
            </div>
          ))
        )}
      </div>
    </div>
  );
}
