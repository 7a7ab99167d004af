/** The exploration report as Markdown: dataset, per-column stats, charts and suggestions. */
import type { ChartSuggestion, ExplorePreview, SuggestResponse } from '../api/types';
import { fmtNum, fmtPct } from './format';

export function explorationMarkdown(args: {
  datasetName: string; datasetId: string; target?: string; preview: ExplorePreview; suggest?: SuggestResponse; generatedAt?: Date;
}): string {
  const { preview, suggest } = args;
  const lines: string[] = [];
  lines.push(`# Exploration report: ${args.datasetName}`, '');
  lines.push(`- Dataset: \`${args.datasetId}\``);
  if (args.target) lines.push(`- Target: \`${args.target}\``);
  lines.push(`- Rows: ${preview.rows}${preview.start ? ` (${preview.start} to ${preview.end ?? ''})` : ''}`);
  if (preview.frequency) lines.push(`- Frequency: ${preview.frequency} (${fmtPct(preview.gaps.regularShare)} of intervals regular)`);
  lines.push(`- Gaps: ${preview.gaps.count}, ${preview.gaps.missingPoints} missing points`);
  lines.push(`- Generated: ${(args.generatedAt ?? new Date()).toISOString()}`, '');
  lines.push('## Column statistics', '');
  lines.push('| column | missing | mean | std | min | p50 | max |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const [col, s] of Object.entries(preview.stats)) {
    lines.push(`| ${col} | ${fmtPct(s.missingRate)} | ${fmtNum(s.mean)} | ${fmtNum(s.std)} | ${fmtNum(s.min)} | ${fmtNum(s.quantiles?.p50)} | ${fmtNum(s.max)} |`);
  }
  lines.push('');
  if (suggest?.charts.length) {
    lines.push('## Charts', '');
    for (const c of suggest.charts) lines.push(`- ${chartLine(c)}`);
    lines.push('');
  }
  if (suggest?.features.length) {
    lines.push('## Suggested features', '');
    for (const f of suggest.features) lines.push(`- \`${f.op}\` ${JSON.stringify(f.params)}: ${f.reason}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** One line per chart, with the numbers a reader needs without the picture. */
function chartLine(c: ChartSuggestion): string {
  switch (c.type) {
    case 'series': return `**${c.column} over time**: ${c.originalPoints} points${c.method === 'minmax' && c.y.length < c.originalPoints ? ` (${c.y.length} of them drawn: the minimum and maximum of each slice)` : ''}`;
    case 'box': return `**${c.column} box plot**: median ${fmtNum(c.median)}, IQR ${fmtNum(c.q1)} to ${fmtNum(c.q3)}, ${c.outliers} outliers`;
    case 'density': return `**${c.column} density**: bandwidth ${fmtNum(c.bandwidth)}`;
    case 'profile': {
      const means = c.mean.filter((m): m is number => m != null);
      return `**${c.column} ${c.period} profile**: mean from ${fmtNum(Math.min(...means))} to ${fmtNum(Math.max(...means))}`;
    }
    case 'acf': {
      const top = c.lags.map((l, i) => [l, c.values[i] ?? 0] as const).filter(([l]) => l > 1).sort((a, b) => b[1] - a[1])[0];
      return `**${c.column} autocorrelation**: ${top ? `strongest at lag ${top[0]} (${fmtNum(top[1])})` : 'no lags'}; 95% bound ±${fmtNum(c.confidence)}`;
    }
  }
}
