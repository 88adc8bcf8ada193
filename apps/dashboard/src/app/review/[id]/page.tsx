'use client';
import { useParams } from 'next/navigation';
import { ReviewScreen } from '../../../components/ReviewScreen';

export default function ReviewPage() {
  const { id } = useParams<{ id: string }>();
  return <ReviewScreen verdictId={id} />;
}
