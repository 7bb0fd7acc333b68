'use client';

import { Suspense } from 'react';
import { AppShell } from '@/components/app-shell';
import { ProjectPage } from '@/components/project-page';

export default function InboxPage() {
  return (
    <Suspense>
      <AppShell>{(session) => <ProjectPage session={session} projectId="inbox" />}</AppShell>
    </Suspense>
  );
}
