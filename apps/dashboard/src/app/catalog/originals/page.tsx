import { CatalogPage } from '../../../components/CatalogPage';

export default function OriginalsPage() {
  return <CatalogPage kind="originals" />;
}
