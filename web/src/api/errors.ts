/** The standard error `{code, message, details}` as the console sees it. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Read an error body of any shape into an ApiError (the standard shape when it is one). */
export function toApiError(status: number, body: unknown, fallback = 'Request failed'): ApiError {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const code = typeof b.code === 'string' ? b.code : statusCode(status);
    const message =
      typeof b.message === 'string' ? b.message : typeof b.detail === 'string' ? b.detail : fallback;
    const details = b.details && typeof b.details === 'object' ? (b.details as Record<string, unknown>) : {};
    return new ApiError(status, code, message, details);
  }
  if (typeof body === 'string' && body.trim()) return new ApiError(status, statusCode(status), body.trim());
  return new ApiError(status, statusCode(status), fallback);
}

function statusCode(status: number): string {
  if (status === 0) return 'NETWORK';
  if (status === 400) return 'INVALID_INPUT';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  return 'INTERNAL_ERROR';
}
