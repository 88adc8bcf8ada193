// Database failures the user can act on, each with a stable code. Start-up prints `code: message`.
export type DbErrorCode =
  | 'DB_URL_INVALID'
  | 'DB_UNREACHABLE'
  | 'DB_AUTH_FAILED'
  | 'DB_DATA_DIR_UNWRITABLE'
  | 'DB_DATA_DIR_IN_USE'
  | 'DB_PORT_IN_USE'
  | 'DB_START_FAILED'
  | 'DB_MIGRATION_FAILED';

export class DbError extends Error {
  constructor(
    readonly code: DbErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DbError';
  }
}
