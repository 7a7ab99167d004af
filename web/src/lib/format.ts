/** Number, size and time formatting shared by every page. */

export function fmtNum(v: unknown, digits = 3): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return Number(v.toFixed(digits)).toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function fmtPct(v: unknown, digits = 1): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(digits)}%`;
}

export function fmtDuration(seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

export function fmtBytes(n: unknown): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function fmtDate(iso: unknown, lang = 'en'): string {
  if (typeof iso !== 'string' || !iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** A cell value: numbers rounded, ISO timestamps shortened to "YYYY-MM-DD HH:mm", the rest as text. */
export function fmtCell(v: unknown): string {
  if (typeof v === 'number') return fmtNum(v);
  if (v == null) return '';
  const s = String(v);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) ? s.slice(0, 16).replace('T', ' ') : s;
}

export function fmtTime(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso.slice(11, 19);
  return d.toLocaleTimeString('en-GB', { hour12: false });
}

export function shortId(id: string | null | undefined): string {
  if (!id) return '—';
  // Ids here are short (`job-00622ec3`, `ds-854fb21e`); only long ones (UUIDs) are cut.
  return id.length > 16 ? id.slice(0, 8) : id;
}

/** Trigger a browser download of text or a data URL. */
export function download(filename: string, content: string | Blob, type = 'text/plain'): void {
  const blob = typeof content === 'string' && !content.startsWith('data:') ? new Blob([content], { type }) : null;
  const href = blob ? URL.createObjectURL(blob) : typeof content === 'string' ? content : URL.createObjectURL(content);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (!href.startsWith('data:')) window.setTimeout(() => URL.revokeObjectURL(href), 1000);
}
