// The product's job handlers, registered in every worker process. Add one line per handler.
import { registerAnalyzeUploadHandler } from '../pipeline/job';
import { registerCatalogIndexHandlers } from '../services/catalog-index';

export function registerProductHandlers(): void {
  registerAnalyzeUploadHandler();
  registerCatalogIndexHandlers();
}
