'use client';

import { Suspense } from 'react';
import { TodayView } from '@/components/agenda-views';
import { AppShell } from '@/components/app-shell';

export default function TodayPage() {
  return (
    <Suspense>
      <AppShell>{(session) => <TodayView session={session} />}</AppShell>
    </Suspense>
  );
}
