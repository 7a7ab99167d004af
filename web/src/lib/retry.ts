/** The console's request retry policy: reads that failed on the network or with a 5xx are
 * tried again up to 3 times, 1 s, 2 s, then 4 s apart (capped at 8 s); a 4xx will not
 * change on retry and is shown at once; writes are never repeated automatically. */
import { ApiError } from '../api/errors';

export const MAX_RETRIES = 3;

export function shouldRetry(failures: number, err: unknown): boolean {
  if (err instanceof ApiError && err.status >= 400 && err.status < 500) return false;
  return failures < MAX_RETRIES;
}

export function retryDelay(attempt: number): number {
  return Math.min(8_000, 1_000 * 2 ** attempt);
}
