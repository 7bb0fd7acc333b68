'use client';

import { Suspense } from 'react';
import { AppShell } from '@/components/app-shell';
import { ArchivedProjects } from '@/components/archived-projects';

export default function ArchivedProjectsPage() {
  return (
    <Suspense>
      <AppShell>{() => <ArchivedProjects />}</AppShell>
    </Suspense>
  );
}
