import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../../api/errors';
import { describeError } from '../../lib/describeError';

describe('errors in plain words', () => {
  it('reads the standard error body', () => {
    const e = toApiError(422, { code: 'UNIT_INCONSISTENT', message: 'kWh is not a power', details: { field: 'load' } });
    expect(e).toBeInstanceOf(ApiError);
    expect(describeError(e)).toEqual({ titleKey: 'errors.UNIT_INCONSISTENT', message: 'kWh is not a power', code: 'UNIT_INCONSISTENT' });
    expect(e.details).toEqual({ field: 'load' });
  });

  it('copes with bodies of other shapes', () => {
    expect(toApiError(404, null).code).toBe('NOT_FOUND');
    expect(toApiError(400, { detail: 'Bad Request' }).message).toBe('Bad Request');
    expect(toApiError(502, '<html>bad gateway</html>').message).toBe('<html>bad gateway</html>');
    expect(describeError(new Error('boom'))).toEqual({ titleKey: 'errors.generic', message: 'boom', code: '' });
  });
});
