'use client';
import { useParams } from 'next/navigation';
import { DecisionReportView } from '../../../../components/DecisionReportView';

export default function ReportPage() {
  const { verdictId, decisionId } = useParams<{ verdictId: string; decisionId: string }>();
  return <DecisionReportView verdictId={verdictId} decisionId={decisionId} />;
}
