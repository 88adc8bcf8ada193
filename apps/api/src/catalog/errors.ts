export type CatalogErrorCode = 'CATALOG_NOT_FOUND' | 'CATALOG_DUPLICATE' | 'CATALOG_BAD_INPUT';

export class CatalogError extends Error {
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CatalogError';
  }
}
