import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { MAX_RETRIES, retryDelay, shouldRetry } from '../retry';

describe('request retry policy', () => {
  it('retries network and server errors up to three times', () => {
    const network = new ApiError(0, 'NETWORK', 'offline');
    const server = new ApiError(503, 'INFERENCE_FAILED', 'busy');
    for (const err of [network, server, new Error('x')]) {
      expect([0, 1, 2].map((n) => shouldRetry(n, err))).toEqual([true, true, true]);
      expect(shouldRetry(MAX_RETRIES, err)).toBe(false);
    }
  });
  it('never retries a client error', () => {
    for (const status of [400, 401, 403, 404, 409, 422]) expect(shouldRetry(0, new ApiError(status, 'INVALID_INPUT', 'no'))).toBe(false);
  });
  it('backs off 1, 2, 4 seconds, capped at 8', () => {
    expect([0, 1, 2, 3, 4, 10].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });
});
