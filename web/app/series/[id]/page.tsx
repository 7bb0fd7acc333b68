'use client';

import { useParams } from 'next/navigation';
import { Suspense } from 'react';
import { AppShell } from '@/components/app-shell';
import { SeriesView } from '@/components/series-view';

export default function SeriesPage() {
  const { id } = useParams<{ id: string }>();
  return (
    <Suspense>
      <AppShell>{(session) => <SeriesView session={session} seriesId={id} />}</AppShell>
    </Suspense>
  );
}
