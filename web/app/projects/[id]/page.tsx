'use client';

import { useParams } from 'next/navigation';
import { Suspense } from 'react';
import { AppShell } from '@/components/app-shell';
import { ProjectPage } from '@/components/project-page';

export default function ProjectRoute() {
  const { id } = useParams<{ id: string }>();
  return (
    <Suspense>
      <AppShell>{(session) => <ProjectPage session={session} projectId={id} />}</AppShell>
    </Suspense>
  );
}
