'use client';

import { Suspense } from 'react';
import { UpcomingView } from '@/components/agenda-views';
import { AppShell } from '@/components/app-shell';

export default function UpcomingPage() {
  return (
    <Suspense>
      <AppShell>{(session) => <UpcomingView session={session} />}</AppShell>
    </Suspense>
  );
}
