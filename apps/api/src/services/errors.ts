// Failures a caller can act on, each with a stable code (GraphQL `extensions.code`, HTTP JSON
// `error.code`). Anything else that escapes is an internal error and is reported without detail.
export type ServiceErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'INVALID_CREDENTIALS'
  | 'RATE_LIMITED'
  | 'UPLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA'
  | 'DURATION_TOO_LONG'
  | 'PATH_NOT_ALLOWED'
  | 'JOB_NOT_RETRYABLE'
  | 'JOB_NOT_CANCELLABLE'
  | 'ALREADY_EXISTS'
  | 'STORAGE_FULL';

/** HTTP status that fits each code, for transports that have one. */
export const httpStatusOf: Record<ServiceErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  INVALID_CREDENTIALS: 401,
  RATE_LIMITED: 429,
  UPLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA: 415,
  DURATION_TOO_LONG: 422,
  PATH_NOT_ALLOWED: 403,
  JOB_NOT_RETRYABLE: 409,
  JOB_NOT_CANCELLABLE: 409,
  ALREADY_EXISTS: 409,
  STORAGE_FULL: 507,
};

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const notFound = (what: string, id: string) => new ServiceError('NOT_FOUND', `no ${what} ${id}`);
