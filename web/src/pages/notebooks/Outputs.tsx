/** A cell's nbformat outputs: text streams, errors with their traceback, images, HTML
 * tables (sanitised) and plain text. */
import DOMPurify from 'dompurify';

export type Output = Record<string, unknown> & { output_type: string };

// ANSI colour codes in IPython tracebacks
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function text(v: unknown): string {
  return Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '';
}

function RichOutput({ data }: { data: Record<string, unknown> }) {
  if (data['image/png']) return <img className="nb-image" alt="" src={`data:image/png;base64,${text(data['image/png']).trim()}`} data-testid="nb-image" />;
  if (data['image/jpeg']) return <img className="nb-image" alt="" src={`data:image/jpeg;base64,${text(data['image/jpeg']).trim()}`} />;
  if (data['text/html']) {
    return <div className="nb-html" dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(text(data['text/html'])) }} />;
  }
  return <pre className="nb-text">{text(data['text/plain'])}</pre>;
}

export function Outputs({ outputs }: { outputs: Output[] }) {
  if (!outputs.length) return null;
  return (
    <div className="nb-outputs" data-testid="nb-outputs">
      {outputs.map((o, i) => {
        if (o.output_type === 'stream') {
          return <pre key={i} className={`nb-text ${o.name === 'stderr' ? 'nb-stderr' : ''}`}>{text(o.text)}</pre>;
        }
        if (o.output_type === 'error') {
          const trace = Array.isArray(o.traceback) ? (o.traceback as string[]).join('\n').replace(ANSI, '') : '';
          return <pre key={i} className="nb-text nb-error" data-testid="nb-error">{trace || `${text(o.ename)}: ${text(o.evalue)}`}</pre>;
        }
        return <RichOutput key={i} data={(o.data ?? {}) as Record<string, unknown>} />;
      })}
    </div>
  );
}
