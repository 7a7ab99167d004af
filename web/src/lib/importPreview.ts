/** The import dialog's pure part: what a CSV's first lines say about how to read it, which
 * part of a file to send for the server's preview, and the form fields an upload sends.
 * The server detects the same way and has the last word (its preview is what gets stored). */

export type Separator = ',' | ';' | '\t' | '|';
export type DecimalMark = '.' | ',';
export const SEPARATORS: readonly Separator[] = [',', ';', '\t', '|'];

/** Split one CSV line on `sep`, honouring double quotes ("a;b" stays one field). */
export function splitLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') {
      if (quoted && line[i + 1] === '"') { field += '"'; i++; } else quoted = !quoted;
    } else if (c === sep && !quoted) {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

function lines(text: string, max = 50): string[] {
  const all = text.replace(/^\ufeff/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  // a sample cut from a larger file may end in the middle of a line
  return all.length > max ? all.slice(0, max) : all;
}

/** The separator that splits every line into the same number (> 1) of fields; most fields wins. */
export function detectSeparator(text: string): Separator {
  const sample = lines(text);
  let best: [number, Separator] = [1, ','];
  for (const sep of SEPARATORS) {
    const counts = new Set(sample.map((l) => splitLine(l, sep).length));
    const n = counts.size === 1 ? [...counts][0]! : 0;
    if (n > best[0]) best = [n, sep];
  }
  return best[1];
}

const COMMA_NUMBER = /^[+-]?\d+,\d+$/;
const DOT_NUMBER = /^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `,` when the fields hold comma-decimal numbers and none with a dot (never with `,` as separator). */
export function detectDecimal(text: string, sep: Separator): DecimalMark {
  if (sep === ',') return '.';
  let comma = 0, dot = 0;
  for (const line of lines(text).slice(1)) {
    for (const f of splitLine(line, sep)) {
      const v = f.trim();
      if (COMMA_NUMBER.test(v)) comma++;
      if (DOT_NUMBER.test(v)) dot++;
    }
  }
  return comma > 0 && dot === 0 ? ',' : '.';
}

export interface CsvSniff { separator: Separator; decimal: DecimalMark; header: string[]; rows: string[][] }

/** Header and first rows as text, split the way the options say (or as detected). */
export function sniffCsv(text: string, opts: { separator?: Separator; decimal?: DecimalMark } = {}, rowCount = 5): CsvSniff {
  const separator = opts.separator ?? detectSeparator(text);
  const decimal = opts.decimal ?? detectDecimal(text, separator);
  const [head = '', ...body] = lines(text, rowCount + 1);
  return { separator, decimal, header: splitLine(head, separator).map((h) => h.trim()), rows: body.slice(0, rowCount).map((l) => splitLine(l, separator)) };
}

/** The first `bytes` of a CSV, cut after its last whole line: enough for the server's preview. */
export function headSlice(text: string): string {
  const end = text.lastIndexOf('\n');
  return end > 0 ? text.slice(0, end + 1) : text;
}

export interface ImportOptions {
  separator?: Separator;
  decimal?: DecimalMark;
  timestampColumn?: string;
  timestampFormat?: string;
  timezone?: string;
  units?: Record<string, string>;
}

/** The form fields for an upload or a preview: only what the user set (the rest is detected). */
export function importFields(o: ImportOptions): Record<string, string> {
  const f: Record<string, string> = {};
  if (o.separator) f.separator = o.separator;
  if (o.decimal) f.decimal = o.decimal;
  if (o.timestampColumn) f.timestampColumn = o.timestampColumn;
  if (o.timestampFormat?.trim()) f.timestampFormat = o.timestampFormat.trim();
  if (o.timezone?.trim() && o.timezone.trim() !== 'UTC') f.timezone = o.timezone.trim();
  const units = Object.fromEntries(Object.entries(o.units ?? {}).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''));
  if (Object.keys(units).length) f.units = JSON.stringify(units);
  return f;
}

export function separatorLabel(sep: Separator): string {
  return sep === '\t' ? 'Tab' : sep;
}
