import { CatalogPage } from '../../../components/CatalogPage';

export default function MusicPage() {
  return <CatalogPage kind="music" />;
}
