/** Plain words for any error the console meets: the API's own message, titled by its code. */
import { ApiError } from '../api/errors';
import type { MessageKey } from '../i18n/i18n';

export interface ErrorText {
  titleKey: MessageKey;
  message: string;
  code: string;
}

const TITLES: Record<string, MessageKey> = {
  NETWORK: 'errors.NETWORK',
  INVALID_INPUT: 'errors.INVALID_INPUT',
  UNIT_INCONSISTENT: 'errors.UNIT_INCONSISTENT',
  INPUT_MISSING_EXCEEDS: 'errors.INPUT_MISSING_EXCEEDS',
  INFERENCE_FAILED: 'errors.INFERENCE_FAILED',
  UNAUTHORIZED: 'errors.UNAUTHORIZED',
  FORBIDDEN: 'errors.FORBIDDEN',
  NOT_FOUND: 'errors.NOT_FOUND',
  CONFLICT: 'errors.CONFLICT',
  PAYLOAD_TOO_LARGE: 'errors.PAYLOAD_TOO_LARGE',
};

export function describeError(err: unknown): ErrorText {
  if (err instanceof ApiError) {
    return { titleKey: TITLES[err.code] ?? 'errors.generic', message: err.message, code: err.code };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { titleKey: 'errors.generic', message, code: '' };
}
