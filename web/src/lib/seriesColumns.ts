/** Many meters, one model: which dataset columns can name each row's series, and the
 * asset a global deployment's request is for. */

export interface ColumnLike { name: string; role: string }

/** Columns that can tell series apart in a long table: the categorical ones (an asset or
 * meter id), never the timestamp or a plan input. */
export function seriesColumnChoices(columns: ColumnLike[] | undefined, planInputs: string[] = []): string[] {
  if (!columns) return [];
  const inputs = new Set(planInputs);
  return columns.filter((c) => c.role === 'categorical' && !inputs.has(c.name)).map((c) => c.name);
}

/** The hyperparameters with the chosen series column (none: one series, as before). */
export function withSeriesColumn(hyperparams: Record<string, unknown>, column: string): Record<string, unknown> {
  if (!column) return hyperparams;
  return { ...hyperparams, series_column: column };
}

/** A request body for a global model's deployment: `assetId` set to the picked asset. */
export function withAsset<T extends Record<string, unknown>>(body: T, assets: string[] | undefined, asset: string): T {
  if (!assets || assets.length === 0 || !asset) return body;
  return { ...body, assetId: asset };
}
