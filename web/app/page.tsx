'use client';

import { Suspense } from 'react';
import { AppShell } from '@/components/app-shell';
import { TaskList } from '@/components/task-list';

export default function TasksPage() {
  return (
    <Suspense>
      <AppShell>{(session) => <TaskList session={session} />}</AppShell>
    </Suspense>
  );
}
