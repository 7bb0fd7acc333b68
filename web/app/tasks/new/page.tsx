'use client';

import { Suspense } from 'react';
import { AppShell } from '@/components/app-shell';
import { TaskForm } from '@/components/task-form';

export default function NewTaskPage() {
  return (
    <Suspense>
      <AppShell>{(session) => <TaskForm session={session} />}</AppShell>
    </Suspense>
  );
}
