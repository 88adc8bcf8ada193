// The product's job handlers, registered in every worker process. Add one line per handler.
import { registerCatalogIndexHandlers } from '../services/catalog-index';

export function registerProductHandlers(): void {
  registerCatalogIndexHandlers();
}
